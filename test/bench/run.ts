/**
 * `pnpm bench`: every benchmark of issue 7 in one run, against the testkit
 * simulators on 127.0.0.1 (each in its own process). Prints one table, writes
 * `test/bench/results.json` and the README's Performance block (between
 * `<!-- bench:start -->` and `<!-- bench:end -->`; `BENCH_README=0` skips it).
 *
 * `BENCH_REPEATS` (default 3) sets how many times each timing runs (the short
 * read-ahead timing at least 5 times); medians are reported. `pnpm bench
 * --render` rebuilds the table and README block from the last results.json. Not part of `pnpm test`; nothing here asserts on time.
 */
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { breakdown } from "./breakdown.js"
import { decodeThroughput } from "./decode.js"
import { fullStream } from "./fullStream.js"
import type { FullStreamResult } from "./fullStream.js"
import { memory } from "./memory.js"
import { readAhead } from "./readAhead.js"
import { renderMarkdown, renderTable, targetsOf } from "./report.js"
import type { BenchResults } from "./report.js"
import { benchDir, repoRoot, round, startSimProcess } from "./util.js"

const repeats = Math.max(1, Number(process.env["BENCH_REPEATS"] ?? 3))
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

const main = async () => {
  if (process.argv.includes("--render")) return renderOnly()
  const started = performance.now()
  const machine = {
    node: process.version,
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    platform: `${os.platform()} ${os.release()}`,
    date: new Date().toISOString()
  }
  log(`jobstream bench — ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}, ${repeats} repeats`)

  // 1 + 2: the InsideView simulator (16,788 jobs, 20 ms per request).
  log("1. full InsideView stream (16,788 jobs, 20 ms per request)")
  const insideView = await startSimProcess({ kind: "insideview", jobs: 16_788, latencyMillis: 20 })
  let stream: FullStreamResult
  let decode: Awaited<ReturnType<typeof decodeThroughput>>
  try {
    stream = await fullStream(insideView.url, 16_788, 20, repeats, log)
    log("2. decode throughput (one 50-job page)")
    decode = await decodeThroughput(insideView.url, 5, 300)
  } finally {
    await insideView.stop()
  }

  log("1b. per-page CPU breakdown (no latency, sequential)")
  const fast = await startSimProcess({ kind: "insideview", jobs: 16_788, latencyMillis: 0 })
  let cpu: Awaited<ReturnType<typeof breakdown>>
  try {
    cpu = await breakdown(fast.url, 3)
  } finally {
    await fast.stop()
  }
  for (const row of cpu) log(`  ${row.name}: ${row.cpuMsPerPage} ms CPU/page`)

  log("3. memory (fresh processes)")
  const mem = await memory(log)

  log("4. read-ahead (GreenArrow page_token, 20 ms fetch + 20 ms consume per page)")
  const greenArrow = await startSimProcess({ kind: "greenarrow", jobs: 1500, latencyMillis: 20 })
  let ahead: Awaited<ReturnType<typeof readAhead>>
  try {
    ahead = await readAhead(greenArrow.url, 1500, 50, 20, Math.max(5, repeats), log)
  } finally {
    await greenArrow.stop()
  }

  const partial = { machine, repeats, fullStream: stream, breakdown: cpu, decode, memory: mem, readAhead: ahead }
  const results: BenchResults = {
    ...partial,
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
