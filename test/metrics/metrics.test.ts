/**
 * The request metrics of every registered provider equal its simulator's
 * request log: for each status class, the attempts the metrics counted are the
 * requests the server logged (list pages, logins, logouts, a fault answered
 * 503 and retried); pages and jobs equal the 2xx list answers and the jobs
 * they held.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Metrics, RetryPolicy } from "@jobstream/core"
import { Registry } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Stream from "effect/Stream"

/** Every jobstream counter of `provider`, summed by metric name and status class. */
const counters = (provider: string) =>
  Effect.map(Metric.snapshot, (pairs) => {
    const out = new Map<string, number>()
    for (const pair of pairs) {
      const tags = new Map(pair.metricKey.tags.map((t) => [t.key, t.value]))
      if (!pair.metricKey.name.startsWith("jobstream_") || tags.get("provider") !== provider) continue
      const state = pair.metricState as { readonly count?: unknown }
      if (typeof state.count !== "number") continue
      const key = `${pair.metricKey.name}${tags.has("status_class") ? `:${tags.get("status_class")}` : ""}`
      out.set(key, (out.get(key) ?? 0) + state.count)
    }
    return out
  })

describe.each(Registry.providers.map((entry) => [entry.provider.name, entry] as const))("metrics over %s", (name, entry) => {
  it.live("requests by status class, pages and jobs equal the simulator's log", () =>
    Effect.gen(function*() {
      const before = yield* counters(name)
      const jobs = 3 * entry.defaultPageSize + 4
      let lists = 0
      const running = yield* entry.start({
        jobs,
        // The second list request is answered 503 once, then retried.
        faults: [{ match: (r) => entry.isList(r) && ++lists === 2, times: 1, fault: { _tag: "Status", status: 503 } }]
      })
      const streamed = yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* running.client({ retryPolicy: RetryPolicy.make({ maxRetries: 2, base: "1 millis" }), concurrency: 1 })
        return yield* Stream.runCount(client.jobs)
      }))
      expect(streamed).toBe(jobs)
      const after = yield* counters(name)
      const delta = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0)
      const log = running.server.requests
      for (const cls of ["2xx", "3xx", "4xx", "5xx", "error"]) {
        expect(delta(`jobstream_requests_total:${cls}`), cls).toBe(log.filter((r) => Metrics.statusClass(r.status) === cls).length)
      }
      expect(delta("jobstream_requests_total:5xx")).toBe(1)
      expect(delta("jobstream_retries_total")).toBe(1)
      expect(delta("jobstream_pages_total")).toBe(log.filter((r) => entry.isList(r) && r.status === 200).length)
      expect(delta("jobstream_jobs_total")).toBe(jobs)
      expect(delta("jobstream_logins_total")).toBe(log.filter((r) => entry.isSession(r) && r.method === "POST").length)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("the caller's metric tags (Effect.tagMetrics) are on every request it records", () =>
    Effect.gen(function*() {
      const tenant = `tenant-of-${name}`
      const jobs = 2 * entry.defaultPageSize + 1
      const running = yield* entry.start({ jobs })
      const streamed = yield* Effect.scoped(Effect.gen(function*() {
        const client = yield* running.client({ concurrency: 1 })
        return yield* Stream.runCount(client.jobs)
      })).pipe(Effect.tagMetrics("tenant", tenant))
      expect(streamed).toBe(jobs)
      const requests = (yield* Metric.snapshot).filter((pair) =>
        pair.metricKey.name === "jobstream_requests_total" &&
        pair.metricKey.tags.some((t) => t.key === "tenant" && t.value === tenant) &&
        pair.metricKey.tags.some((t) => t.key === "provider" && t.value === name)
      )
      const counted = requests.reduce((n, pair) => {
        const state = pair.metricState as { readonly count?: unknown }
        return n + (typeof state.count === "number" ? state.count : 0)
      }, 0)
      expect(counted).toBe(running.server.requests.length)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
})
