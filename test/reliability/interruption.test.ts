/**
 * Interruption and resources, for every registered provider: bounded
 * requests for `Stream.take`, aborting a request in flight, interrupting a
 * backoff, closing the session (where there is one) on every exit, and a
 * process that ends on its own.
 */
import { describe, expect, it, layer } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import { Faults, Harness } from "@jobstream/testkit"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { collect, entries, eventually, guard, ids, listCount, live, makeProxy, onList, realSleep } from "./support.js"

/**
 * The bounds stated in core's Paginate docs, for `Stream.take(n)` over pages of `p`:
 * cursor pagination sends at most ⌈n/p⌉ + 1 + readAhead requests (readAhead = 1);
 * numbered pagination at most ⌈n/p⌉ + concurrency − 1.
 */
const bound = (entry: Harness.Entry, n: number, p: number, concurrency: number) =>
  entry.pagination === "numbered" ? Math.ceil(n / p) + concurrency - 1 : Math.ceil(n / p) + 1 + 1

const takeCases = [
  { n: 120, p: 50, concurrency: 4 },
  { n: 25, p: 10, concurrency: 4 },
  { n: 10, p: 10, concurrency: 4 },
  { n: 7, p: 10, concurrency: 2 },
  { n: 1, p: 20, concurrency: 4 }
] as const

const sessions = entries.filter((e) => e.sessions)

layer(live, { excludeTestServices: true })("interruption", (it) => {
  for (const entry of entries) {
    const name = entry.provider.name
    // One simulator per provider, shared by its take cases (each clears the log first).
    it.layer(Harness.layer(entry, { jobs: 1_000 }))(`${name}: Stream.take`, (it) => {
      for (const c of takeCases) {
        const limit = bound(entry, c.n, c.p, c.concurrency)
        it.effect(`take(${c.n}) with pages of ${c.p} sends ⌈n/p⌉..${limit} list requests`, () =>
          Effect.gen(function*() {
            const running = yield* Harness.Simulator
            running.server.clearLog()
            const knobs = { pageSize: c.p, concurrency: c.concurrency }
            const taken = yield* collect(Stream.take(ids(running, knobs), c.n))
            expect(taken).toEqual(running.expectedIds().slice(0, c.n))
            // Let anything still on the wire arrive before counting.
            yield* realSleep(50)
            const sent = listCount(running)
            expect(sent).toBeGreaterThanOrEqual(Math.ceil(c.n / c.p))
            expect(sent).toBeLessThanOrEqual(limit)
            // The whole listing would have been far more.
            expect(sent).toBeLessThan(Math.ceil(1_000 / c.p))
          }))
      }
    })

    it.scoped(`${name}: interrupting during a request aborts it — the connection is closed and the fiber returns`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 100 })
        const proxy = yield* makeProxy(running.server)
        running.server.setFaults(onList(entry, [{ fault: Faults.hang }]))
        const fiber = yield* Effect.fork(collect(ids(running, { baseUrl: proxy.url })))
        yield* eventually(() => running.server.requests.some((r) => entry.isList(r) && r.fault === "Hang"), "the hanging request")
        const closedBefore = proxy.closed
        expect(proxy.open).toBeGreaterThanOrEqual(1)
        const exit = yield* guard(Fiber.interrupt(fiber), 5_000, "interrupting a fiber blocked on a request")
        expect(Exit.isInterrupted(exit)).toBe(true)
        // The server side sees the socket of the hanging request go away.
        yield* eventually(() => proxy.closed > closedBefore, "the hanging connection to close")
        expect(listCount(running)).toBe(1)
      }))
  }

  for (const entry of sessions) {
    const name = entry.provider.name
    const check = (running: Harness.Running) => {
      const { closed, opened } = running.sessions!()
      expect(opened.length).toBe(1)
      expect(closed).toEqual(opened)
    }

    it.scoped(`${name}: the session is closed on success (the stream completes, the scope closes)`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 35 })
        const got = yield* Effect.scoped(Effect.flatMap(running.client(), (c) => collect(c.jobs)))
        expect(got.length).toBe(35)
        check(running)
      }))

    it.scoped(`${name}: the session is closed on failure (a typed error)`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 35 })
        running.server.setFaults(onList(entry, [{ fault: Faults.status(500) }]))
        const exit = yield* Effect.exit(Effect.scoped(Effect.flatMap(running.client(), (c) => collect(c.jobs))))
        expect(Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error._tag : "none").toBe("ServerError")
        check(running)
      }))

    it.scoped(`${name}: the session is closed on interruption mid-request`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 35 })
        running.server.setFaults(onList(entry, [{ fault: Faults.hang }]))
        const fiber = yield* Effect.fork(Effect.scoped(Effect.flatMap(running.client(), (c) => collect(c.jobs))))
        yield* eventually(() => listCount(running) === 1, "the hanging list request")
        const exit = yield* guard(Fiber.interrupt(fiber), 5_000, "interrupting the stream")
        expect(Exit.isInterrupted(exit)).toBe(true)
        check(running)
      }))

    it.scoped(`${name}: the session is closed when Stream.take ends the stream early`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 80 })
        const taken = yield* collect(Stream.take(ids(running), 3))
        expect(taken.length).toBe(3)
        check(running)
      }))
  }
})

// The test services stay: these tests drive the TestClock.
layer(live)("interrupting during a backoff returns promptly (TestClock)", (it) => {
  for (const entry of entries) {
    const name = entry.provider.name
    it.scoped(`${name}: interrupted while waiting 10 s between attempts; no request after the clock moves on`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 100 })
        running.server.setFaults(onList(entry, [{ fault: Faults.status(503) }]))
        const policy = RetryPolicy.make({ base: "10 seconds", jitter: false, maxRetries: 5 })
        const fiber = yield* Effect.fork(collect(ids(running, { retryPolicy: policy, timeout: "45 seconds" })))
        // Wait (in real time) until the first attempt was answered and the 10 s backoff sleep is registered.
        yield* guard(
          Effect.gen(function*() {
            for (;;) {
              const now = yield* TestClock.currentTimeMillis
              const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps())
              if (listCount(running) === 1 && sleeps.includes(now + 10_000)) return
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
        expect(listCount(running)).toBe(1)
      }))
  }
})

describe("a program ends on its own (no open handles)", () => {
  it("some registered provider opens a session (so the session tests above are not empty)", () => {
    expect(sessions.length).toBeGreaterThan(0)
  })

  it.live("a child process streaming every provider exits with code 0 without process.exit", () =>
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
      const summary = JSON.parse(result.stdout.trim()) as {
        readonly counts: Record<string, number>
        readonly expected: Record<string, number>
        readonly taken: number
        readonly hungTimedOut: ReadonlyArray<string>
        readonly failed: string
        readonly sessionsClosed: boolean
      }
      const names = entries.map((e) => e.provider.name)
      expect(Object.keys(summary.counts)).toEqual(names)
      expect(summary.counts).toEqual(summary.expected)
      for (const name of names) expect(summary.expected[name]).toBeGreaterThan(0)
      expect(summary).toMatchObject({ taken: 7, hungTimedOut: names, failed: "ServerError", sessionsClosed: true })
    }), 30_000)
})
