import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { clientFor, collect, eventually, listRequests, settled, tick } from "./utils.js"

const live = FetchHttpClient.layer

const ids = (jobs: ReadonlyArray<{ readonly jobId: string }>) => jobs.map((j) => j.jobId)

describe("jobs(): every job across pages", () => {
  it.scopedLive("emits all jobs in server order, 50 per request by default, each page once", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 523 })
      const client = yield* clientFor(sim)
      const all = yield* collect(client.jobs())
      expect(ids(all)).toEqual(ids(sim.jobs))
      const requests = listRequests(sim)
      expect(requests.length).toBe(11)
      expect(requests.every((r) => r.query.get("resultsPerPage") === "50")).toBe(true)
      expect(requests.map((r) => Number(r.query.get("page"))).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 11 }, (_, i) => i + 1)
      )
    }).pipe(Effect.provide(live)))

  it.scopedLive("page fetches run concurrently up to the configured limit (default 4)", () =>
    Effect.gen(function*() {
      for (const [concurrency, expected] of [[undefined, 4], [2, 2], [1, 1]] as const) {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 160, handlerDelayMillis: 25 })
        const client = yield* clientFor(sim, concurrency === undefined ? { pageSize: 20 } : { pageSize: 20, concurrency })
        const all = yield* collect(client.jobs())
        expect(ids(all)).toEqual(ids(sim.jobs))
        expect(sim.peakConcurrency).toBe(expected)
      }
    }).pipe(Effect.provide(live)))

  it.scopedLive("query.resultsPerPage and query.page shape the walk", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 95 })
      const client = yield* clientFor(sim)
      const fromThird = yield* collect(client.jobs({ resultsPerPage: 10, page: 3 }))
      expect(ids(fromThird)).toEqual(ids(sim.jobs.slice(20)))
      expect(listRequests(sim).map((r) => Number(r.query.get("page"))).sort((a, b) => a - b)).toEqual([
        3, 4, 5, 6, 7, 8, 9, 10
      ])
      const past = yield* collect(client.jobs({ page: 50 }))
      expect(past).toEqual([])
    }).pipe(Effect.provide(live)))

  it.scopedLive("an empty result is one request and an empty stream", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 40 })
      const client = yield* clientFor(sim)
      expect(yield* collect(client.jobs({ jobStatuses: ["notFound"] }))).toEqual([])
      expect(listRequests(sim).length).toBe(1)
    }).pipe(Effect.provide(live)))

  it.scopedLive("stopping the stream stops fetching", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 1000, handlerDelayMillis: 5 })
      const client = yield* clientFor(sim, { concurrency: 2 })
      const first = yield* collect(client.jobs({ resultsPerPage: 5 }).pipe(Stream.take(7)))
      expect(ids(first)).toEqual(ids(sim.jobs.slice(0, 7)))
      // Requests already on the wire may still land; then nothing more.
      const afterTake = yield* settled(() => listRequests(sim).length)
      // ⌈7/5⌉ pages plus at most `concurrency` fetched ahead.
      expect(afterTake).toBeLessThanOrEqual(2 + 2)

      // An interrupted consumer stops it as well.
      const fiber = yield* Effect.fork(Stream.runDrain(client.jobs({ resultsPerPage: 5 })))
      yield* eventually(() => listRequests(sim).length >= afterTake + 3, "a few more requests")
      yield* Fiber.interrupt(fiber)
      const atRest = yield* settled(() => listRequests(sim).length)
      expect(atRest - afterTake).toBeLessThan(200)
      // Nothing is sent after it has come to rest.
      for (let i = 0; i < 50; i++) yield* tick
      expect(listRequests(sim).length).toBe(atRest)
    }).pipe(Effect.provide(live)))

  it.scopedLive("getJob finds a job by id and stops; a missing id is NotFound", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 600 })
      const client = yield* clientFor(sim, { concurrency: 1 })
      const target = sim.jobs[120]!
      expect(yield* client.getJob(target.jobId)).toEqual(target)
      // Page 3 of 50 holds it; one more may be fetched ahead.
      expect(listRequests(sim).length).toBeLessThanOrEqual(4)
      const error = yield* Effect.flip(client.getJob("nosuchjob"))
      expect(error).toMatchObject({ _tag: "NotFound", provider: "insideview", operation: "getJob" })
      expect(error.message).toContain("nosuchjob")
    }).pipe(Effect.provide(live)))
})

describe("the total changes mid-stream", () => {
  it.scopedLive("jobs added at the front: every original job once, the walk follows the new total", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 200,
        handlerDelayMillis: 2,
        mutations: [{ afterListRequests: 3, add: 7 }, { afterListRequests: 9, add: 4 }]
      })
      const original = ids(sim.jobs)
      const client = yield* clientFor(sim, { concurrency: 1 })
      const got = ids(yield* collect(client.jobs({ resultsPerPage: 10 })))
      expect(sim.jobs.length).toBe(211)
      // Shifted jobs are dropped as repeats; the inserted ones (ahead of the walk) are not seen.
      expect(got).toEqual(original)
      // The total grew to 211, so the walk went on to page 22.
      expect(listRequests(sim).map((r) => Number(r.query.get("page")))).toEqual(Array.from({ length: 22 }, (_, i) => i + 1))
    }).pipe(Effect.provide(live)))

  it.scopedLive("jobs removed: no job twice, trailing pages are not requested once one comes back empty", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 200,
        mutations: [{ afterListRequests: 2, remove: 120 }]
      })
      const client = yield* clientFor(sim, { concurrency: 1 })
      const got = ids(yield* collect(client.jobs({ resultsPerPage: 10 })))
      expect(new Set(got).size).toBe(got.length)
      expect(sim.jobs.length).toBe(80)
      // 2 pages before the removal, then pages 3..8 hold positions 20..79 of the 80 left, page 9 is
      // empty, and pages 10..20 are never requested.
      expect(got.length).toBe(20 + 60)
      expect(listRequests(sim).map((r) => Number(r.query.get("page")))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9])
    }).pipe(Effect.provide(live)))

  it.scopedLive("without totalResults the client walks page by page until a short page", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 47, omitTotal: true })
      for (const format of ["json", "xml"] as const) {
        sim.clearLog()
        const client = yield* clientFor(sim, { format })
        expect(ids(yield* collect(client.jobs({ resultsPerPage: 10 })))).toEqual(ids(sim.jobs))
        expect(listRequests(sim).length).toBe(5)
      }
      const exact = yield* InsideViewSimulator.makeInsideView({ jobs: 40, omitTotal: true })
      const client = yield* clientFor(exact)
      expect((yield* collect(client.jobs({ resultsPerPage: 10 }))).length).toBe(40)
      // A full last page needs one more (empty) page to know it was the last.
      expect(listRequests(exact).length).toBe(5)
    }).pipe(Effect.provide(live)))
})

describe("normalizedJobs", () => {
  it.scopedLive("maps every record with toJob", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 80 })
      const client = yield* clientFor(sim, { format: "xml" })
      const jobs = yield* collect(client.normalizedJobs({ resultsPerPage: 25 }))
      expect(jobs.map((j) => j.id)).toEqual(ids(sim.jobs))
      const expected: Record<string, string> = {
        accepted: "pending",
        processing: "running",
        finished: "succeeded",
        failed: "failed",
        aborted: "canceled"
      }
      for (const [i, job] of jobs.entries()) {
        const raw = sim.jobs[i]!
        expect(job.provider).toBe("insideview")
        expect(job.status).toBe(expected[raw.jobStatus])
        expect(job.providerStatus).toBe(raw.jobStatus)
        expect(job.type).toBe(raw.jobType)
        expect(job.createdAt?.toISOString()).toBe(`${raw.createdDate}T00:00:00.000Z`)
        expect(job.raw).toEqual(raw)
      }
      expect(new Set(jobs.map((j) => j.status)).size).toBe(5)
    }).pipe(Effect.provide(live)))
})
