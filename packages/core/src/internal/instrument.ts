/**
 * What a transport does around each attempt when it has a rate limiter or
 * records metrics: take a permit first (and count the wait), then record the
 * attempt (requests by status class, latency, retries, logins, pages and
 * jobs) and, on a 429, pause the whole account.
 *
 * With neither, the transport does not call into this module at all. With
 * metrics on, the tagged metric for each (operation, status class) is made
 * once and kept, and a try is recorded in one step: the counters are updated
 * in place with the fiber's metric tags, as `Metric.update` would, and the
 * status comes from the attempt through a callback, not a FiberRef.
 *
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import type * as ApiError from "../ApiError.js"
import * as Metrics from "../Metrics.js"
import type * as RateLimit from "../RateLimit.js"

/** What a call tells the instruments. */
export interface CallInfo<A> {
  readonly operation: string
  /** For list calls: the jobs a page holds (a page and its jobs are counted). */
  readonly items?: ((a: A) => number) | undefined
  /** A login: counted as one, whatever its retries. */
  readonly login?: boolean | undefined
}

/**
 * One try of a call. `observe` is called with the status of the response the
 * try got (before it is judged), so that the request is counted by its status
 * class even when the try then fails.
 */
export type Attempt<A> = (observe: (status: number) => void) => Effect.Effect<A, ApiError.ApiError>

/** The instruments of one transport. */
export interface Instruments {
  /** Wraps one call's attempts; `attempt` is run once per try. */
  readonly around: <A>(call: CallInfo<A>) => (attempt: Attempt<A>) => Effect.Effect<A, ApiError.ApiError>
}

// A metric as this module uses it: updated directly, with the fiber's metric labels
// (`Effect.tagMetrics`) as extra tags, which is what `Metric.update` would do.
type Updatable = Metric.Metric<unknown, number, unknown>

/** The metrics of one operation, tagged once. */
interface OperationMetrics {
  readonly byStatusClass: Map<string, Updatable>
  readonly duration: Updatable
  readonly retries: Updatable
  readonly waits: Updatable
  readonly waitSeconds: Updatable
}

/** The instruments, or undefined when there is nothing to do (no limiter, metrics off). */
export const make = (options: {
  readonly provider: string
  readonly rateLimit: RateLimit.Service | undefined
  readonly metrics: boolean
}): Instruments | undefined => {
  const { metrics, provider, rateLimit } = options
  if (rateLimit === undefined && !metrics) return undefined
  const providerLabel = MetricLabel.make("provider", provider)
  const tagged = (metric: Metric.Metric<any, any, any>, labels: ReadonlyArray<readonly [string, string]>): Updatable =>
    Metric.taggedWithLabels(metric, [providerLabel, ...labels.map(([k, v]) => MetricLabel.make(k, v))])
  const logins = tagged(Metrics.logins, [])
  const pages = tagged(Metrics.pages, [])
  const jobs = tagged(Metrics.jobs, [])
  const operations = new Map<string, OperationMetrics>()
  const metricsOf = (operation: string): OperationMetrics => {
    let found = operations.get(operation)
    if (found === undefined) {
      const op: ReadonlyArray<readonly [string, string]> = [["operation", operation]]
      found = {
        byStatusClass: new Map(),
        duration: tagged(Metrics.requestDuration, op),
        retries: tagged(Metrics.retries, op),
        waits: tagged(Metrics.rateLimitWaits, op),
        waitSeconds: tagged(Metrics.rateLimitWaitSeconds, op)
      }
      operations.set(operation, found)
    }
    return found
  }
  const requestsOf = (operation: string, op: OperationMetrics, status: number | undefined): Updatable => {
    const statusClass = Metrics.statusClass(status)
    let found = op.byStatusClass.get(statusClass)
    if (found === undefined) {
      found = tagged(Metrics.requests, [["operation", operation], ["status_class", statusClass]])
      op.byStatusClass.set(statusClass, found)
    }
    return found
  }

  // A permit, and the time it took when there was a wait.
  const permit = (operation: string): Effect.Effect<void> => {
    if (rateLimit === undefined) return Effect.void
    if (!metrics) return Effect.asVoid(rateLimit.take)
    return Effect.flatMap(rateLimit.take, (waited) =>
      waited > 0
        ? Effect.withFiberRuntime<void>((fiber) => {
          const labels = fiber.getFiberRef(FiberRef.currentMetricLabels)
          const op = metricsOf(operation)
          op.waits.unsafeUpdate(1, labels)
          op.waitSeconds.unsafeUpdate(waited / 1000, labels)
          return Effect.void
        })
        : Effect.void)
  }

  // Records one try (in place: a few counter updates) and returns what must still run:
  // on a 429, a pause of every fiber of the account, for the `Retry-After` when the
  // server sent one, else the limiter's lock-out.
  const record = <A>(
    labels: ReadonlyArray<MetricLabel.MetricLabel>,
    call: CallInfo<A>,
    exit: Exit.Exit<A, ApiError.ApiError>,
    status: number | undefined,
    millis: number,
    retry: boolean
  ): Effect.Effect<void> | undefined => {
    if (metrics) {
      const op = metricsOf(call.operation)
      requestsOf(call.operation, op, status).unsafeUpdate(1, labels)
      if (status !== undefined) op.duration.unsafeUpdate(millis / 1000, labels)
      if (retry) op.retries.unsafeUpdate(1, labels)
      else if (call.login === true) logins.unsafeUpdate(1, labels)
      if (Exit.isSuccess(exit) && call.items !== undefined) {
        pages.unsafeUpdate(1, labels)
        jobs.unsafeUpdate(call.items(exit.value), labels)
      }
    }
    if (rateLimit !== undefined && Exit.isFailure(exit)) {
      const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      if (error?._tag === "RateLimited") {
        return rateLimit.pause(
          error.retryAfterMillis !== undefined ? Duration.millis(error.retryAfterMillis) : rateLimit.options.lockout
        )
      }
    }
    return undefined
  }

  return {
    around: <A>(call: CallInfo<A>) => (attempt: Attempt<A>): Effect.Effect<A, ApiError.ApiError> => {
      let tries = 0
      return Effect.zipRight(
        permit(call.operation),
        Effect.clockWith((clock) => {
          const retry = tries++ > 0
          let status: number | undefined
          const start = clock.unsafeCurrentTimeMillis()
          return Effect.flatMap(
            Effect.exit(attempt((s) => {
              status = s
            })),
            (exit) =>
              Effect.withFiberRuntime<A, ApiError.ApiError>((fiber) => {
                const after = record(
                  fiber.getFiberRef(FiberRef.currentMetricLabels),
                  call,
                  exit,
                  status ?? statusOf(exit),
                  clock.unsafeCurrentTimeMillis() - start,
                  retry
                )
                return after === undefined ? exit : Effect.zipRight(after, exit)
              })
          )
        })
      )
    }
  }
}

const statusOf = <A>(exit: Exit.Exit<A, ApiError.ApiError>): number | undefined =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error.status : undefined
