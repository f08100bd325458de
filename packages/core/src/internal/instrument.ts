/**
 * What a transport does around each attempt when it has a rate limiter or
 * records metrics: take a permit first (and count the wait), then record the
 * attempt (requests by status class, latency, retries, logins, pages and
 * jobs) and, on a 429, pause the whole account.
 *
 * With neither, the transport does not call into this module at all. With
 * metrics on, the tagged metric for each (operation, status class) is made
 * once and kept, so recording is a few map lookups per request.
 *
 * @internal
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import * as Metric from "effect/Metric"
import * as MetricLabel from "effect/MetricLabel"
import type * as ApiError from "../ApiError.js"
import * as Metrics from "../Metrics.js"
import type * as RateLimit from "../RateLimit.js"

/** The status of the response an attempt got, set by the transport's `onResponse`; undefined when none came. */
export const lastStatus: FiberRef.FiberRef<number | undefined> = FiberRef.unsafeMake<number | undefined>(undefined)

/** What a call tells the instruments. */
export interface CallInfo<A> {
  readonly operation: string
  /** For list calls: the jobs a page holds (a page and its jobs are counted). */
  readonly items?: ((a: A) => number) | undefined
  /** A login: counted as one, whatever its retries. */
  readonly login?: boolean | undefined
}

/** The instruments of one transport. */
export interface Instruments {
  /** Wraps one call's attempts; `attempt` is run once per try. */
  readonly around: <A>(call: CallInfo<A>) => (attempt: Effect.Effect<A, ApiError.ApiError>) => Effect.Effect<A, ApiError.ApiError>
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
  const cache = new Map<string, Metric.Metric<any, any, any>>()
  const tagged = <T, I, O>(metric: Metric.Metric<T, I, O>, name: string, labels: ReadonlyArray<readonly [string, string]>) => {
    const key = `${name}\n${labels.map(([k, v]) => `${k}=${v}`).join("\n")}`
    let found = cache.get(key) as Metric.Metric<T, I, O> | undefined
    if (found === undefined) {
      found = Metric.taggedWithLabels(metric, [providerLabel, ...labels.map(([k, v]) => MetricLabel.make(k, v))])
      cache.set(key, found)
    }
    return found
  }

  // A permit, and the time it took when there was a wait.
  const permit = (operation: string): Effect.Effect<void> => {
    if (rateLimit === undefined) return Effect.void
    if (!metrics) return Effect.asVoid(rateLimit.take)
    return Effect.flatMap(rateLimit.take, (waited) =>
      waited > 0
        ? Effect.zipRight(
          Metric.increment(tagged(Metrics.rateLimitWaits, "waits", [["operation", operation]])),
          Metric.incrementBy(tagged(Metrics.rateLimitWaitSeconds, "waitSeconds", [["operation", operation]]), waited / 1000)
        )
        : Effect.void)
  }

  const record = <A>(
    call: CallInfo<A>,
    exit: Exit.Exit<A, ApiError.ApiError>,
    status: number | undefined,
    millis: number,
    retry: boolean
  ): Effect.Effect<void> => {
    const effects: Array<Effect.Effect<void>> = []
    if (metrics) {
      const op: ReadonlyArray<readonly [string, string]> = [["operation", call.operation]]
      effects.push(Metric.increment(tagged(Metrics.requests, "requests", [...op, ["status_class", Metrics.statusClass(status)]])))
      if (status !== undefined) effects.push(Metric.update(tagged(Metrics.requestDuration, "duration", op), millis / 1000))
      if (retry) effects.push(Metric.increment(tagged(Metrics.retries, "retries", op)))
      else if (call.login === true) effects.push(Metric.increment(tagged(Metrics.logins, "logins", [])))
      if (Exit.isSuccess(exit) && call.items !== undefined) {
        effects.push(Metric.increment(tagged(Metrics.pages, "pages", [])))
        effects.push(Metric.incrementBy(tagged(Metrics.jobs, "jobs", []), call.items(exit.value)))
      }
    }
    // A 429 pauses every fiber of the account: for the `Retry-After` when the server sent one, else the limiter's lock-out.
    if (rateLimit !== undefined && Exit.isFailure(exit)) {
      const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      if (error?._tag === "RateLimited") {
        const wait = error.retryAfterMillis !== undefined ? Duration.millis(error.retryAfterMillis) : rateLimit.options.lockout
        effects.push(rateLimit.pause(wait))
      }
    }
    return effects.length === 0 ? Effect.void : Effect.all(effects, { discard: true })
  }

  return {
    around: (call) => (attempt) => {
      let tries = 0
      return Effect.suspend(() => {
        const retry = tries++ > 0
        return Effect.zipRight(
          permit(call.operation),
          Effect.flatMap(Clock.currentTimeMillis, (start) =>
            Effect.locally(
              Effect.flatMap(Effect.exit(attempt), (exit) =>
                Effect.flatMap(FiberRef.get(lastStatus), (status) =>
                  Effect.flatMap(Clock.currentTimeMillis, (end) =>
                    Effect.zipRight(record(call, exit, status ?? statusOf(exit), end - start, retry), exit)))),
              lastStatus,
              undefined
            ))
        )
      })
    }
  }
}

const statusOf = <A>(exit: Exit.Exit<A, ApiError.ApiError>): number | undefined =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error.status : undefined
