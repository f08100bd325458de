/**
 * The measured process of the memory benchmark: builds every normalized job
 * of an InsideView listing served by another process (JSON, 50 per page,
 * four pages in flight), counting them without keeping any, through the
 * library or through the plain loop of `cases.ts`, and prints one JSON line.
 *
 *   node --conditions=@jobstream/source --import tsx --expose-gc test/bench/memory-client.ts <url> <jobs> <library|plain>
 *
 * Heap and RSS are sampled every 10 ms; the kernel's peak RSS
 * (`resourceUsage().maxRSS`) is read at the end. The final `gc()` runs after
 * the peaks were taken: it only shows what the process still holds.
 */
import { caseOf } from "./cases.js"

export interface MemoryResult {
  readonly mode: "library" | "plain"
  readonly jobs: number
  readonly ms: number
  /** RSS once everything is loaded, before the first request. */
  readonly startRssMB: number
  /** Heap used before the first request. */
  readonly startHeapMB: number
  /** Highest heap used seen by sampling. */
  readonly peakHeapMB: number
  /** Kernel's peak RSS of this process. */
  readonly maxRssMB: number
  /** Heap still in use after a full GC at the end (-1 without --expose-gc). */
  readonly retainedHeapMB: number
  /** Client CPU per job, µs. */
  readonly cpuUsPerJob: number
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10

const url = process.argv[2]!
const expected = Number(process.argv[3])
const mode = process.argv[4] === "plain" ? "plain" : "library"
const concurrency = 4

const gc = (globalThis as { gc?: () => void }).gc
gc?.()
const start = process.memoryUsage()
let peakHeap = start.heapUsed
const sampler = setInterval(() => {
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
}, 10)

const bench = caseOf("insideview-json")
const cpu0 = process.cpuUsage()
const t0 = performance.now()
const jobs = await bench[mode](url, concurrency)
const ms = performance.now() - t0
const cpu = process.cpuUsage(cpu0)
clearInterval(sampler)
peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed)
if (jobs !== expected) {
  process.stderr.write(`memory-client: expected ${expected} jobs, built ${jobs}\n`)
  process.exit(1)
}
let retained = -1
if (gc !== undefined) {
  gc()
  retained = mb(process.memoryUsage().heapUsed)
}
const result: MemoryResult = {
  mode,
  jobs,
  ms: Math.round(ms),
  startRssMB: mb(start.rss),
  startHeapMB: mb(start.heapUsed),
  peakHeapMB: mb(peakHeap),
  maxRssMB: mb(process.resourceUsage().maxRSS * 1024),
  retainedHeapMB: retained,
  cpuUsPerJob: Math.round(((cpu.user + cpu.system) / jobs) * 100) / 100
}
process.stdout.write(`${JSON.stringify(result)}\n`)
process.exit(0)
