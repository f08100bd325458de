/**
 * `pnpm bench`: the library against plain `fetch` on every provider, without
 * latency and with 20 ms per request, memory over a million jobs, the RSS of
 * importing the built library, where a page's CPU goes, decode throughput
 * and read-ahead. Prints one table, writes `test/bench/results.json` (not
 * kept in git) and the README's Performance block (between
 * `<!-- bench:start -->` and `<!-- bench:end -->`; `BENCH_README=0` skips it).
 *
 * - `BENCH_REPEATS` (default 3): runs per timing, medians reported.
 * - `BENCH_JOBS` (default 100000): jobs of the no-latency cases.
 * - `BENCH_MEMORY_JOBS` (default 1000000): jobs of the large memory run (the
 *   small one is a tenth).
 * - `BENCH_BUILD=0`: do not run `tsc -b tsconfig.build.json` first (the
 *   import measurement needs the built `dist`).
 * - `pnpm bench --render`: rebuild the table and README block from the last
 *   results.json, without measuring.
 *
 * Not part of `pnpm test`; nothing here asserts on time.
 */
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { breakdown } from "./breakdown.js"
import { latencyBound, zeroLatency } from "./cpu.js"
import { decodeThroughput } from "./decode.js"
import { importRss } from "./importRss.js"
import { memory } from "./memory.js"
import { readAhead } from "./readAhead.js"
import { type BenchResults, type ProfileSummary, renderMarkdown, renderTable, targetsOf } from "./report.js"
import { benchDir, repoRoot, round, runChild, startSimProcess } from "./util.js"

const repeats = Math.max(1, Number(process.env["BENCH_REPEATS"] ?? 3))
const jobs = Math.max(1000, Number(process.env["BENCH_JOBS"] ?? 100_000))
const memoryJobs = Math.max(10_000, Number(process.env["BENCH_MEMORY_JOBS"] ?? 1_000_000))
const log = (line: string) => process.stderr.write(`${line}\n`)

const writeReadme = (results: BenchResults) => {
  const readmePath = path.join(repoRoot, "README.md")
  const readme = fs.readFileSync(readmePath, "utf8")
  const start = "<!-- bench:start -->"
  const end = "<!-- bench:end -->"
  const i = readme.indexOf(start)
  const j = readme.indexOf(end)
  if (i === -1 || j < i) throw new Error("README.md: bench markers not found")
  fs.writeFileSync(readmePath, `${readme.slice(0, i + start.length)}\n${renderMarkdown(results)}\n${readme.slice(j)}`)
}

const resultsPath = path.join(benchDir, "results.json")

/** `--render`: rebuild the table and the README block from the last results.json, without measuring. */
const renderOnly = () => {
  const results = JSON.parse(fs.readFileSync(resultsPath, "utf8")) as BenchResults
  const again: BenchResults = { ...results, targets: targetsOf(results) }
  process.stdout.write(`${renderTable(again)}\n`)
  writeReadme(again)
}

const loadavg = () => os.loadavg().map((x) => round(x, 2))

const main = async () => {
  if (process.argv.includes("--render")) return renderOnly()
  const started = performance.now()
  const loadStart = loadavg()
  log(`jobstream bench — ${os.cpus()[0]?.model ?? "unknown"}, ${os.cpus().length} cores, Node ${process.version}, ${repeats} repeats, load ${loadStart.join(" ")}`)

  if (process.env["BENCH_BUILD"] !== "0") {
    log("0. building dist (tsc -b tsconfig.build.json)")
    execFileSync(process.execPath, [path.join(repoRoot, "node_modules", "typescript", "bin", "tsc"), "-b", "tsconfig.build.json"], {
      cwd: repoRoot,
      stdio: "inherit"
    })
  }

  log(`1. no latency, ${jobs.toLocaleString("en-US")} jobs per case, sequential`)
  const zero = await zeroLatency(jobs, repeats, log)

  log("2. 20 ms per request, InsideView 16,788 jobs, 8 in flight and sequential")
  const bound = await latencyBound(repeats, log)

  log(`3. memory, ${(memoryJobs / 10).toLocaleString("en-US")} and ${memoryJobs.toLocaleString("en-US")} jobs (fresh processes)`)
  const mem = await memory(log, memoryJobs)

  log("4. import-only RSS of the built dist")
  const imports = importRss()
  log(`  bare ${imports.bareMB} MB, effect + platform ${imports.effectMB} MB, jobstream ${imports.importedMB} MB`)

  log("5. per-page CPU breakdown and decode throughput (InsideView, no latency)")
  const fast = await startSimProcess({ kind: "insideview", jobs: 16_788, latencyMillis: 0 })
  let cpu: Awaited<ReturnType<typeof breakdown>>
  let decode: Awaited<ReturnType<typeof decodeThroughput>>
  try {
    cpu = await breakdown(fast.url, repeats)
    decode = await decodeThroughput(fast.url, repeats, 300)
  } finally {
    await fast.stop()
  }

  log("6. read-ahead (GreenArrow page_token, 20 ms fetch + 20 ms consume per page)")
  const greenArrow = await startSimProcess({ kind: "greenarrow", jobs: 1500, latencyMillis: 20 })
  let ahead: Awaited<ReturnType<typeof readAhead>>
  try {
    ahead = await readAhead(greenArrow.url, 1500, 50, 20, Math.max(5, repeats), log)
  } finally {
    await greenArrow.stop()
  }

  const machine = {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString(),
    loadStart,
    loadEnd: loadavg()
  }
  const partial = {
    machine,
    repeats,
    zeroLatency: zero,
    latencyBound: bound,
    memory: mem,
    importRss: imports,
    breakdown: cpu,
    decode,
    readAhead: ahead,
    profiles: [] as Array<ProfileSummary>
  }
  // Profiles of the library and of the plain loop for every no-latency case that missed its goal.
  const missed = targetsOf(partial).filter((t) => !t.pass && t.id.startsWith("zero-")).map((t) => t.id.slice("zero-".length))
  for (const name of missed) {
    for (const side of ["library", "plain"] as const) {
      log(`7. profile, ${name}, ${side}`)
      partial.profiles.push(await runChild<ProfileSummary>("profile.ts", [name, side, "20000", "1", "0", "--json"]))
    }
  }
  const results: BenchResults = {
    ...partial,
    machine: { ...machine, loadEnd: loadavg() },
    targets: targetsOf(partial),
    totalSeconds: round((performance.now() - started) / 1000, 1)
  }
  fs.writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`)
  process.stdout.write(`${renderTable(results)}\n`)

  if (process.env["BENCH_README"] !== "0") writeReadme(results)
  log(`wrote test/bench/results.json${process.env["BENCH_README"] !== "0" ? " and the README Performance block" : ""} (${results.totalSeconds} s)`)
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
