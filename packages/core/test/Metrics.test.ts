import { describe, expect, it } from "@effect/vitest"
import { Metrics } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"

// Metrics live in a process-wide registry: each test uses its own provider tag.
const tagged = <T, I, O>(metric: Metric.Metric<T, I, O>, tags: Record<string, string>) =>
  Metric.taggedWithLabels(metric, Object.entries(tags).map(([k, v]) => MetricLabel.make(k, v)))

describe("Metrics", () => {
  it("classes statuses, and a request without a response is an error", () => {
    expect([200, 204, 301, 404, 429, 503].map(Metrics.statusClass)).toEqual(["2xx", "2xx", "3xx", "4xx", "4xx", "5xx"])
    expect(Metrics.statusClass(undefined)).toBe("error")
    expect(Metrics.statusClass(42)).toBe("error")
  })

  it.effect("recordRequest counts by status class and fills the latency histogram", () =>
    Effect.gen(function*() {
      yield* Metrics.recordRequest("m-test-1", "listJobs", 200, 12)
      yield* Metrics.recordRequest("m-test-1", "listJobs", 200, 30)
      yield* Metrics.recordRequest("m-test-1", "listJobs", 503, 5)
      yield* Metrics.recordRequest("m-test-1", "listJobs", undefined, undefined)
      const count = (cls: string) =>
        Effect.map(
          Metric.value(tagged(Metrics.requests, { provider: "m-test-1", operation: "listJobs", status_class: cls })),
          (s) => s.count
        )
      expect(yield* count("2xx")).toBe(2)
      expect(yield* count("5xx")).toBe(1)
      expect(yield* count("error")).toBe(1)
      const histogram = yield* Metric.value(tagged(Metrics.requestDuration, { provider: "m-test-1", operation: "listJobs" }))
      expect(histogram.count).toBe(3)
      expect(histogram.sum).toBeCloseTo(0.047, 6)
    }))

  it.effect("add tags with the provider, and the operation when given", () =>
    Effect.gen(function*() {
      yield* Metrics.add(Metrics.jobs, "m-test-2", 50)
      yield* Metrics.add(Metrics.jobs, "m-test-2", 7)
      yield* Metrics.add(Metrics.retries, "m-test-2", 1, "listJobs")
      expect((yield* Metric.value(tagged(Metrics.jobs, { provider: "m-test-2" }))).count).toBe(57)
      expect((yield* Metric.value(tagged(Metrics.retries, { provider: "m-test-2", operation: "listJobs" }))).count).toBe(1)
    }))
})
