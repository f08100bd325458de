/**
 * Targets, the printed table and the README block of `pnpm bench`.
 */
import type { BreakdownRow } from "./breakdown.js"
import type { DecodeResult } from "./decode.js"
import { explanations, method, perPageCost } from "./explanations.js"
import type { FullStreamResult, VariantResult } from "./fullStream.js"
import type { MemoryBench } from "./memory.js"
import type { ReadAheadResult } from "./readAhead.js"
import { round } from "./util.js"

export interface Target {
  readonly id: string
  readonly name: string
  readonly value: number
  readonly goal: string
  readonly pass: boolean
}

export interface BenchInputs {
  readonly machine: { readonly node: string; readonly cpu: string; readonly cores: number; readonly platform: string; readonly date: string }
  readonly repeats: number
  readonly fullStream: FullStreamResult
  readonly breakdown: ReadonlyArray<BreakdownRow>
  readonly decode: DecodeResult
  readonly memory: MemoryBench
  readonly readAhead: ReadAheadResult
}

export interface BenchResults extends BenchInputs {
  readonly targets: ReadonlyArray<Target>
  readonly totalSeconds: number
}

const find = (s: FullStreamResult, format: "json" | "xml", kind: "plain" | "library", concurrency: number): VariantResult => {
  const v = s.variants.find((v) => v.format === format && v.kind === kind && v.concurrency === concurrency)
  if (v === undefined) throw new Error(`no ${kind} ${format} c${concurrency} variant`)
  return v
}

export const targetsOf = (r: BenchInputs): ReadonlyArray<Target> => {
  const s = r.fullStream
  const atMost = (id: string, name: string, value: number, max: number): Target => ({
    id,
    name,
    value: round(value, 3),
    goal: `≤ ${max}`,
    pass: value <= max
  })
  const out: Array<Target> = []
  for (const format of ["json", "xml"] as const) {
    const F = format.toUpperCase()
    out.push(atMost(
      `sequential-${format}`,
      `${F}: library sequential / plain fetch sequential`,
      find(s, format, "library", 1).medianMs / find(s, format, "plain", 1).medianMs,
      1.05
    ))
  }
  for (const format of ["json", "xml"] as const) {
    const F = format.toUpperCase()
    const c8 = find(s, format, "library", 8)
    out.push(atMost(`c8-${format}`, `${F}: library concurrency 8 / latency bound`, c8.medianMs / c8.latencyBoundMs, 1.2))
  }
  out.push({
    id: "decode",
    name: "XML decode / JSON decode throughput (library)",
    value: r.decode.xmlOverJson,
    goal: "≥ 0.33",
    pass: r.decode.xmlOverJson >= 0.33
  })
  out.push({
    id: "memory",
    name: "peak RSS 1,000,000 jobs − 100,000 jobs (MB)",
    value: r.memory.deltaMB,
    goal: "< 20",
    pass: r.memory.deltaMB < 20
  })
  out.push(atMost("read-ahead", "read-ahead / sequential fetch-then-consume", r.readAhead.ratio, 0.6))
  return out
}

const fmt = (n: number) => n.toLocaleString("en-US")
const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))
const lpad = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s)

/** The table printed on stdout. */
export const renderTable = (r: BenchResults): string => {
  const lines: Array<string> = []
  const s = r.fullStream
  lines.push(`jobstream bench (${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}; medians of ${r.repeats})`)
  lines.push("")
  lines.push(`1. Full InsideView stream: ${fmt(s.jobs)} jobs, ${s.pages} pages of 50, ${s.latencyMillis} ms per request`)
  lines.push(`   ${pad("variant", 38)}${lpad("bound ms", 10)}${lpad("JSON ms", 10)}${lpad("XML ms", 10)}`)
  for (const v of s.variants.filter((v) => v.format === "json")) {
    const x = find(s, "xml", v.kind, v.concurrency)
    lines.push(`   ${pad(v.name, 38)}${lpad(fmt(v.latencyBoundMs), 10)}${lpad(fmt(v.medianMs), 10)}${lpad(fmt(x.medianMs), 10)}`)
  }
  const p8 = find(s, "json", "plain", 8)
  lines.push(`   (control: plain fetch 8 workers / latency bound = ${round(p8.medianMs / p8.latencyBoundMs, 3)} JSON, ${round(find(s, "xml", "plain", 8).medianMs / p8.latencyBoundMs, 3)} XML)`)
  lines.push("   Client CPU per page, 336 JSON pages, sequential, no latency:")
  for (const row of r.breakdown) lines.push(`   ${pad(row.name, 58)}${lpad(row.cpuMsPerPage.toFixed(3), 8)} ms`)
  const d = r.decode
  lines.push("")
  lines.push(`2. Decode throughput, one ${d.jobsPerPage}-job page (JSON ${fmt(d.jsonBytes)} B, XML ${fmt(d.xmlBytes)} B)`)
  for (const row of [d.jsonParse, d.libraryJson, d.libraryXml, ...d.reference]) {
    lines.push(`   ${pad(row.name, 58)}${lpad(fmt(Math.round(row.jobsPerSecond)), 12)} jobs/s`)
  }
  lines.push("")
  lines.push("3. Memory, library streaming InsideView JSON (fresh process each, server in another process)")
  for (const m of r.memory.runs) {
    lines.push(`   ${lpad(fmt(m.jobs), 10)} jobs: peak RSS ${m.maxRssMB} MB (at start ${m.startRssMB} MB), heap after GC ${m.retainedHeapMB} MB, ${fmt(m.ms)} ms`)
    lines.push(`              RSS at each tenth: ${m.rssTimelineMB.join(" ")}`)
  }
  const c = r.memory.control
  lines.push(`   control, plain fetch + JSON.parse: ${c.runs.map((m) => `${fmt(m.jobs)} jobs peak RSS ${m.maxRssMB} MB`).join(", ")}; difference ${c.deltaMB} MB`)
  const t = r.memory.testkitSimulatorAt1M
  lines.push(`   (testkit InsideViewSimulator with 1M jobs: startup ${fmt(t.startupMs)} ms, RSS ${t.rssMB} MB, ${t.msPerPageRequest} ms per page request)`)
  const a = r.readAhead
  lines.push("")
  lines.push(`4. Read-ahead, GreenArrow page_token: ${a.pages} pages of ${a.perPage}, ${a.fetchMillis} ms fetch + ${a.consumeMillis} ms consume per page`)
  lines.push(`   library stream (read-ahead 1): ${fmt(a.readAhead.medianMs)} ms; sequential fetch-then-consume: ${fmt(a.sequential.medianMs)} ms`)
  lines.push("")
  lines.push("Targets")
  for (const target of r.targets) {
    lines.push(`   ${pad(target.name, 52)}${lpad(String(target.value), 9)}  ${pad(target.goal, 7)} ${target.pass ? "pass" : "MISS"}`)
  }
  lines.push(`(${r.totalSeconds} s)`)
  return lines.join("\n")
}

/** The README's Performance block. */
export const renderMarkdown = (r: BenchResults): string => {
  const s = r.fullStream
  const d = r.decode
  const a = r.readAhead
  const out: Array<string> = []
  out.push(
    `Figures from one \`pnpm bench\` run (${r.machine.date.slice(0, 10)}; ${r.machine.cpu}, ${r.machine.cores} cores, ` +
      `Node ${r.machine.node}); each timing is the median of ${r.repeats} runs. Raw figures: \`test/bench/results.json\`.`
  )
  out.push("")
  out.push("| target | measured | goal | |")
  out.push("| --- | ---: | :---: | --- |")
  for (const t of r.targets) out.push(`| ${t.name} | ${t.value} | ${t.goal} | ${t.pass ? "pass" : "**miss**"} |`)
  out.push("")
  out.push(`**Full InsideView stream** — ${fmt(s.jobs)} jobs, ${s.pages} pages of 50, ${s.latencyMillis} ms per request (ms):`)
  out.push("")
  out.push("| variant | latency bound | JSON | XML |")
  out.push("| --- | ---: | ---: | ---: |")
  for (const v of s.variants.filter((v) => v.format === "json")) {
    out.push(`| ${v.name} | ${fmt(v.latencyBoundMs)} | ${fmt(v.medianMs)} | ${fmt(find(s, "xml", v.kind, v.concurrency).medianMs)} |`)
  }
  const p8 = find(s, "json", "plain", 8)
  out.push("")
  out.push(
    `Control: plain fetch with 8 workers reaches ${round(p8.medianMs / p8.latencyBoundMs, 2)}× the latency bound in JSON and ` +
      `${round(find(s, "xml", "plain", 8).medianMs / p8.latencyBoundMs, 2)}× in XML on the same machine in the same run.`
  )
  out.push("")
  out.push("Client CPU per page (336 JSON pages, sequential, no latency), adding one layer at a time:")
  out.push("")
  out.push("| stack | CPU ms/page |")
  out.push("| --- | ---: |")
  for (const row of r.breakdown) out.push(`| ${row.name} | ${row.cpuMsPerPage.toFixed(3)} |`)
  out.push("")
  out.push(`**Decode throughput** — one 50-job page (JSON ${fmt(d.jsonBytes)} B, XML ${fmt(d.xmlBytes)} B):`)
  out.push("")
  out.push("| decoder | jobs/s |")
  out.push("| --- | ---: |")
  for (const row of [d.jsonParse, d.libraryJson, d.libraryXml, ...d.reference]) {
    out.push(`| ${row.name} | ${fmt(Math.round(row.jobsPerSecond))} |`)
  }
  out.push("")
  out.push("**Memory** — the library streaming InsideView JSON (50 per page, no latency), each run in a fresh process:")
  out.push("")
  out.push("| jobs | peak RSS | RSS before streaming | heap after a final GC | RSS after each tenth of the jobs (MB) | time |")
  out.push("| ---: | ---: | ---: | ---: | --- | ---: |")
  for (const m of r.memory.runs) {
    out.push(`| ${fmt(m.jobs)} | ${m.maxRssMB} MB | ${m.startRssMB} MB | ${m.retainedHeapMB} MB | ${m.rssTimelineMB.join(", ")} | ${fmt(m.ms)} ms |`)
  }
  for (const m of r.memory.control.runs) {
    out.push(`| ${fmt(m.jobs)}, control: plain fetch + JSON.parse | ${m.maxRssMB} MB | ${m.startRssMB} MB | ${m.retainedHeapMB} MB | ${m.rssTimelineMB.join(", ")} | ${fmt(m.ms)} ms |`)
  }
  out.push("")
  out.push(
    `Difference between the two volumes: library ${r.memory.deltaMB} MB, plain fetch + JSON.parse control ${r.memory.control.deltaMB} MB.`
  )
  out.push("")
  out.push(
    `**Read-ahead** — GreenArrow \`page_token\` walk, ${a.pages} pages of ${a.perPage}, ${a.fetchMillis} ms per request and ` +
      `${a.consumeMillis} ms of consumer work per page: library stream (read-ahead 1) ${fmt(a.readAhead.medianMs)} ms, ` +
      `sequential fetch-then-consume ${fmt(a.sequential.medianMs)} ms.`
  )
  out.push("")
  const missed = r.targets.filter((t) => !t.pass)
  if (missed.length > 0) {
    out.push("**Why the misses**")
    out.push("")
    for (const t of missed) {
      out.push(`- *${t.name}* (${t.value}, goal ${t.goal}): ${explanations[t.id] ?? "not analysed yet."}`)
    }
    if (missed.some((t) => t.id.startsWith("sequential-") || t.id.startsWith("c8-"))) {
      out.push(`- *Per-page CPU*: ${perPageCost}`)
    }
    out.push("")
  }
  out.push(method(r.memory.testkitSimulatorAt1M))
  return out.join("\n")
}
