/**
 * Interruption and resources: bounded requests for `Stream.take`, aborting a
 * request in flight, interrupting a backoff, the ICWS logout on every exit,
 * and a process that ends on its own.
 */
import { describe, expect, it } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import { Faults, IcwsSimulator } from "@jobstream/testkit"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import {
  collect,
  eventually,
  guard,
  harness,
  icwsClient,
  isIcwsList,
  listCount,
  live,
  makeProxy,
  onList,
  providers,
  realSleep
} from "./support.js"

/**
 * The bounds stated in core's Paginate docs, for `Stream.take(n)` over pages of `p`:
 * cursor pagination (GreenArrow page tokens, ICWS fromJobId) sends at most
 * ⌈n/p⌉ + 1 + readAhead requests (readAhead = 1); numbered pagination
 * (InsideView) at most ⌈n/p⌉ + concurrency − 1.
 */
const bound = {
  cursor: (n: number, p: number, readAhead = 1) => Math.ceil(n / p) + 1 + readAhead,
  numbered: (n: number, p: number, concurrency: number) => Math.ceil(n / p) + concurrency - 1
}

describe("Stream.take(n) sends a bounded number of requests", () => {
  const cases = [
    { name: "insideview", n: 120, p: 50, concurrency: 4, limit: bound.numbered(120, 50, 4) },
    { name: "insideview", n: 7, p: 10, concurrency: 2, limit: bound.numbered(7, 10, 2) },
    { name: "greenarrow", n: 50, p: 20, concurrency: 4, limit: bound.cursor(50, 20) },
    { name: "greenarrow", n: 1, p: 20, concurrency: 4, limit: bound.cursor(1, 20) },
    { name: "icws", n: 25, p: 10, concurrency: 4, limit: bound.cursor(25, 10) },
    { name: "icws", n: 10, p: 10, concurrency: 4, limit: bound.cursor(10, 10) }
  ] as const
  for (const c of cases) {
    it.live(`${c.name}: take(${c.n}) with pages of ${c.p} sends ⌈n/p⌉..${c.limit} list requests`, () =>
      Effect.gen(function*() {
        const h = yield* harness(c.name, { jobs: 1_000 })
        const taken = yield* collect(
          Stream.take(h.ids({ retryPolicy: RetryPolicy.none, pageSize: c.p, concurrency: c.concurrency }), c.n)
        )
        expect(taken).toEqual(h.expectedIds().slice(0, c.n))
        // Let anything still on the wire arrive before counting.
        yield* realSleep(50)
        const sent = listCount(h)
        expect(sent).toBeGreaterThanOrEqual(Math.ceil(c.n / c.p))
        expect(sent).toBeLessThanOrEqual(c.limit)
        // The whole listing would have been far more.
        expect(sent).toBeLessThan(Math.ceil(1_000 / c.p))
      }).pipe(Effect.scoped, Effect.provide(live)))
  }
})

describe("interrupting during a request aborts it", () => {
  for (const name of providers) {
    it.live(`${name}: the hanging request's connection is closed and the fiber returns`, () =>
      Effect.gen(function*() {
        const h = yield* harness(name, { jobs: 100 })
        const proxy = yield* makeProxy(h.server)
        h.server.setFaults(onList(h, [{ fault: Faults.hang }]))
        const fiber = yield* Effect.fork(collect(h.ids({ retryPolicy: RetryPolicy.none, baseUrl: proxy.url })))
        yield* eventually(() => h.server.requests.some((r) => h.isList(r) && r.fault === "Hang"), "the hanging request")
        const closedBefore = proxy.closed
        expect(proxy.open).toBeGreaterThanOrEqual(1)
        const exit = yield* guard(Fiber.interrupt(fiber), 5_000, "interrupting a fiber blocked on a request")
        expect(Exit.isInterrupted(exit)).toBe(true)
        // The server side sees the socket of the hanging request go away.
        yield* eventually(() => proxy.closed > closedBefore, "the hanging connection to close")
        expect(listCount(h)).toBe(1)
      }).pipe(Effect.scoped, Effect.provide(live)))
  }
})

describe("interrupting during a backoff returns promptly (TestClock)", () => {
  for (const name of providers) {
    it.scoped(`${name}: interrupted while waiting 10 s between attempts; no request after the clock moves on`, () =>
      Effect.gen(function*() {
        const h = yield* harness(name, { jobs: 100 })
        h.server.setFaults(onList(h, [{ fault: Faults.status(503) }]))
        const policy = RetryPolicy.make({ base: "10 seconds", jitter: false, maxRetries: 5 })
        const fiber = yield* Effect.fork(collect(h.ids({ retryPolicy: policy, timeout: "45 seconds" })))
        // Wait (in real time) until the first attempt was answered and the 10 s backoff sleep is registered.
        yield* guard(
          Effect.gen(function*() {
            for (;;) {
              const now = yield* TestClock.currentTimeMillis
              const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
              if (listCount(h) === 1 && sleeps.includes(now + 10_000)) return
              yield* realSleep(2)
            }
          }),
          5_000,
          "the backoff to start"
        )
        // Without moving the clock, the interruption completes.
        const exit = yield* guard(Fiber.interrupt(fiber), 5_000, "interrupting a fiber sleeping in a backoff")
        expect(Exit.isInterrupted(exit)).toBe(true)
        yield* TestClock.adjust("5 minutes")
        yield* realSleep(30)
        expect(listCount(h)).toBe(1)
      }).pipe(Effect.provide(live)))
  }
})

describe("the ICWS session is deleted on success, failure and interruption", () => {
  const deletes = (server: IcwsSimulator.IcwsServer) =>
    server.requests.filter((r) => r.method === "DELETE" && /^\/icws\/[^/]+\/connection$/.test(r.path))

  it.live("success: the stream completes, the scope closes, DELETE …/connection is sent", () =>
    Effect.gen(function*() {
      const server = yield* IcwsSimulator.makeIcws({ jobs: 35 })
      const ids = yield* Effect.scoped(
        Effect.flatMap(icwsClient(server, { retryPolicy: RetryPolicy.none }), (c) => collect(c.jobs()))
      )
      expect(ids.length).toBe(35)
      expect(server.createdSessions.length).toBe(1)
      const id = server.createdSessions[0]!.sessionId
      expect(server.deletedSessions).toEqual([id])
      expect(deletes(server).map((r) => r.path)).toEqual([`/icws/${id}/connection`])
      expect(server.activeSessions).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(live)))

  it.live("failure: the stream fails with a typed error, and the session is still deleted", () =>
    Effect.gen(function*() {
      const server = yield* IcwsSimulator.makeIcws({ jobs: 35, faults: [{ fault: Faults.status(500), match: isIcwsList }] })
      const exit = yield* Effect.exit(Effect.scoped(
        Effect.flatMap(icwsClient(server, { retryPolicy: RetryPolicy.none }), (c) => collect(c.jobs()))
      ))
      expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error._tag : "none").toBe("ServerError")
      expect(server.createdSessions.length).toBe(1)
      expect(server.deletedSessions).toEqual([server.createdSessions[0]!.sessionId])
      expect(deletes(server).length).toBe(1)
    }).pipe(Effect.scoped, Effect.provide(live)))

  it.live("interruption: interrupted mid-request, the logout still goes out", () =>
    Effect.gen(function*() {
      const server = yield* IcwsSimulator.makeIcws({ jobs: 35, faults: [{ fault: Faults.hang, match: isIcwsList }] })
      const fiber = yield* Effect.fork(Effect.scoped(
        Effect.flatMap(icwsClient(server, { retryPolicy: RetryPolicy.none }), (c) => collect(c.jobs()))
      ))
      yield* eventually(() => server.requests.filter(isIcwsList).length === 1, "the hanging list request")
      const exit = yield* guard(Fiber.interrupt(fiber), 5_000, "interrupting the ICWS stream")
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(server.createdSessions.length).toBe(1)
      expect(server.deletedSessions).toEqual([server.createdSessions[0]!.sessionId])
      expect(deletes(server).length).toBe(1)
    }).pipe(Effect.scoped, Effect.provide(live)))

  it.live("interruption through Stream.take: the scope of the stream closes and logs out", () =>
    Effect.gen(function*() {
      const server = yield* IcwsSimulator.makeIcws({ jobs: 80 })
      const taken = yield* collect(
        Stream.take(Stream.unwrapScoped(Effect.map(icwsClient(server, { retryPolicy: RetryPolicy.none }), (c) => c.jobs())), 3)
      )
      expect(taken.length).toBe(3)
      expect(server.deletedSessions).toEqual(server.createdSessions.map((s) => s.sessionId))
      expect(server.createdSessions.length).toBe(1)
    }).pipe(Effect.scoped, Effect.provide(live)))
})

describe("a program ends on its own (no open handles)", () => {
  it.live("a child process streaming all three providers exits with code 0 without process.exit", () =>
    Effect.gen(function*() {
      const script = fileURLToPath(new URL("./exit-child.ts", import.meta.url))
      const root = fileURLToPath(new URL("../..", import.meta.url))
      const result = yield* guard(
        Effect.async<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resume) => {
          const child = spawn(process.execPath, ["--import", "tsx", "--conditions=@jobstream/source", script], {
            cwd: root,
            stdio: ["ignore", "pipe", "pipe"]
          })
          let stdout = ""
          let stderr = ""
          child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
          child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
          child.on("exit", (code) => resume(Effect.succeed({ code, stdout, stderr })))
          return Effect.sync(() => child.kill("SIGKILL"))
        }),
        25_000,
        "the child process to exit on its own"
      )
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(JSON.parse(result.stdout.trim())).toEqual({
        insideview: 230,
        greenarrow: 150,
        icws: 45,
        taken: 7,
        hungTimedOut: true,
        failed: "ServerError",
        icwsLoggedOut: true
      })
    }), 30_000)
})
