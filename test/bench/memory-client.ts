/**
 * The measured process of the memory benchmark: streams every job of an
 * InsideView simulator running in another process through the library (JSON,
 * 50 per page, default concurrency), counting them without keeping any, and
 * prints one JSON line with its peak RSS.
 *
 *   node --conditions=@jobstream/source --import tsx --expose-gc test/bench/memory-client.ts <url> <expected jobs>
 *
 * The final `gc()` runs after the peak has been recorded, so it does not
 * change the figure; it only shows how much the process still holds.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { InsideViewClient } from "@jobstream/insideview"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

export interface MemoryResult {
  readonly jobs: number
  readonly ms: number
  /** RSS once everything is loaded, before the first request. */
  readonly startRssMB: number
  /** Kernel's peak RSS of this process (`process.resourceUsage().maxRSS`). */
  readonly maxRssMB: number
  /** Highest RSS seen by sampling every 25 ms. */
  readonly sampledPeakRssMB: number
  readonly endHeapUsedMB: number
  /** Heap still in use after a full GC at the end (needs --expose-gc; -1 without). */
  readonly retainedHeapMB: number
  /** RSS (MB) after each tenth of the jobs: flat means bounded, a ramp means growth. */
  readonly rssTimelineMB: ReadonlyArray<number>
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10

const url = process.argv[2]!
const expected = Number(process.argv[3])
/** "library" (default) or "plain": fetch + JSON.parse, 4 pages at a time, as a control. */
const mode = process.argv[4] === "plain" ? "plain" : "library"

const timeline: Array<number> = []
let sampledPeak = process.memoryUsage().rss
const sampler = setInterval(() => {
  sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)
}, 25)

const program = Effect.gen(function*() {
  const client = yield* InsideViewClient.make({
    baseUrl: url,
    authBaseUrl: url,
    auth: InsideViewClient.Auth.token(Redacted.make("sim-fixed-token")),
    format: "json",
    pageSize: 50
  })
  let count = 0
  const step = Math.max(1, Math.floor(expected / 10))
  yield* Stream.runForEach(client.jobs(), () =>
    Effect.sync(() => {
      count++
      if (count % step === 0) timeline.push(mb(process.memoryUsage().rss))
    }))
  return count
}).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))

// The control: the same walk with fetch + JSON.parse and no library, four
// pages in flight like the library's default concurrency.
const plain = async (): Promise<number> => {
  const perPage = 50
  const get = async (page: number) => {
    const res = await fetch(`${url}/api/v1/admin/jobs?page=${page}&resultsPerPage=${perPage}`, {
      headers: { accept: "application/json", accesstoken: "sim-fixed-token" }
    })
    return JSON.parse(await res.text()) as { bulkJobs: Array<unknown>; totalResults: number }
  }
  const step = Math.max(1, Math.floor(expected / 10))
  let count = 0
  const tally = (n: number) => {
    for (let i = 0; i < n; i++) {
      count++
      if (count % step === 0) timeline.push(mb(process.memoryUsage().rss))
    }
  }
  const first = await get(1)
  tally(first.bulkJobs.length)
  const pages = Math.ceil(first.totalResults / perPage)
  for (let next = 2; next <= pages; next += 4) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(4, pages - next + 1) }, (_, i) => get(next + i))
    )
    for (const p of batch) tally(p.bulkJobs.length)
  }
  return count
}

const retainedHeap = (): number => {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) return -1
  gc()
  return mb(process.memoryUsage().heapUsed)
}

const startRss = process.memoryUsage().rss
const started = performance.now()
const jobs = mode === "plain" ? await plain() : await Effect.runPromise(program)
const ms = performance.now() - started
clearInterval(sampler)
sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss)
if (jobs !== expected) {
  process.stderr.write(`memory-client: expected ${expected} jobs, streamed ${jobs}\n`)
  process.exit(1)
}
const result: MemoryResult = {
  jobs,
  ms: Math.round(ms),
  startRssMB: mb(startRss),
  maxRssMB: mb(process.resourceUsage().maxRSS * 1024),
  sampledPeakRssMB: mb(sampledPeak),
  endHeapUsedMB: mb(process.memoryUsage().heapUsed),
  retainedHeapMB: retainedHeap(),
  rssTimelineMB: timeline
}
process.stdout.write(`${JSON.stringify(result)}\n`)
process.exit(0)
