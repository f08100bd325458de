/**
 * `jobs()` (the `fromJobId` cursor) against lists that change while they are
 * read and servers whose cursor misbehaves, over real HTTP.
 */
import { describe, expect, it } from "@effect/vitest"
import { ApiError } from "@jobstream/core"
import { FetchHttpClient } from "@effect/platform"
import { IcwsClient } from "@jobstream/icws"
import { IcwsSimulator } from "@jobstream/testkit"
import { Effect, Either, Layer, Stream } from "effect"
import type { Scope } from "effect"
import { options, requestsTo, withClient } from "./helpers.js"

const live = <A, E>(name: string, f: () => Effect.Effect<A, E, Scope.Scope>) => it.live(name, () => Effect.scoped(f()))

const newestFirst = (sim: IcwsSimulator.IcwsServer) => [...sim.jobs].reverse().map((j) => j.status.id)
const lists = (sim: IcwsSimulator.IcwsServer) => requestsTo(sim, "GET", "/data-extractor/jobs")

/** Streams every job with `jobCount` 10; the ids emitted and the error, if any. */
const drain = (sim: IcwsSimulator.IcwsServer, extra: Partial<IcwsClient.Options> = {}) =>
  withClient(sim, (c) =>
    Effect.gen(function*() {
      const seen: Array<string> = []
      const result = yield* Effect.either(
        Stream.runForEach(c.jobs({ jobCount: 10 }), (job) => Effect.sync(() => seen.push(job.jobStatus!.id)))
      )
      return { seen, error: Either.isLeft(result) ? result.left : undefined }
    }), extra)

describe("ICWS pagination", () => {
  live("jobs submitted while the list is read appear ahead of the cursor: every original job once, none lost", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 75, mutations: [{ afterListRequests: 2, add: 6 }] })
      const original = newestFirst(sim)
      const { error, seen } = yield* drain(sim)
      expect(error).toBeUndefined()
      expect(seen).toEqual(original)
      expect(sim.jobs.length).toBe(81)
      expect(lists(sim)).toHaveLength(8)
    }))

  live("jobs removed while the list is read: no error, no repeat; removed jobs not yet read are not emitted", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 75, mutations: [{ afterListRequests: 3, removeOldest: 12, remove: 4 }] })
      const original = newestFirst(sim)
      const { error, seen } = yield* drain(sim)
      expect(error).toBeUndefined()
      // The 4 newest were already read (page 1); the 12 oldest were removed before their page.
      expect(seen).toEqual(original.slice(0, 75 - 12))
    }))

  live("a server ignoring fromJobId: PaginationError (repeated-page) after 2 requests, nothing repeated", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 40, cursorMode: "ignore" })
      const { error, seen } = yield* drain(sim)
      expect(seen).toEqual(newestFirst(sim).slice(0, 10))
      expect(error).toBeInstanceOf(ApiError.PaginationError)
      expect(error).toMatchObject({ reason: "repeated-page", requests: 2, cursor: seen[9], provider: "icws", operation: "listJobs" })
      // The session id never shows in the error.
      expect(error?.message).toContain("/icws/<redacted>/data-extractor/jobs")
      expect(error?.message).not.toContain(sim.createdSessions[0]!.sessionId)
      expect(lists(sim)).toHaveLength(2)
    }))

  live("a cursor that includes its own job again: the repeat is dropped, every job exactly once", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 40, cursorMode: "inclusive" })
      const { error, seen } = yield* drain(sim)
      expect(error).toBeUndefined()
      expect(seen).toEqual(newestFirst(sim))
      // Pages of 10 overlapping by one: 10 + 9 + 9 + 9, then a short page of 4 (3 new).
      expect(lists(sim)).toHaveLength(5)
    }))

  live("a list that never ends (it starts over after the oldest job): PaginationError when the first page comes back", () =>
    Effect.gen(function*() {
      for (const [jobs, expected] of [[40, 40], [45, 40]] as const) {
        const sim = yield* IcwsSimulator.makeIcws({ jobs, cursorMode: "wrap" })
        const { error, seen } = yield* drain(sim)
        // Page 5 brings back the newest jobs (with, for 45 jobs, the last 5 new ones: that page is not emitted).
        expect(seen).toEqual(newestFirst(sim).slice(0, expected))
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-page", requests: 5 })
        expect(error?.message).toContain("started over")
        expect(lists(sim)).toHaveLength(5)
      }
    }))

  live("maxPages: a list longer than the limit fails with max-pages at the cursor not followed", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 75 })
      const { error, seen } = yield* drain(sim, { maxPages: 3 })
      expect(seen).toEqual(newestFirst(sim).slice(0, 30))
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "max-pages", requests: 3, cursor: seen[29] })
      expect(lists(sim)).toHaveLength(3)
      const bad = yield* Effect.flip(
        Layer.build(IcwsClient.layer(options(sim, { maxPages: 1.5 }))).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
      )
      expect(String(bad)).toContain("maxPages")
      expect(String(bad)).toContain("1.5 is not a whole number")
      expect(lists(sim)).toHaveLength(3)
    }))
})
