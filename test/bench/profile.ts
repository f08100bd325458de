/**
 * A profiling harness for the full-stream benchmark: starts the InsideView
 * simulator in another process and runs one variant a few times, so that
 * `--cpu-prof` sees only the client.
 *
 *   node --conditions=@jobstream/source --import tsx --cpu-prof --cpu-prof-dir=/tmp/prof \
 *     test/bench/profile.ts <plain|library> <json|xml> <concurrency> [runs] [latencyMillis]
 */
import { runVariant } from "./fullStream.js"
import type { Format } from "./fullStream.js"
import { startSimProcess, timeIt } from "./util.js"

const kind = process.argv[2] === "plain" ? "plain" : "library"
const format: Format = process.argv[3] === "xml" ? "xml" : "json"
const concurrency = Number(process.argv[4] ?? 8)
const runs = Number(process.argv[5] ?? 3)
const latencyMillis = Number(process.argv[6] ?? 20)

const sim = await startSimProcess({ kind: "insideview", jobs: 16_788, latencyMillis })
try {
  const variant = { name: `${kind} c${concurrency}`, kind, format, concurrency } as const
  await runVariant(sim.url, variant)
  const before = await sim.stats()
  const cpu = process.cpuUsage()
  for (let i = 0; i < runs; i++) {
    const { ms } = await timeIt(() => runVariant(sim.url, variant))
    process.stdout.write(`${variant.name} ${format}: ${Math.round(ms)} ms\n`)
  }
  const used = process.cpuUsage(cpu)
  process.stdout.write(`client CPU per page: ${((used.user + used.system) / 1000 / (runs * 336)).toFixed(3)} ms\n`)
  const stats = await sim.stats()
  process.stdout.write(`server CPU per request: ${((stats.cpuMs - before.cpuMs) / (stats.requests - before.requests)).toFixed(3)} ms\n`)
} finally {
  await sim.stop()
}
