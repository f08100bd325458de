/**
 * The metrics every jobstream client records, beside its spans. They are
 * Effect `Metric`s, so any metrics exporter reads them (see
 * `examples/metrics-otel.ts` for `@effect/opentelemetry`), and a test or a
 * program can read them back with `Metric.value`.
 *
 * | name | kind | tags | what |
 * | --- | --- | --- | --- |
 * | `jobstream_requests_total` | counter | provider, operation, status_class | HTTP requests sent, by outcome: `2xx` … `5xx`, or `error` (no response) |
 * | `jobstream_request_duration_seconds` | histogram | provider, operation | time from sending a request to its body being read |
 * | `jobstream_retries_total` | counter | provider, operation | requests sent again after a retryable failure |
 * | `jobstream_logins_total` | counter | provider | logins (token exchanges, ICWS connections) started |
 * | `jobstream_rate_limit_waits_total` | counter | provider, operation | requests that waited for the client-side rate limiter |
 * | `jobstream_rate_limit_wait_seconds` | counter | provider, operation | total time spent waiting for it |
 * | `jobstream_pages_total` | counter | provider | list pages received (2xx answers of list calls) |
 * | `jobstream_jobs_total` | counter | provider | jobs in the pages received (before repeats are dropped) |
 *
 * Every transport records them unless built with `metrics: false`; requests
 * are counted per attempt (a retried request counts each time it is sent),
 * and `status_class` is the response's (`error` when none came: a timeout, a
 * reset). The latency is of attempts that got a response.
 *
 * @since 0.2.0
 * @module
 */
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as MetricBoundaries from "effect/MetricBoundaries"
import * as MetricLabel from "effect/MetricLabel"

/**
 * HTTP requests sent.
 *
 * @since 0.2.0
 */
export const requests = Metric.counter("jobstream_requests_total", {
  description: "HTTP requests sent by jobstream clients, by provider, operation and status class",
  incremental: true
})

/**
 * Request latency, in seconds.
 *
 * @since 0.2.0
 */
export const requestDuration = Metric.histogram(
  "jobstream_request_duration_seconds",
  MetricBoundaries.exponential({ start: 0.005, factor: 2, count: 14 }),
  "Time from sending a jobstream request to its body being read, in seconds"
)

/**
 * Retries.
 *
 * @since 0.2.0
 */
export const retries = Metric.counter("jobstream_retries_total", {
  description: "Requests sent again after a retryable failure",
  incremental: true
})

/**
 * Logins.
 *
 * @since 0.2.0
 */
export const logins = Metric.counter("jobstream_logins_total", {
  description: "Logins (token exchanges, ICWS connections) started",
  incremental: true
})

/**
 * Requests that waited for the rate limiter.
 *
 * @since 0.2.0
 */
export const rateLimitWaits = Metric.counter("jobstream_rate_limit_waits_total", {
  description: "Requests that waited for the client-side rate limiter",
  incremental: true
})

/**
 * Time spent waiting for the rate limiter, in seconds.
 *
 * @since 0.2.0
 */
export const rateLimitWaitSeconds = Metric.counter("jobstream_rate_limit_wait_seconds", {
  description: "Total time requests spent waiting for the client-side rate limiter, in seconds",
  incremental: true
})

/**
 * List pages received.
 *
 * @since 0.2.0
 */
export const pages = Metric.counter("jobstream_pages_total", {
  description: "List pages received",
  incremental: true
})

/**
 * Jobs streamed.
 *
 * @since 0.2.0
 */
export const jobs = Metric.counter("jobstream_jobs_total", {
  description: "Jobs streamed to the consumer",
  incremental: true
})

/**
 * The status class of a response ("2xx" … "5xx"), or "error" when there was none.
 *
 * @since 0.2.0
 */
export const statusClass = (status: number | undefined): string =>
  status === undefined || status < 100 || status > 599 ? "error" : `${Math.floor(status / 100)}xx`

/**
 * Records one request: its outcome and, when known, how long it took.
 *
 * @since 0.2.0
 */
export const recordRequest = (
  provider: string,
  operation: string,
  status: number | undefined,
  millis: number | undefined
): Effect.Effect<void> => {
  const labels = [MetricLabel.make("provider", provider), MetricLabel.make("operation", operation)]
  const count = Metric.increment(
    Metric.taggedWithLabels(requests, [...labels, MetricLabel.make("status_class", statusClass(status))])
  )
  if (millis === undefined) return count
  return Effect.zipRight(count, Metric.update(Metric.taggedWithLabels(requestDuration, labels), millis / 1000))
}

/**
 * Adds `n` to a counter tagged with the provider (and the operation, when given).
 *
 * @since 0.2.0
 */
export const add = (
  counter: Metric.Metric.Counter<number>,
  provider: string,
  n = 1,
  operation?: string
): Effect.Effect<void> => {
  const labels = [MetricLabel.make("provider", provider)]
  if (operation !== undefined) labels.push(MetricLabel.make("operation", operation))
  return Metric.incrementBy(Metric.taggedWithLabels(counter, labels), n)
}
