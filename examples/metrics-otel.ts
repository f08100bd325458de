/**
 * jobstream's metrics exported through OpenTelemetry (`@effect/opentelemetry`):
 * an InsideView client held to a rate limit lists the simulator's jobs and
 * reads the account's usage; the metrics reader then collects what the
 * client recorded (requests by status class, latency, logins, limiter waits,
 * pages, jobs) and the example prints them.
 *
 * In a service, swap the `Snapshot` reader for a
 * `PeriodicExportingMetricReader` with an OTLP or Prometheus exporter;
 * nothing else changes.
 *
 *   npx tsx --conditions=@jobstream/source examples/metrics-otel.ts
 *
 * `@effect/opentelemetry` and `@opentelemetry/*` are dependencies of the
 * examples package only; the library itself does not depend on them.
 */
import * as OtelMetrics from "@effect/opentelemetry/Metrics"
import * as Resource from "@effect/opentelemetry/Resource"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { RateLimit } from "@jobstream/core"
import { InsideViewClient } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import { MetricReader } from "@opentelemetry/sdk-metrics"
import { Effect, Layer, Redacted, Stream } from "effect"

/** A reader that collects on demand (a periodic reader with an exporter does the same on a timer). */
class Snapshot extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve()
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve()
  }
}

const reader = new Snapshot()
const Telemetry = OtelMetrics.layer(() => reader).pipe(Layer.provide(Resource.layer({ serviceName: "jobstream-example" })))

const program = Effect.gen(function*() {
  const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 480 })
  // A small limit so that some requests wait: 5 requests per 200 ms.
  const limiter = yield* RateLimit.make({ limit: 5, window: "200 millis" })
  const client = yield* InsideViewClient.make({
    baseUrl: sim.url,
    authBaseUrl: sim.url,
    auth: InsideViewClient.Auth.credentials("sim-client", Redacted.make("sim-secret")),
    pageSize: 50,
    rateLimit: limiter
  })
  const jobs = yield* Stream.runCount(client.jobs())
  const year = new Date().getUTCFullYear().toString()
  yield* client.usage({ period: "year", start: year, end: year })
  console.log(`listed ${jobs} jobs; the limiter made ${(yield* limiter.stats).waited} requests wait`)

  const { resourceMetrics } = yield* Effect.promise(() => reader.collect())
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      if (!metric.descriptor.name.startsWith("jobstream_")) continue
      for (const point of metric.dataPoints) {
        const value = typeof point.value === "number" ? point.value : `count ${point.value.count}, sum ${point.value.sum?.toFixed(3)}`
        console.log(`${metric.descriptor.name}${JSON.stringify(point.attributes)} ${value}`)
      }
    }
  }
}).pipe(Effect.scoped, Effect.provide([Telemetry, FetchHttpClient.layer]))

Effect.runPromise(program).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
