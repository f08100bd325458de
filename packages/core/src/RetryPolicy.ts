/**
 * Retry policies: `Schedule`s whose input is the {@link ApiError} that ended
 * an attempt. `HttpTransport` feeds every failed attempt into the policy;
 * when the schedule stops, the last error surfaces.
 *
 * The default:
 * - retries 429, 500, 502, 503, 504, transport failures and per-attempt timeouts
 *   (see `ApiError.isRetryable`); never 400/401/403/404/405/410, decode errors
 *   or invalid input;
 * - waits `base × 2^n` with ±20 % jitter, each wait capped at `maxDelay`;
 * - gives up after `maxRetries` retries (the retry budget of one request),
 *   and, with `maxElapsed`, once that much time has passed since the first failure;
 * - on a 429 (or 503) with `Retry-After`, waits what the server asked — when
 *   that is more than `maxRetryAfter` the request is not retried at all and the
 *   `RateLimited` error surfaces at once, so a "come back in an hour" never
 *   turns into an hour-long hang;
 * - on a 429 without `Retry-After`, waits `rateLimitFallback` (10 s by
 *   default), because hammering a throttled API with sub-second retries only
 *   extends the throttle.
 *
 * Whether non-idempotent requests (POST) are retried is decided by the
 * transport, not the policy: they are not, unless the caller opts in per call.
 *
 * @since 0.1.0
 * @module
 */
import * as Duration from "effect/Duration"
import * as Schedule from "effect/Schedule"
import * as ApiError from "./ApiError.js"

/**
 * A retry policy: any Schedule that accepts the failed attempt's error.
 *
 * @since 0.1.0
 */
export type RetryPolicy = Schedule.Schedule<unknown, ApiError.ApiError>

/**
 * Knobs of the default policy.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Retries after the first attempt. Default 4. */
  readonly maxRetries?: number
  /** First backoff. Default 200 ms. */
  readonly base?: Duration.DurationInput
  /** Growth factor. Default 2. */
  readonly factor?: number
  /** Largest backoff wait (Retry-After is capped separately). Default 10 s. */
  readonly maxDelay?: Duration.DurationInput
  /** Randomize each backoff by ±20 %. Default true. */
  readonly jitter?: boolean
  /** The longest `Retry-After` honoured; a longer one is not retried. Default 60 s. */
  readonly maxRetryAfter?: Duration.DurationInput
  /**
   * Wait after a 429 that carries no `Retry-After`. Default 10 s.
   * `"fail"` makes such a 429 final (not retried).
   */
  readonly rateLimitFallback?: Duration.DurationInput | "fail"
  /** Whether 429 is retried at all. Default true. */
  readonly retryRateLimited?: boolean
  /** Extra predicate: an error is retried only if this also says so. */
  readonly while?: (error: ApiError.ApiError) => boolean
  /**
   * A time budget for retrying: no retry starts once this much time has passed
   * since the first failure. Default: none (`maxRetries` alone bounds it).
   */
  readonly maxElapsed?: Duration.DurationInput
}

/**
 * The defaults, spelled out.
 *
 * @since 0.1.0
 */
export const defaults = {
  maxRetries: 4,
  base: Duration.millis(200),
  factor: 2,
  maxDelay: Duration.seconds(10),
  jitter: true,
  maxRetryAfter: Duration.seconds(60),
  rateLimitFallback: Duration.seconds(10),
  retryRateLimited: true
} as const

/**
 * The server-requested wait for an error, if any: `Retry-After` on a 429 or a
 * 5xx, or the fallback for a 429 without one.
 *
 * @since 0.1.0
 */
export const serverDelay = (
  error: ApiError.ApiError,
  options: Pick<Options, "rateLimitFallback"> = {}
): Duration.Duration | undefined => {
  if (error._tag === "RateLimited") {
    if (error.retryAfterMillis !== undefined) return Duration.millis(error.retryAfterMillis)
    const fallback = options.rateLimitFallback ?? defaults.rateLimitFallback
    return fallback === "fail" ? undefined : Duration.decode(fallback)
  }
  if (error._tag === "ServerError" && error.retryAfterMillis !== undefined) {
    return Duration.millis(error.retryAfterMillis)
  }
  return undefined
}

/**
 * Whether the default policy (with these options) retries this error at all.
 *
 * @since 0.1.0
 */
export const shouldRetry = (error: ApiError.ApiError, options: Options = {}): boolean => {
  if (!ApiError.isRetryable(error)) return false
  if (options.while !== undefined && !options.while(error)) return false
  if (error._tag === "RateLimited") {
    if (options.retryRateLimited === false) return false
    if (error.retryAfterMillis === undefined) return (options.rateLimitFallback ?? defaults.rateLimitFallback) !== "fail"
  }
  // A server-requested wait beyond the cap is not honoured: the error surfaces.
  if ((error._tag === "RateLimited" || error._tag === "ServerError") && error.retryAfterMillis !== undefined) {
    const cap = Duration.decode(options.maxRetryAfter ?? defaults.maxRetryAfter)
    return Duration.lessThanOrEqualTo(Duration.millis(error.retryAfterMillis), cap)
  }
  return true
}

/**
 * Builds the default policy, with the given knobs.
 *
 * @since 0.1.0
 */
export const make = (options: Options = {}): RetryPolicy => {
  const maxDelay = Duration.decode(options.maxDelay ?? defaults.maxDelay)
  const exponential = Schedule.exponential(options.base ?? defaults.base, options.factor ?? defaults.factor)
  const backoff = (options.jitter ?? defaults.jitter ? Schedule.jittered(exponential) : exponential).pipe(
    Schedule.modifyDelay((_, delay) => Duration.min(delay, maxDelay))
  )
  // `intersect` keeps the longer of the two delays, so a Retry-After wins over
  // a shorter backoff and a longer backoff wins over a tiny Retry-After.
  const honourServer = Schedule.identity<ApiError.ApiError>().pipe(
    Schedule.addDelay((error) => serverDelay(error, options) ?? Duration.zero)
  )
  const policy = backoff.pipe(
    Schedule.intersect(Schedule.recurs(options.maxRetries ?? defaults.maxRetries)),
    Schedule.intersect(honourServer),
    Schedule.whileInput((error: ApiError.ApiError) => shouldRetry(error, options))
  )
  return options.maxElapsed === undefined ? policy : Schedule.upTo(policy, options.maxElapsed)
}

/**
 * The default policy.
 *
 * @since 0.1.0
 */
export const defaultPolicy: RetryPolicy = make()

/**
 * Never retry.
 *
 * @since 0.1.0
 */
export const none: RetryPolicy = Schedule.stop

/**
 * Retries up to `times` with the default rules but no waits; meant for tests and for callers with their own pacing.
 *
 * @since 0.1.0
 */
export const immediate = (times: number): RetryPolicy =>
  Schedule.recurs(times).pipe(Schedule.whileInput((error: ApiError.ApiError) => ApiError.isRetryable(error)))

/**
 * Parses a `Retry-After` value, either delay-seconds or an HTTP date
 * (relative to `now`). Returns milliseconds, or undefined when unparseable.
 * A date in the past means "now" (0).
 *
 * @since 0.1.0
 */
export const parseRetryAfter = (value: string | undefined, now: number): number | undefined => {
  if (value === undefined) return undefined
  const trimmed = value.trim()
  if (trimmed === "") return undefined
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now)
}
