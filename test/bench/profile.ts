/**
 * A profiling harness: starts a simulator in another process, warms the
 * client up, then records a CPU profile of the steady state only (module
 * loading and JIT warm-up left out) with `node:inspector`, and prints the
 * self time by module and by function.
 *
 *   node --conditions=@jobstream/source --import tsx test/bench/profile.ts \
 *     <insideview-json|insideview-xml|greenarrow-json> <library|plain> [jobs] [concurrency] [latencyMillis] [out.cpuprofile|--json]
 *
 * With `--json` it prints one JSON line instead (what `pnpm bench` keeps for
 * a missed goal): CPU per job, self time by category and the top functions.
 * Run without `--conditions=@jobstream/source` (after `npx tsc -b
 * tsconfig.build.json`) to profile the built `dist`, whose functions keep
 * their names and lines.
 */
import * as fs from "node:fs"
import { Session } from "node:inspector/promises"
import { caseOf, type CaseName } from "./cases.js"
import { byCategory, type CpuProfile, selfTimes, summarize } from "./profileSummary.js"
import { startSimProcess } from "./util.js"

const name = (process.argv[2] ?? "insideview-json") as CaseName
const side = process.argv[3] === "plain" ? "plain" : "library"
const jobs = Number(process.argv[4] ?? 20_000)
const concurrency = Number(process.argv[5] ?? 1)
const latencyMillis = Number(process.argv[6] ?? 0)
const out = process.argv[7] === "--json" ? undefined : process.argv[7]
const json = process.argv[7] === "--json"

const bench = caseOf(name)
const sim = await startSimProcess(bench.sim(jobs, latencyMillis))
try {
  const run = () => bench[side](sim.url, concurrency)
  for (let i = 0; i < 2; i++) {
    const n = await run()
    if (n !== jobs) throw new Error(`${name} ${side}: ${n} jobs, expected ${jobs}`)
  }
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 200 })
  await session.post("Profiler.start")
  const cpu = process.cpuUsage()
  await run()
  const used = process.cpuUsage(cpu)
  const { profile } = await session.post("Profiler.stop")
  session.disconnect()
  if (out !== undefined) fs.writeFileSync(out, JSON.stringify(profile))
  const cpuUsPerJob = (used.user + used.system) / jobs
  if (json) {
    const p = profile as CpuProfile
    const round = (x: number) => Math.round(x * 1000) / 10
    process.stdout.write(`${JSON.stringify({
      case: name,
      side,
      jobs,
      concurrency,
      latencyMillis,
      cpuUsPerJob: Math.round(cpuUsPerJob * 10) / 10,
      categories: byCategory(p).map((c) => ({ name: c.name, percent: round(c.share) })),
      functions: selfTimes(p).functions.slice(0, 15).map((f) => ({ name: f.name, percent: round(f.share) }))
    })}\n`)
  } else {
    process.stdout.write(`${name} ${side} c${concurrency}: ${cpuUsPerJob.toFixed(2)} µs CPU per job\n`)
    process.stdout.write(`${summarize(profile, 25, 40)}\n`)
  }
} finally {
  await sim.stop()
}
