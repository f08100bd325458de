/**
 * `jobs()` against listings that change while they are read and servers
 * whose `page_token` or `page` misbehaves, over real HTTP, in token mode and
 * in pages mode at concurrency 1 and 8.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { ApiError } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { GreenArrowSimulator } from "@jobstream/testkit"
import { Effect, Either, Redacted, Stream } from "effect"
import { keyAuth, type Sim, sysAdmin, withClient as withSimulator } from "./helpers.js"

/** Runs `f` with a fresh simulator and a system-admin client (sees every job); both go with the scope. */
const withClient = <A, E>(
  sim: GreenArrowSimulator.GreenArrowSimOptions,
  client: Partial<GreenArrowClient.Options>,
  f: (c: GreenArrowClient.Service, s: Sim) => Effect.Effect<A, E>
) => withSimulator(sim, { auth: keyAuth(sysAdmin), timeout: "30 seconds", ...client }, f)

const drain = (stream: Stream.Stream<{ readonly id: number }, ApiError.ApiError>) =>
  Effect.gen(function*() {
    const seen: Array<number> = []
    const result = yield* Effect.either(Stream.runForEach(stream, (job) => Effect.sync(() => seen.push(job.id))))
    return { seen, error: Either.isLeft(result) ? result.left : undefined }
  })

const ids = (jobs: ReadonlyArray<{ readonly id: number }>) => jobs.map((j) => j.id)
const listRequests = (s: Sim) => s.requests.filter((r) => r.path.startsWith("/ga/api/v2/"))
const pagesAsked = (s: Sim) => listRequests(s).map((r) => Number(r.query.get("page"))).sort((a, b) => a - b)
const growth = [{ afterListRequests: 2, add: 20 }, { afterListRequests: 11, add: 20 }, { afterListRequests: 20, add: 20 }]

describe("GreenArrow pagination, token mode", () => {
  it.live("a listing of 1,001 jobs growing by 60 while it is read yields all 1,061 (keyset tokens)", () =>
    withClient({ jobs: 1001, mutations: growth }, { pageSize: 50 }, (c, s) =>
      Effect.gen(function*() {
        const { error, seen } = yield* drain(c.jobs())
        expect(error).toBeUndefined()
        expect(s.jobs.length).toBe(1061)
        expect(seen).toEqual(ids(s.jobs))
        expect(listRequests(s).length).toBe(22)
      })))

  it.live("jobs removed while it is read: no error, no repeat, exactly the jobs still there when their page was read", () =>
    withClient({ jobs: 200, mutations: [{ afterListRequests: 3, remove: 30 }] }, { pageSize: 10 }, (c, s) =>
      Effect.gen(function*() {
        const { error, seen } = yield* drain(c.jobs())
        expect(error).toBeUndefined()
        expect(seen).toEqual(ids(s.jobs))
        expect(s.jobs.length).toBe(170)
      })))

  it.live("a token that always leads back to the first page: repeated-page after 2 requests", () =>
    withClient({ jobs: 60, tokenMode: "stuck" }, { pageSize: 5 }, (c, s) =>
      Effect.gen(function*() {
        const { error, seen } = yield* drain(c.jobs())
        expect(seen).toEqual(ids(s.jobs.slice(0, 5)))
        expect(error).toBeInstanceOf(ApiError.PaginationError)
        expect(error).toMatchObject({ reason: "repeated-page", requests: 2, provider: "greenarrow", operation: "listJobs" })
        expect(listRequests(s).length).toBe(2)
      })))

  it.live("a token already followed (the listing loops back): repeated-cursor after 3 requests", () =>
    withClient({ jobs: 60, tokenMode: "cycle" }, { pageSize: 5 }, (c, s) =>
      Effect.gen(function*() {
        const { error, seen } = yield* drain(c.jobs())
        // The third page is new and emitted; the token it names led to the second page.
        expect(seen).toEqual(ids(s.jobs.slice(0, 15)))
        const second = listRequests(s)[1]!.query.get("page_token")
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-cursor", requests: 3, cursor: second })
        expect(error?.message).toContain(`page_token=${second}`)
        expect(listRequests(s).length).toBe(3)
      })))

  it.live("fresh tokens for the same page again: repeated-page after 3 requests", () =>
    withClient({ jobs: 60, tokenMode: "repeat" }, { pageSize: 5 }, (c, s) =>
      Effect.gen(function*() {
        const { error, seen } = yield* drain(c.jobs())
        expect(seen).toEqual(ids(s.jobs.slice(0, 10)))
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-page", requests: 3 })
        expect(listRequests(s).length).toBe(3)
      })))

  it.live("a token that never ends: the first empty page naming another token is no-progress", () =>
    withClient({ jobs: 23, tokenMode: "endless" }, { pageSize: 5 }, (c, s) =>
      Effect.gen(function*() {
        const { error, seen } = yield* drain(c.jobs())
        expect(seen).toEqual(ids(s.jobs))
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "no-progress", requests: 6 })
        expect(listRequests(s).length).toBe(6)
      })))

  it.live("the client's maxPages: past it, max-pages; a query's maxPages wins; a bad one is a ConfigError", () =>
    withClient({ jobs: 60 }, { pageSize: 5, maxPages: 3 }, (c, s) =>
      Effect.gen(function*() {
        const capped = yield* drain(c.jobs())
        expect(capped.seen).toEqual(ids(s.jobs.slice(0, 15)))
        expect(capped.error).toMatchObject({ _tag: "PaginationError", reason: "max-pages", requests: 3 })
        expect((yield* drain(c.jobs({ maxPages: 12 }))).error).toBeUndefined()
        // base64 of "1:y": a well-formed encoded key, so only maxPages is wrong.
        const bad = yield* Effect.flip(
          GreenArrowClient.make({ baseUrl: s.url, auth: { _tag: "Encoded", encoded: Redacted.make("MTp5") }, maxPages: 0 })
            .pipe(Effect.provide(FetchHttpClient.layer))
        )
        expect(String(bad)).toContain("maxPages")
        expect(String(bad)).toContain("0 is below the minimum 1")
        expect(listRequests(s).length).toBe(3 + 12)
      })))
})

for (const concurrency of [1, 8]) {
  describe(`GreenArrow pagination, pages mode, concurrency ${concurrency}`, () => {
    const pages = { pagination: "pages", concurrency } as const

    it.live("a listing of 1,001 jobs growing by 60 while it is read yields all 1,061", () =>
      withClient({ jobs: 1001, mutations: growth }, { ...pages, pageSize: 50 }, (c, s) =>
        Effect.gen(function*() {
          const { error, seen } = yield* drain(c.jobs())
          expect(error).toBeUndefined()
          expect(seen).toEqual(ids(s.jobs))
          expect(s.jobs.length).toBe(1061)
          expect(pagesAsked(s)).toEqual(Array.from({ length: 22 }, (_, i) => i))
        })))

    it.live("newest jobs removed while it is read: no error, every remaining job once", () =>
      withClient({ jobs: 200, mutations: [{ afterListRequests: 3, remove: 50 }] }, { ...pages, pageSize: 10 }, (c, s) =>
        Effect.gen(function*() {
          const { error, seen } = yield* drain(c.jobs())
          expect(error).toBeUndefined()
          expect(seen).toEqual(ids(s.jobs))
          // 15 full pages left; page 15 (empty) confirms the end.
          expect(pagesAsked(s)).toEqual(Array.from({ length: 16 }, (_, i) => i))
        })))

    it.live("a server ignoring `page`: repeated-page at page 1, within 1 + concurrency requests", () =>
      withClient({ jobs: 500, pageFault: "ignore-page" }, { ...pages, pageSize: 20 }, (c, s) =>
        Effect.gen(function*() {
          const { error, seen } = yield* drain(c.jobs())
          expect(seen).toEqual(ids(s.jobs.slice(0, 20)))
          expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-page", page: 1 })
          expect(error?.message).toContain("ignore the page parameter")
          expect(listRequests(s).length).toBeGreaterThanOrEqual(2)
          expect(listRequests(s).length).toBeLessThanOrEqual(1 + concurrency)
        })))

    it.live("a page repeating the page before: repeated-page at page 3, nothing emitted twice", () =>
      withClient({ jobs: 500, pageFault: { stuckAt: 2 } }, { ...pages, pageSize: 10 }, (c, s) =>
        Effect.gen(function*() {
          const { error, seen } = yield* drain(c.jobs())
          expect(seen).toEqual(ids(s.jobs.slice(0, 30)))
          expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-page", page: 3 })
          expect(listRequests(s).length).toBeLessThanOrEqual(3 + concurrency)
        })))
  })
}
