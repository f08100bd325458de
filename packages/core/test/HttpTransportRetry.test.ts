/** HttpTransport's retries, on the TestClock. */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import { Faults } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { eventually, nextSleep, now } from "./utils.js"
import { exact, get, listJobs, setup } from "./transportHelpers.js"

describe("HttpTransport", () => {
  describe("retries (TestClock)", () => {
    it.scoped("follows the policy exactly: 100, 200, 400 ms, then the error", () =>
      Effect.gen(function*() {
        const { server, transport } = yield* setup({ retryPolicy: exact }, {
          faults: [{ fault: Faults.status(503) }]
        })
        const fiber = yield* Effect.fork(get(transport, "/jobs"))
        const waits: Array<number> = []
        for (const expected of [100, 200, 400]) {
          const wakeAt = yield* nextSleep
          waits.push(wakeAt - (yield* now))
          expect(wakeAt - (yield* now)).toBe(expected)
          yield* TestClock.adjust(expected)
        }
        const exit = yield* Fiber.await(fiber)
        expect(Exit.isFailure(exit)).toBe(true)
        expect(waits).toEqual([100, 200, 400])
        expect(server.requestCount).toBe(4)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("recovers when a retry succeeds and stops retrying", () =>
      Effect.gen(function*() {
        const { server, transport } = yield* setup({ retryPolicy: exact }, {
          faults: [Faults.onRequests([1, 2], Faults.status(500))]
        })
        const fiber = yield* Effect.fork(get(transport, "/jobs"))
        yield* nextSleep
        yield* TestClock.adjust(100)
        yield* nextSleep
        yield* TestClock.adjust(200)
        const page = yield* Fiber.join(fiber)
        expect(page.total).toBe(20)
        expect(server.requestCount).toBe(3)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("honours Retry-After in seconds, over a shorter backoff", () =>
      Effect.gen(function*() {
        const { server, transport } = yield* setup({ retryPolicy: exact }, {
          faults: [Faults.onRequests([1], Faults.rateLimited(2))]
        })
        const fiber = yield* Effect.fork(get(transport, "/jobs"))
        const wakeAt = yield* nextSleep
        expect(wakeAt - (yield* now)).toBe(2000)
        yield* TestClock.adjust(2000)
        const page = yield* Fiber.join(fiber)
        expect(page.total).toBe(20)
        expect(server.requestCount).toBe(2)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("honours Retry-After as an HTTP date", () =>
      Effect.gen(function*() {
        // The TestClock starts at the epoch, so this date is 5 s from "now".
        const { transport } = yield* setup({ retryPolicy: exact }, {
          faults: [Faults.onRequests([1], Faults.rateLimited("Thu, 01 Jan 1970 00:00:05 GMT"))]
        })
        const fiber = yield* Effect.fork(get(transport, "/jobs"))
        const wakeAt = yield* nextSleep
        expect(wakeAt - (yield* now)).toBe(5000)
        yield* TestClock.adjust(5000)
        expect((yield* Fiber.join(fiber)).total).toBe(20)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("a Retry-After beyond the cap is not waited for: RateLimited surfaces at once", () =>
      Effect.gen(function*() {
        const { server, transport } = yield* setup(
          { retryPolicy: RetryPolicy.make({ jitter: false, maxRetryAfter: "60 seconds" }) },
          { faults: [Faults.onRequests([1], Faults.rateLimited(3600))] }
        )
        const error = yield* Effect.flip(get(transport, "/jobs"))
        expect(error).toMatchObject({ _tag: "RateLimited", retryAfterMillis: 3_600_000 })
        expect(server.requestCount).toBe(1)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("a 429 without Retry-After waits the documented fallback (10 s), or fails fast when told", () =>
      Effect.gen(function*() {
        const { transport } = yield* setup({ retryPolicy: exact }, {
          faults: [Faults.onRequests([1], Faults.rateLimited())]
        })
        const fiber = yield* Effect.fork(get(transport, "/jobs"))
        const wakeAt = yield* nextSleep
        expect(wakeAt - (yield* now)).toBe(10_000)
        yield* TestClock.adjust(10_000)
        expect((yield* Fiber.join(fiber)).total).toBe(20)

        const { server, transport: failFast } = yield* setup(
          { retryPolicy: RetryPolicy.make({ rateLimitFallback: "fail" }) },
          { faults: [Faults.onRequests([1], Faults.rateLimited())] }
        )
        const error = yield* Effect.flip(get(failFast, "/jobs"))
        expect(error._tag).toBe("RateLimited")
        expect(server.requestCount).toBe(1)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("backoff delays are capped at maxDelay", () =>
      Effect.gen(function*() {
        const policy = RetryPolicy.make({ base: "1 second", factor: 10, jitter: false, maxDelay: "5 seconds", maxRetries: 3 })
        const { transport } = yield* setup({ retryPolicy: policy }, { faults: [{ fault: Faults.status(500) }] })
        const fiber = yield* Effect.fork(get(transport, "/jobs"))
        const waits: Array<number> = []
        for (let i = 0; i < 3; i++) {
          const wakeAt = yield* nextSleep
          const wait = wakeAt - (yield* now)
          waits.push(wait)
          yield* TestClock.adjust(wait)
        }
        yield* Fiber.await(fiber)
        expect(waits).toEqual([1000, 5000, 5000])
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("maxElapsed is a time budget: no retry starts once it is spent", () =>
      Effect.gen(function*() {
        const policy = RetryPolicy.make({ base: "1 second", jitter: false, maxRetries: 10, maxElapsed: "3 seconds" })
        const { server, transport } = yield* setup({ retryPolicy: policy }, { faults: [{ fault: Faults.status(503) }] })
        const fiber = yield* Effect.fork(Effect.flip(get(transport, "/jobs")))
        const waits: Array<number> = []
        for (let i = 0; i < 2; i++) {
          const wakeAt = yield* nextSleep
          const wait = wakeAt - (yield* now)
          waits.push(wait)
          yield* TestClock.adjust(wait)
        }
        // 1 s + 2 s spent: the budget is used up, the next failure surfaces
        expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "ServerError", status: 503 })
        expect(waits).toEqual([1000, 2000])
        expect(server.requestCount).toBe(3)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("jittered waits stay within ±20 % of the exponential delay", () =>
      Effect.gen(function*() {
        const policy = RetryPolicy.make({ base: "1 second", maxRetries: 3 })
        const { transport } = yield* setup({ retryPolicy: policy }, { faults: [{ fault: Faults.status(503) }] })
        const fiber = yield* Effect.fork(get(transport, "/jobs"))
        for (const nominal of [1000, 2000, 4000]) {
          const wakeAt = yield* nextSleep
          const wait = wakeAt - (yield* now)
          expect(wait).toBeGreaterThanOrEqual(nominal * 0.8)
          expect(wait).toBeLessThanOrEqual(nominal * 1.2)
          yield* TestClock.adjust(wait)
        }
        yield* Fiber.await(fiber)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("POST is not retried unless the call opts in", () =>
      Effect.gen(function*() {
        const { server, transport } = yield* setup({ retryPolicy: RetryPolicy.immediate(3) }, {
          faults: [{ fault: Faults.status(503) }]
        })
        const post = (retryNonIdempotent: boolean) =>
          transport.execute({
            operation: "submit",
            request: HttpClientRequest.post("/jobs"),
            decode: listJobs,
            retryNonIdempotent
          })
        yield* Effect.flip(post(false))
        expect(server.requestCount).toBe(1)
        yield* Effect.flip(post(true))
        expect(server.requestCount).toBe(1 + 4)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("interrupting during a backoff returns promptly and sends nothing more", () =>
      Effect.gen(function*() {
        const { server, transport } = yield* setup({ retryPolicy: exact }, { faults: [{ fault: Faults.status(503) }] })
        const fiber = yield* Effect.fork(get(transport, "/jobs"))
        yield* nextSleep
        expect(server.requestCount).toBe(1)
        const exit = yield* Fiber.interrupt(fiber)
        expect(Exit.isInterrupted(exit)).toBe(true)
        yield* TestClock.adjust("1 hour")
        expect(server.requestCount).toBe(1)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scoped("a hanging attempt times out (per attempt), is retried, and the deadline bounds the whole call", () =>
      Effect.gen(function*() {
        const { server, transport } = yield* setup(
          { retryPolicy: RetryPolicy.make({ base: "100 millis", jitter: false, maxRetries: 1 }), timeout: "2 seconds" },
          { faults: [Faults.onRequests([1], Faults.hang)] }
        )
        const fiber = yield* Effect.fork(get(transport, "/jobs"))
        yield* eventually(Effect.sync(() => server.requestCount === 1), "first request")
        yield* TestClock.adjust("2 seconds")
        yield* nextSleep
        yield* TestClock.adjust(100)
        expect((yield* Fiber.join(fiber)).total).toBe(20)

        const { transport: bounded } = yield* setup(
          { retryPolicy: RetryPolicy.none, timeout: "1 second" },
          { faults: [{ fault: Faults.hang }] }
        )
        const timedOut = yield* Effect.fork(Effect.flip(get(bounded, "/jobs")))
        yield* nextSleep
        yield* TestClock.adjust("1 second")
        expect(yield* Fiber.join(timedOut)).toMatchObject({ _tag: "Timeout", scope: "attempt", timeoutMillis: 1000 })

        const { transport: deadline } = yield* setup(
          { retryPolicy: exact, timeout: "10 seconds", deadline: "150 millis" },
          { faults: [{ fault: Faults.status(500) }] }
        )
        const late = yield* Effect.fork(Effect.flip(get(deadline, "/jobs")))
        yield* nextSleep
        yield* TestClock.adjust("1 second")
        expect(yield* Fiber.join(late)).toMatchObject({ _tag: "Timeout", scope: "deadline" })
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  })
})
