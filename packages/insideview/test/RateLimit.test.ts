import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import { clientFor, eventually, listRequests, nextSleepIn } from "./utils.js"

const live = FetchHttpClient.layer
// Per-attempt timeouts sleep on the TestClock too; keep them beyond the waits we look for.
const timeout = "24 hours"

describe("429: the account is locked for a window", () => {
  it.scoped("by default a 429 without Retry-After fails fast with RateLimited", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30, throttle: { limit: 2 } })
      const client = yield* clientFor(sim, { timeout })
      yield* client.listJobs()
      yield* client.listJobs()
      const error = yield* Effect.flip(client.listJobs())
      expect(error).toMatchObject({ _tag: "RateLimited", status: 429, providerMessage: "Request is throttled." })
      if (error._tag === "RateLimited") expect(error.retryAfterMillis).toBeUndefined()
      expect(listRequests(sim).length).toBe(3)
      // Still locked: the stream fails on its first page, without retrying.
      const again = yield* Effect.flip(client.listJobs())
      expect(again._tag).toBe("RateLimited")
      expect(listRequests(sim).length).toBe(4)
    }).pipe(Effect.provide(live)))

  it.scoped("a Retry-After within the cap is waited for, then the call succeeds", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 30,
        throttle: { limit: 1, windowMillis: 40_000, sendRetryAfter: true }
      })
      const client = yield* clientFor(sim, { timeout })
      yield* client.listJobs()
      const fiber = yield* Effect.fork(client.listJobs())
      const wait = yield* nextSleepIn
      expect(wait).toBeGreaterThanOrEqual(39_000)
      expect(wait).toBeLessThanOrEqual(40_000 * 1.2)
      sim.resetThrottle()
      yield* TestClock.adjust(wait)
      const page = yield* Fiber.join(fiber)
      expect(page.bulkJobs.length).toBe(10)
      expect(listRequests(sim).map((r) => r.status)).toEqual([200, 429, 200])
    }).pipe(Effect.provide(live)))

  it.scoped("a Retry-After beyond the cap (5 minutes > 60 s) surfaces at once; raising the cap waits it out", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 30,
        throttle: { limit: 1, sendRetryAfter: true }
      })
      const client = yield* clientFor(sim, { timeout })
      yield* client.listJobs()
      const error = yield* Effect.flip(client.listJobs())
      expect(error._tag).toBe("RateLimited")
      if (error._tag === "RateLimited") expect(error.retryAfterMillis).toBeGreaterThan(290_000)
      expect(listRequests(sim).length).toBe(2)

      const patient = yield* clientFor(sim, { timeout, maxRetryAfter: "10 minutes" })
      const fiber = yield* Effect.fork(patient.listJobs())
      const wait = yield* nextSleepIn
      expect(wait).toBeGreaterThan(290_000)
      sim.resetThrottle()
      yield* TestClock.adjust(wait)
      expect((yield* Fiber.join(fiber)).bulkJobs.length).toBe(10)
    }).pipe(Effect.provide(live)))

  it.scoped("rateLimitWait: a Duration waits that long after a 429 without Retry-After", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30, throttle: { limit: 1 } })
      const client = yield* clientFor(sim, { timeout, rateLimitWait: "5 minutes" })
      yield* client.listJobs()
      const fiber = yield* Effect.fork(client.listJobs())
      const wait = yield* nextSleepIn
      expect(wait).toBeGreaterThanOrEqual(300_000)
      yield* eventually(() => listRequests(sim).length === 2, "the throttled request")
      sim.resetThrottle()
      yield* TestClock.adjust(wait)
      expect((yield* Fiber.join(fiber)).bulkJobs.length).toBe(10)
      expect(listRequests(sim).map((r) => r.status)).toEqual([200, 429, 200])
    }).pipe(Effect.provide(live)))
})
