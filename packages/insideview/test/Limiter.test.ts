/**
 * The client-side rate limiter and the metrics, wired into real requests to
 * the InsideView simulator.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Metrics, RateLimit, RetryPolicy } from "@jobstream/core"
import { InsideViewClient } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { clientFor, credentials, eventually, listRequests } from "./utils.js"

const live = FetchHttpClient.layer
const fibers = 8
const perFiber = 4

/** `fibers` fibers sending `perFiber` list requests each; the errors they got, by tag. */
const hammer = (client: InsideViewClient.Service) =>
  Effect.map(
    Effect.forEach(
      Array.from({ length: fibers * perFiber }, (_, i) => i),
      () => Effect.either(client.listJobs({ resultsPerPage: 5 })),
      { concurrency: fibers }
    ),
    (results) => results.flatMap((r) => (r._tag === "Left" ? [r.left._tag] : []))
  )

describe("rate limiter over the simulator (strict window: 10 requests a second, then a lock-out)", () => {
  const throttle = { limit: 10, windowMillis: 1000 } as const

  it.live(`${fibers} concurrent fibers never get a 429 with the limiter on`, () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 40, throttle })
      // A margin, as the InsideView defaults keep one (900 of 1,000): a request can wait between its permit and the
      // wire (a busy event loop), so permits spread over a window can reach the server closer together.
      const limiter = yield* RateLimit.make({ limit: 7, window: "1200 millis" })
      const client = yield* clientFor(sim, { rateLimit: limiter, retryPolicy: RetryPolicy.none })
      expect(yield* hammer(client)).toEqual([])
      expect(listRequests(sim).filter((r) => r.status === 429)).toHaveLength(0)
      expect(listRequests(sim)).toHaveLength(fibers * perFiber)
      const stats = yield* limiter.stats
      expect(stats.granted).toBe(fibers * perFiber)
      expect(stats.waited).toBeGreaterThan(0)
      expect(stats.pauses).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(live)))

  it.live("… and do get 429s without it", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 40, throttle })
      const client = yield* clientFor(sim, { retryPolicy: RetryPolicy.none })
      const errors = yield* hammer(client)
      expect(errors.length).toBeGreaterThan(0)
      expect(new Set(errors)).toEqual(new Set(["RateLimited"]))
    }).pipe(Effect.scoped, Effect.provide(live)))

  it.scoped("a 429 pauses every fiber of the account once, for the lock-out, then they all go on", () =>
    Effect.gen(function*() {
      // Three concurrent requests answered 429 (no Retry-After): one pause, not three.
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 40,
        faults: [{
          match: (r) => r.path === "/api/v1/admin/jobs",
          requests: [5, 6, 7],
          fault: { _tag: "Status", status: 429, body: "{\"message\":\"Request is throttled.\"}" }
        }]
      })
      const limiter = yield* RateLimit.make({ limit: 1000, window: "1 second", lockout: "5 minutes" })
      const client = yield* clientFor(sim, { rateLimit: limiter, retryPolicy: RetryPolicy.none, timeout: "24 hours" })
      const runs = yield* Effect.fork(
        Effect.forEach(Array.from({ length: 4 }, (_, i) => i), () =>
          Effect.forEach([1, 2, 3, 4], () => Effect.either(client.listJobs()), { concurrency: 1 }), { concurrency: 4 })
      )
      // Requests go out until the 429s come back; then nothing while the pause lasts.
      yield* eventually(() => listRequests(sim).filter((r) => r.status === 429).length === 3, "three 429s")
      const paused = yield* limiter.pausedUntil
      expect(paused).toBe(300_000)
      // A request that took its permit before the pause began may still arrive; none is let through afterwards.
      const settle = Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 50)))
      yield* settle
      const sent = listRequests(sim).length
      const granted = (yield* limiter.stats).granted
      yield* TestClock.adjust("299 seconds")
      yield* settle
      expect(listRequests(sim).length).toBe(sent)
      expect((yield* limiter.stats).granted).toBe(granted)
      yield* TestClock.adjust("1 second")
      const results = (yield* Fiber.join(runs)).flat()
      expect(results.filter((r) => r._tag === "Left").map((r) => r._tag === "Left" && r.left._tag)).toEqual([
        "RateLimited",
        "RateLimited",
        "RateLimited"
      ])
      expect(listRequests(sim)).toHaveLength(16)
      expect((yield* limiter.stats).pauses).toBe(1)
    }).pipe(Effect.provide(live)))

  it.scoped("a Retry-After wins over the lock-out", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 10,
        faults: [{
          match: (r) => r.path === "/api/v1/admin/jobs",
          times: 1,
          fault: { _tag: "Status", status: 429, headers: { "Retry-After": "7" } }
        }]
      })
      const limiter = yield* RateLimit.make({ limit: 100, window: "1 second", lockout: "5 minutes" })
      const client = yield* clientFor(sim, { rateLimit: limiter, retryPolicy: RetryPolicy.none, timeout: "24 hours" })
      expect((yield* Effect.flip(client.listJobs()))._tag).toBe("RateLimited")
      expect(yield* limiter.pausedUntil).toBe(7_000)
    }).pipe(Effect.provide(live)))
})

const valueOf = (metric: Metric.Metric.Counter<number>, tags: Record<string, string>) =>
  Effect.map(
    Metric.value(Metric.taggedWithLabels(metric, Object.entries(tags).map(([k, v]) => MetricLabel.make(k, v)))),
    (s) => s.count
  )

describe("metrics equal the simulator's request log", () => {
  it.live("requests by operation and status class, retries, logins, pages and jobs, limiter waits", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 23,
        faults: [{ match: (r) => r.path === "/api/v1/admin/jobs", requests: [3, 6], fault: { _tag: "Status", status: 503 } }]
      })
      const provider = "insideview"
      const classes = ["2xx", "4xx", "5xx", "error"] as const
      const read = Effect.all({
        requests: Effect.forEach(["jobs", "login", "usage"], (operation) =>
          Effect.forEach(classes, (cls) => valueOf(Metrics.requests, { provider, operation, status_class: cls }))),
        retries: valueOf(Metrics.retries, { provider, operation: "jobs" }),
        logins: valueOf(Metrics.logins, { provider }),
        pages: valueOf(Metrics.pages, { provider }),
        jobs: valueOf(Metrics.jobs, { provider }),
        waits: Effect.map(
          Effect.forEach(["jobs", "login", "usage"], (operation) => valueOf(Metrics.rateLimitWaits, { provider, operation })),
          (ns) => ns.reduce((a, b) => a + b, 0)
        )
      })
      const before = yield* read
      const limiter = yield* RateLimit.make({ limit: 3, window: "200 millis" })
      const client = yield* clientFor(sim, {
        auth: credentials,
        rateLimit: limiter,
        concurrency: 1,
        pageSize: 5,
        retryPolicy: RetryPolicy.make({ maxRetries: 3, base: "1 millis" })
      })
      const streamed = yield* Stream.runCount(client.jobs())
      yield* Effect.flip(client.usage({ period: "month", start: "2016-13", end: "2016-13" })) // refused before sending
      yield* client.usage({ period: "year", start: "2016", end: "2016" })
      const after = yield* read
      const delta = (a: number, b: number) => a - b

      const log = sim.requests
      const byPath = (path: string, cls: string) =>
        log.filter((r) => r.path.startsWith(path) && Metrics.statusClass(r.status) === cls).length
      const ops = [["jobs", "/api/v1/admin/jobs"], ["login", "/Auth/login/"], ["usage", "/api/v1/admin/usage"]] as const
      ops.forEach(([, path], i) =>
        classes.forEach((cls, j) => expect(delta(after.requests[i]![j]!, before.requests[i]![j]!), `${path} ${cls}`).toBe(byPath(path, cls)))
      )
      expect(byPath("/api/v1/admin/jobs", "5xx")).toBe(2)
      expect(delta(after.retries, before.retries)).toBe(2)
      expect(delta(after.logins, before.logins)).toBe(sim.logins)
      expect(delta(after.pages, before.pages)).toBe(byPath("/api/v1/admin/jobs", "2xx"))
      expect(streamed).toBe(23)
      expect(delta(after.jobs, before.jobs)).toBe(23)
      expect(delta(after.waits, before.waits)).toBe((yield* limiter.stats).waited)
      const histogram = yield* Metric.value(
        Metric.taggedWithLabels(Metrics.requestDuration, [MetricLabel.make("provider", provider), MetricLabel.make("operation", "jobs")])
      )
      expect(histogram.count).toBeGreaterThanOrEqual(log.filter((r) => r.path === "/api/v1/admin/jobs").length)
    }).pipe(Effect.scoped, Effect.provide(live)))

  it.live("metrics: false records nothing", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 3 })
      const tags = { provider: "insideview", operation: "listJobs", status_class: "2xx" }
      const before = yield* valueOf(Metrics.requests, tags)
      const client = yield* clientFor(sim, { metrics: false })
      yield* client.listJobs()
      expect(yield* valueOf(Metrics.requests, tags)).toBe(before)
      const counted = yield* clientFor(sim)
      yield* counted.listJobs()
      expect(yield* valueOf(Metrics.requests, tags)).toBe(before + 1)
    }).pipe(Effect.scoped, Effect.provide(live)))
})
