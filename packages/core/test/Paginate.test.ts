import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { HttpTransport, Paginate } from "@jobstream/core"
import { GenericSimulator } from "@jobstream/testkit"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { eventually, tick } from "./utils.js"

const Job = Schema.Struct({ id: Schema.String })
const NumberedPage = Schema.Struct({ items: Schema.Array(Job), total: Schema.Number })
const CursorPage = Schema.Struct({ items: Schema.Array(Job), next: Schema.NullOr(Schema.String) })

const setup = (sim: GenericSimulator.GenericOptions) =>
  Effect.gen(function*() {
    const server = yield* GenericSimulator.makeGeneric(sim)
    const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: server.url })
    const pageRequest = (page: number, perPage: number) => HttpClientRequest.get(`/jobs?page=${page}&per_page=${perPage}`)
    const cursorRequest = (limit: number, at: string | undefined) =>
      HttpClientRequest.get(`/jobs/cursor?limit=${limit}${at === undefined ? "" : `&cursor=${at}`}`)
    const numbered = (perPage: number, concurrency: number, maxPages?: number) =>
      Paginate.numbered({
        pageSize: perPage,
        concurrency,
        ...(maxPages === undefined ? {} : { maxPages }),
        key: (job: { readonly id: string }) => job.id,
        where: (page) => transport.where("listJobs", pageRequest(page, perPage)),
        fetch: (page) =>
          transport.execute({
            operation: "listJobs",
            request: pageRequest(page, perPage),
            decode: HttpTransport.decodeJson(NumberedPage)
          })
      })
    const cursor = (limit: number, readAhead?: number) =>
      Paginate.cursor({
        ...(readAhead === undefined ? {} : { readAhead }),
        key: (job: { readonly id: string }) => job.id,
        where: (at: string | undefined) => transport.where("listJobs", cursorRequest(limit, at)),
        fetch: (at: string | undefined) =>
          transport.execute({
            operation: "listJobs",
            request: cursorRequest(limit, at),
            decode: HttpTransport.decodeJson(CursorPage)
          })
      })
    return { server, numbered, cursor }
  })

const where = () => ({ provider: "test", operation: "list", method: "GET", url: "http://test/list" })
const idsOf = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `j${from + i}`)

const ids = <E>(stream: Stream.Stream<{ readonly id: string }, E>) =>
  Effect.map(Stream.runCollect(stream), (c) => Chunk.toReadonlyArray(c).map((j) => j.id))

/** Waits until the request count has not moved for 30 polls and returns it. */
const settled = (count: () => number) =>
  Effect.gen(function*() {
    let last = count()
    for (let stable = 0; stable < 30;) {
      yield* tick
      const now = count()
      stable = now === last ? stable + 1 : 0
      last = now
    }
    return last
  })

describe("Paginate over HTTP (generic simulator)", () => {
  it.scopedLive("numbered: concurrent fetches keep page order, even when pages complete out of order", () =>
    Effect.gen(function*() {
      const { numbered, server } = yield* setup({ jobs: 237, latency: { millis: 1, jitterMillis: 15 } })
      const got = yield* ids(numbered(10, 8))
      expect(got).toEqual(server.jobs.map((j) => j.id))
      expect(server.requestCount).toBe(24)
      // with jitter, some later page really did finish before an earlier one
      const pages = server.requests.map((r) => Number(r.query.get("page")))
      expect(new Set(pages).size).toBe(24)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("numbered: reaching maxPages while the listing goes on is a max-pages PaginationError", () =>
    Effect.gen(function*() {
      const { numbered, server } = yield* setup({ jobs: 100 })
      const seen: Array<string> = []
      const error = yield* Effect.flip(Stream.runForEach(numbered(10, 4, 3), (job) => Effect.sync(() => seen.push(job.id))))
      expect(seen).toEqual(server.jobs.slice(0, 30).map((j) => j.id))
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "max-pages", page: 4, requests: 3, provider: "generic" })
      expect(error).toMatchObject({ url: expect.stringContaining("page=4&per_page=10") })
      expect(server.requestCount).toBe(3)
      // A limit the listing fits in is no error.
      expect(yield* ids(numbered(10, 4, 10))).toHaveLength(100)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("numbered: take(n) sends at most ⌈n/p⌉ + concurrency − 1 requests", () =>
    Effect.gen(function*() {
      const { numbered, server } = yield* setup({ jobs: 1000, latency: { millis: 2 } })
      for (const [n, concurrency] of [[25, 4], [25, 1], [5, 8], [61, 8]] as const) {
        const before = server.requestCount
        const got = yield* ids(Stream.take(numbered(10, concurrency), n))
        expect(got).toEqual(server.jobs.slice(0, n).map((j) => j.id))
        const sent = (yield* settled(() => server.requestCount)) - before
        expect(sent).toBeGreaterThanOrEqual(Math.ceil(n / 10))
        expect(sent).toBeLessThanOrEqual(Math.ceil(n / 10) + concurrency - 1)
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("numbered: an empty first page is an empty stream, one request", () =>
    Effect.gen(function*() {
      const { numbered, server } = yield* setup({ jobs: 0 })
      expect(yield* ids(numbered(10, 4))).toEqual([])
      expect(server.requestCount).toBe(1)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("cursor: follows the cursor over every job exactly once", () =>
    Effect.gen(function*() {
      const { cursor, server } = yield* setup({ jobs: 95 })
      const got = yield* ids(cursor(10))
      expect(got).toEqual(server.jobs.map((j) => j.id))
      expect(server.requestCount).toBe(10)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("interrupting the consumer aborts the pages in flight; no request reaches the server afterwards", () =>
    Effect.gen(function*() {
      const { cursor, numbered, server } = yield* setup({ jobs: 5000, latency: { millis: 20 } })
      for (const [stream, inFlight] of [[cursor(10), 2], [numbered(10, 8), 8], [numbered(10, 1), 1]] as const) {
        const before = server.requestCount
        const fiber = yield* Effect.fork(Stream.runDrain(stream))
        yield* eventually(Effect.sync(() => server.requestCount >= before + 3), "a few requests")
        yield* Fiber.interrupt(fiber)
        const atInterrupt = server.requestCount
        // The server logs a request when it arrives; the aborted ones may
        // still be arriving, never more than were in flight.
        const settledCount = yield* settled(() => server.requestCount)
        expect(settledCount - atInterrupt).toBeLessThanOrEqual(inFlight)
        for (let i = 0; i < 60; i++) yield* tick
        expect(server.requestCount).toBe(settledCount)
        expect(settledCount - before).toBeLessThan(100)
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})

describe("Paginate.cursor", () => {
  it.effect("reads one page ahead of a slow consumer", () =>
    Effect.gen(function*() {
      const fetched = yield* Ref.make(0)
      const stream = Paginate.cursor({
        key: String,
        where,
        fetch: (at: number | undefined) =>
          Ref.update(fetched, (n) => n + 1).pipe(Effect.as({ items: [at ?? 0], next: (at ?? 0) + 1 }))
      })
      const pulled = yield* Ref.make(0)
      const gate = yield* Effect.makeSemaphore(0)
      const fiber = yield* Stream.runForEach(stream, () =>
        Ref.update(pulled, (n) => n + 1).pipe(Effect.zipRight(gate.take(1)))).pipe(Effect.fork)
      yield* Effect.repeat(Effect.yieldNow(), { times: 50 })
      // the consumer is blocked on the first item; the producer has fetched
      // that page, one page into the buffer and at most one more in hand
      expect(yield* Ref.get(pulled)).toBe(1)
      const ahead = yield* Ref.get(fetched)
      expect(ahead).toBeGreaterThanOrEqual(2)
      expect(ahead).toBeLessThanOrEqual(3)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("dedupeRecent drops a repeated key within the window only", () =>
    Effect.gen(function*() {
      const out = yield* Stream.runCollect(
        Paginate.dedupeRecent(Stream.make("a", "b", "a", "c", "d", "e", "a"), (s) => s, 3)
      )
      expect(Chunk.toReadonlyArray(out)).toEqual(["a", "b", "c", "d", "e", "a"])
    }))
})

describe("Paginate: ending the stream interrupts the page requests in flight", () => {
  /** Pages 1..`answered` answer at once; later pages never do, and count their interruptions. */
  const slowAfter = (answered: number) => {
    const state = { started: 0, interrupted: 0 }
    const fetch = (page: number) =>
      page <= answered
        ? Effect.succeed({ items: idsOf((page - 1) * 10, page * 10), total: 1000 })
        : Effect.sync(() => state.started++).pipe(
          Effect.zipRight(Effect.never),
          Effect.onInterrupt(() => Effect.sync(() => state.interrupted++))
        )
    return { state, fetch }
  }

  it.effect("numbered: take(n) at concurrency 4 leaves no page request running", () =>
    Effect.gen(function*() {
      const { fetch, state } = slowAfter(2)
      const stream = Paginate.numbered({ fetch, key: (id: string) => id, where, pageSize: 10, concurrency: 4 })
      const out = yield* Stream.runCollect(Stream.take(stream, 15))
      expect(Chunk.toReadonlyArray(out)).toEqual(idsOf(0, 15))
      // Pages 3 … 5 were in flight (2 + 4 − 1 = 5 started in all); each was interrupted before the stream returned.
      expect(state.started).toBe(3)
      expect(state.interrupted).toBe(3)
    }))

  it.effect("cursor: the page read ahead is interrupted when the consumer stops", () =>
    Effect.gen(function*() {
      const state = { started: 0, interrupted: 0 }
      const fetch = (at: number | undefined) =>
        (at ?? 0) < 2
          ? Effect.succeed({ items: idsOf((at ?? 0) * 10, (at ?? 0) * 10 + 10), next: (at ?? 0) + 1 })
          : Effect.sync(() => state.started++).pipe(
            Effect.zipRight(Effect.never),
            Effect.onInterrupt(() => Effect.sync(() => state.interrupted++))
          )
      const stream = Paginate.cursor({ fetch, key: (id: string) => id, where })
      const out = yield* Stream.runCollect(Stream.take(stream, 20))
      expect(Chunk.toReadonlyArray(out)).toEqual(idsOf(0, 20))
      expect(state).toEqual({ started: 1, interrupted: 1 })
    }))
})
