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
    const numbered = (perPage: number, concurrency: number, maxPages?: number) =>
      Paginate.numbered({
        pageSize: perPage,
        concurrency,
        ...(maxPages === undefined ? {} : { maxPages }),
        fetch: (page) =>
          transport.execute({
            operation: "listJobs",
            request: HttpClientRequest.get(`/jobs?page=${page}&per_page=${perPage}`),
            decode: HttpTransport.decodeJson(NumberedPage)
          })
      })
    const cursor = (limit: number, readAhead?: number) =>
      Paginate.cursor({
        ...(readAhead === undefined ? {} : { readAhead }),
        fetch: (at: string | undefined) =>
          transport.execute({
            operation: "listJobs",
            request: HttpClientRequest.get(`/jobs/cursor?limit=${limit}${at === undefined ? "" : `&cursor=${at}`}`),
            decode: HttpTransport.decodeJson(CursorPage)
          })
      })
    return { server, numbered, cursor }
  })

const ids = <E>(stream: Stream.Stream<{ readonly id: string }, E>) =>
  Effect.map(Stream.runCollect(stream), (c) => Chunk.toReadonlyArray(c).map((j) => j.id))

describe("Paginate", () => {
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

  it.scopedLive("numbered: maxPages bounds the walk", () =>
    Effect.gen(function*() {
      const { numbered, server } = yield* setup({ jobs: 100 })
      const got = yield* ids(numbered(10, 4, 3))
      expect(got).toEqual(server.jobs.slice(0, 30).map((j) => j.id))
      expect(server.requestCount).toBe(3)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("numbered: taking the first N sends a bounded number of requests", () =>
    Effect.gen(function*() {
      const { numbered, server } = yield* setup({ jobs: 1000 })
      const got = yield* ids(Stream.take(numbered(10, 4), 25))
      expect(got).toHaveLength(25)
      // ⌈25/10⌉ pages needed + at most `concurrency` in flight
      expect(server.requestCount).toBeLessThanOrEqual(3 + 4)
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

  it.effect("cursor: stops on a repeated cursor and on an empty page", () =>
    Effect.gen(function*() {
      const calls = yield* Ref.make<Array<string | undefined>>([])
      const repeating = Paginate.cursor({
        fetch: (at: string | undefined) =>
          Ref.update(calls, (xs) => [...xs, at]).pipe(
            Effect.as({ items: [at ?? "start"], next: at === undefined ? "a" : at === "a" ? "b" : "a" })
          )
      })
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(repeating))).toEqual(["start", "a", "b"])
      expect(yield* Ref.get(calls)).toEqual([undefined, "a", "b"])

      let emptyCalls = 0
      const empty = Paginate.cursor({
        fetch: (at: number | undefined) =>
          Effect.sync(() => {
            emptyCalls++
            return { items: at === 2 ? [] : [at ?? 0], next: (at ?? 0) + 1 }
          })
      })
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(empty))).toEqual([0, 1])
      expect(emptyCalls).toBe(3)

      const capped = Paginate.cursor({
        maxPages: 4,
        fetch: (at: number | undefined) => Effect.succeed({ items: [at ?? 0], next: (at ?? 0) + 1 })
      })
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(capped))).toEqual([0, 1, 2, 3])
    }))

  it.effect("cursor: reads one page ahead of a slow consumer", () =>
    Effect.gen(function*() {
      const fetched = yield* Ref.make(0)
      const stream = Paginate.cursor({
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

  it.scopedLive("an interrupted stream sends no more requests", () =>
    Effect.gen(function*() {
      const { cursor, numbered, server } = yield* setup({ jobs: 5000, latency: { millis: 5 } })
      for (const stream of [cursor(10), numbered(10, 4)]) {
        const before = server.requestCount
        const fiber = yield* Effect.fork(Stream.runDrain(stream))
        yield* eventually(Effect.sync(() => server.requestCount >= before + 3), "a few requests")
        yield* Fiber.interrupt(fiber)
        const atInterrupt = server.requestCount
        // Requests already on the wire may still arrive (at most the four in
        // flight); after that the count must stay put.
        for (let i = 0; i < 30; i++) yield* tick
        const settled = server.requestCount
        expect(settled - atInterrupt).toBeLessThanOrEqual(4)
        for (let i = 0; i < 30; i++) yield* tick
        expect(server.requestCount).toBe(settled)
        expect(settled - before).toBeLessThan(100)
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("dedupeRecent drops a repeated key within the window only", () =>
    Effect.gen(function*() {
      const out = yield* Stream.runCollect(
        Paginate.dedupeRecent(Stream.make("a", "b", "a", "c", "d", "e", "a"), (s) => s, 3)
      )
      expect(Chunk.toReadonlyArray(out)).toEqual(["a", "b", "c", "d", "e", "a"])
    }))
})

describe("Paginate.numbered edge cases", () => {
  const pagesOf = (all: ReadonlyArray<number>, size: number, base: number, log: Array<number>) => (page: number) =>
    Effect.sync(() => {
      log.push(page)
      const start = (page - base) * size
      return { items: all.slice(start, start + size), total: all.length }
    })

  it.effect("a walk starting at a later page fetches only the pages left", () =>
    Effect.gen(function*() {
      const all = Array.from({ length: 95 }, (_, i) => i)
      const log: Array<number> = []
      const out = yield* Stream.runCollect(Paginate.numbered({ pageSize: 10, firstPage: 3, fetch: pagesOf(all, 10, 1, log) }))
      expect(Chunk.toReadonlyArray(out)).toEqual(all.slice(20))
      expect(log.sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8, 9, 10])
    }))

  it.effect("0-based pages and a server-given page count", () =>
    Effect.gen(function*() {
      const all = Array.from({ length: 30 }, (_, i) => i)
      const log: Array<number> = []
      const fetch = (page: number) =>
        Effect.map(pagesOf(all, 10, 0, log)(page), (p) => ({ ...p, total: 0, pages: 3 }))
      const out = yield* Stream.runCollect(Paginate.numbered({ pageSize: 10, firstPage: 0, fetch }))
      expect(Chunk.toReadonlyArray(out)).toEqual(all)
      expect(log.sort((a, b) => a - b)).toEqual([0, 1, 2])
    }))

  it.effect("the first empty page ends the walk (the collection shrank)", () =>
    Effect.gen(function*() {
      const log: Array<number> = []
      // claims 100 items, but only has 25
      const fetch = (page: number) =>
        Effect.sync(() => {
          log.push(page)
          const start = (page - 1) * 10
          return { items: Array.from({ length: Math.max(0, Math.min(10, 25 - start)) }, (_, i) => start + i), total: 100 }
        })
      const out = yield* Stream.runCollect(Paginate.numbered({ pageSize: 10, concurrency: 1, fetch }))
      expect(Chunk.toReadonlyArray(out)).toHaveLength(25)
      expect(Math.max(...log)).toBeLessThanOrEqual(5)
    }))
})
