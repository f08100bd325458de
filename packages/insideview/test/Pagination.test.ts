/**
 * `jobs()` against lists that change while they are read and servers that
 * misbehave with `page`, over real HTTP, in JSON and XML, at concurrency 1
 * and 8: the exact jobs yielded, how many list requests, and the typed error.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { ApiError } from "@jobstream/core"
import type { InsideViewClient } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import { clientFor, collect, eventually, fixedToken, listRequests, settled, tick } from "./utils.js"

const live = FetchHttpClient.layer
const ids = (jobs: ReadonlyArray<{ readonly jobId: string }>) => jobs.map((j) => j.jobId)
const pagesAsked = (sim: InsideViewSimulator.InsideViewServer) => listRequests(sim).map((r) => Number(r.query.get("page")))

/** Runs the stream to its end; the jobs it emitted and its error, if any. */
const drain = (client: InsideViewClient.Service, query: Parameters<InsideViewClient.Service["jobs"]>[0]) =>
  Effect.gen(function*() {
    const seen: Array<string> = []
    const result = yield* Effect.either(Stream.runForEach(client.jobs(query), (job) => Effect.sync(() => seen.push(job.jobId))))
    return { seen, error: Either.isLeft(result) ? result.left : undefined }
  })

const combos = [
  { format: "json", concurrency: 1 },
  { format: "json", concurrency: 8 },
  { format: "xml", concurrency: 1 },
  { format: "xml", concurrency: 8 }
] as const

for (const { concurrency, format } of combos) {
  const options = { format, concurrency } as const
  describe(`InsideView pagination (${format}, concurrency ${concurrency})`, () => {
    it.scopedLive("a list of 1,001 jobs growing by 60 while it is read yields all 1,061", () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({
          jobs: 1001,
          order: "oldest-first",
          mutations: [{ afterListRequests: 2, add: 20 }, { afterListRequests: 11, add: 20 }, { afterListRequests: 20, add: 20 }]
        })
        const client = yield* clientFor(sim, options)
        const { error, seen } = yield* drain(client, { resultsPerPage: 50 })
        expect(error).toBeUndefined()
        expect(sim.jobs.length).toBe(1061)
        expect(seen).toEqual(ids(sim.jobs))
        // 22 pages: the last (11 jobs) is short and its total agrees it is the last.
        expect(pagesAsked(sim).sort((a, b) => a - b)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1))
      }).pipe(Effect.provide(live)))

    it.scopedLive("a list shrinking at the end while it is read: no error, no repeat, every remaining job", () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({
          jobs: 200,
          mutations: [{ afterListRequests: 3, removeOldest: 50 }]
        })
        const client = yield* clientFor(sim, options)
        const { error, seen } = yield* drain(client, { resultsPerPage: 10 })
        expect(error).toBeUndefined()
        expect(seen).toEqual(ids(sim.jobs))
        // 15 pages left; page 15 is full, so page 16 (empty) confirms the end.
        expect(pagesAsked(sim).sort((a, b) => a - b)).toEqual(Array.from({ length: 16 }, (_, i) => i + 1))
      }).pipe(Effect.provide(live)))

    it.scopedLive("a server ignoring `page`: PaginationError at page 2, within 1 + concurrency requests", () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 1000, pageFault: "ignore-page" })
        const client = yield* clientFor(sim, options)
        const { error, seen } = yield* drain(client, { resultsPerPage: 20 })
        expect(seen).toEqual(ids(sim.jobs.slice(0, 20)))
        expect(error).toBeInstanceOf(ApiError.PaginationError)
        expect(error).toMatchObject({ reason: "repeated-page", page: 2, provider: "insideview", operation: "jobs" })
        expect(error?.message).toContain("ignore the page parameter")
        const sent = yield* settled(() => listRequests(sim).length)
        expect(sent).toBeGreaterThanOrEqual(2)
        expect(sent).toBeLessThanOrEqual(1 + concurrency)
      }).pipe(Effect.provide(live)))

    it.scopedLive("a page repeating the page before: PaginationError at page 4, nothing emitted twice", () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 1000, pageFault: { stuckAt: 3 } })
        const client = yield* clientFor(sim, options)
        const { error, seen } = yield* drain(client, { resultsPerPage: 10 })
        expect(seen).toEqual(ids(sim.jobs.slice(0, 30)))
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-page", page: 4 })
        expect(error?.message).toContain("page 4 repeats the items of page 3")
        const sent = yield* settled(() => listRequests(sim).length)
        expect(sent).toBeLessThanOrEqual(3 + concurrency)
      }).pipe(Effect.provide(live)))

    it.scopedLive("without totalResults, a server ignoring `page` still ends with PaginationError after 2 requests", () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 300, omitTotal: true, pageFault: "ignore-page" })
        const client = yield* clientFor(sim, options)
        const { error, seen } = yield* drain(client, { resultsPerPage: 25 })
        expect(seen).toEqual(ids(sim.jobs.slice(0, 25)))
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-page", page: 2, requests: 2 })
        // Without a total only the page after a full one is known to exist: one request at a time.
        expect(yield* settled(() => listRequests(sim).length)).toBe(2)
      }).pipe(Effect.provide(live)))
  })
}

describe("InsideView pagination: moving lists at either concurrency", () => {
  it.scopedLive("jobs removed at the front: no error, no repeat; the jobs pulled onto read pages are missed", () =>
    Effect.gen(function*() {
      for (const concurrency of [1, 8]) {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 200, mutations: [{ afterListRequests: 2, remove: 15 }] })
        const before = ids(sim.jobs)
        const client = yield* clientFor(sim, { concurrency })
        const { error, seen } = yield* drain(client, { resultsPerPage: 10 })
        expect(error).toBeUndefined()
        expect(new Set(seen).size).toBe(seen.length)
        expect(seen.every((id) => before.includes(id))).toBe(true)
        if (concurrency === 1) {
          // Pages 1–2 were read before the removal; page 3 starts 15 jobs further on.
          expect(seen).toEqual([...before.slice(0, 20), ...before.slice(35)])
        } else {
          // Only two list requests were answered before the removal. If the second of them was not
          // page 2, the pages around it straddle the removal: at most two such switches, 15 jobs each.
          expect(seen.length).toBeGreaterThanOrEqual(200 - 15 * 2)
        }
      }
    }).pipe(Effect.provide(live)))

  it.scopedLive("jobs inserted at the front at concurrency 8: never a job twice, only original jobs, the walk ends", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 300,
        mutations: [{ afterListRequests: 4, add: 6 }, { afterListRequests: 12, add: 5 }]
      })
      const original = ids(sim.jobs)
      const client = yield* clientFor(sim, { concurrency: 8 })
      const { error, seen } = yield* drain(client, { resultsPerPage: 10 })
      expect(error).toBeUndefined()
      expect(new Set(seen).size).toBe(seen.length)
      expect(seen.every((id) => original.includes(id))).toBe(true)
      // A page answered after an insertion, followed by one answered before it, skips as many jobs
      // as were inserted; with 8 pages in flight that happens at most 4 times per insertion.
      expect(seen.length).toBeGreaterThanOrEqual(300 - 4 * (6 + 5))
    }).pipe(Effect.provide(live)))

  it.scopedLive("take(n) at concurrency 8 sends at most ⌈n/p⌉ + 7 requests; an interrupted stream sends none afterwards", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 2000, latency: { millis: 10 } })
      const client = yield* clientFor(sim, { concurrency: 8 })
      const taken = yield* collect(Stream.take(client.jobs({ resultsPerPage: 10 }), 35))
      expect(ids(taken)).toEqual(ids(sim.jobs.slice(0, 35)))
      const afterTake = yield* settled(() => listRequests(sim).length)
      expect(afterTake).toBeGreaterThanOrEqual(4)
      expect(afterTake).toBeLessThanOrEqual(4 + 8 - 1)

      const fiber = yield* Effect.fork(Stream.runDrain(client.jobs({ resultsPerPage: 10 })))
      yield* eventually(() => listRequests(sim).length >= afterTake + 10, "a few more requests")
      yield* Fiber.interrupt(fiber)
      const atInterrupt = listRequests(sim).length
      const atRest = yield* settled(() => listRequests(sim).length)
      // Only requests already on the wire may still arrive: never more than were in flight.
      expect(atRest - atInterrupt).toBeLessThanOrEqual(8)
      for (let i = 0; i < 60; i++) yield* tick
      expect(listRequests(sim).length).toBe(atRest)
    }).pipe(Effect.provide(live)))

  it.scopedLive("maxPages: a list longer than the limit fails with max-pages; a bad limit is a ConfigError", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 100 })
      const client = yield* clientFor(sim, { concurrency: 4, maxPages: 3 })
      const { error, seen } = yield* drain(client, { resultsPerPage: 10 })
      expect(seen).toEqual(ids(sim.jobs.slice(0, 30)))
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "max-pages", page: 4, requests: 3 })
      // The error names the request that was not sent, without the token.
      expect(error?.message).toContain("page=4")
      expect(error?.message).not.toContain(fixedToken)
      expect(pagesAsked(sim)).toEqual([1, 2, 3])
      const bad = yield* Effect.flip(clientFor(sim, { maxPages: 0 }))
      expect(String(bad)).toContain("maxPages")
      expect(String(bad)).toContain("0 is below the minimum 1")
    }).pipe(Effect.provide(live)))
})
