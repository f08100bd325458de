/**
 * A client-side rate limiter for one account: every request of every fiber
 * that shares it takes a permit first, so the account never sends more than
 * `limit` requests in any `window` (a sliding window: stricter than the fixed
 * windows servers usually count in, so whatever the server's window
 * alignment, the limit holds).
 *
 * When the server throttles anyway (a 429), `pause` stops the whole account:
 * every fiber waiting for a permit, and every fiber that asks for one later,
 * waits until the pause ends, instead of each fiber backing off on its own and
 * the next one hitting the lock-out again.
 *
 * Share one limiter among every client of the same account (pass the same
 * service, or provide the Layer once); two limiters for one account each allow
 * the full limit.
 *
 * Waiting is interruptible: interrupting a fiber that waits for a permit gives
 * up its place without consuming one.
 *
 * @since 0.2.0
 * @module
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * Settings of a limiter.
 *
 * @since 0.2.0
 */
export interface Options {
  /** Requests allowed in any window. */
  readonly limit: number
  /** The window's length. */
  readonly window: Duration.DurationInput
  /**
   * Most requests sent back to back: at most `burst` in any
   * `window × burst / limit` (the limit spread evenly). Default `limit`
   * (the whole window's allowance may go at once).
   */
  readonly burst?: number | undefined
  /**
   * How long the account pauses after a 429 that says nothing of when to come
   * back (no `Retry-After`). Default: the window.
   */
  readonly lockout?: Duration.DurationInput | undefined
}

/**
 * Counters of a limiter, for tests, metrics and the CLI.
 *
 * @since 0.2.0
 */
export interface Stats {
  /** Permits granted. */
  readonly granted: number
  /** Permits that had to wait (for the window or a pause). */
  readonly waited: number
  /** Total time spent waiting, in millis. */
  readonly waitedMillis: number
  /** Pauses started by `pause`; extending a pause that is running does not count. */
  readonly pauses: number
}

/**
 * The limiter.
 *
 * @since 0.2.0
 */
export interface Service {
  /** The settings, with their defaults. */
  readonly options: {
    readonly limit: number
    readonly window: Duration.Duration
    readonly burst: number
    readonly lockout: Duration.Duration
  }
  /**
   * Waits until a request may be sent (a pause and the window both allow
   * it), and takes the permit; succeeds with the millis it waited (0: none).
   */
  readonly take: Effect.Effect<number>
  /** Runs `effect` after taking a permit. */
  readonly limited: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  /**
   * Pauses every fiber of the account for `duration` from now. A pause never
   * shortens one already running: the later end wins.
   */
  readonly pause: (duration: Duration.DurationInput) => Effect.Effect<void>
  /** When the current pause ends (epoch millis), or 0 when none runs. */
  readonly pausedUntil: Effect.Effect<number>
  /** Counters so far. */
  readonly stats: Effect.Effect<Stats>
}

/**
 * A limiter shared through the context (e.g. by every InsideView client of one account).
 *
 * @since 0.2.0
 */
export class RateLimit extends Context.Tag("@jobstream/core/RateLimit")<RateLimit, Service>() {}

/**
 * Checks the settings; the left side names what is wrong.
 *
 * @since 0.2.0
 */
export const check = (options: Options): string | undefined => {
  if (!Number.isInteger(options.limit) || options.limit < 1) {
    return `limit must be a positive integer, got ${options.limit}`
  }
  const window = Duration.decodeUnknown(options.window)
  if (window._tag === "None" || !Duration.isFinite(window.value) || Duration.toMillis(window.value) <= 0) {
    return "window must be a positive, finite duration"
  }
  if (options.burst !== undefined && (!Number.isInteger(options.burst) || options.burst < 1 || options.burst > options.limit)) {
    return `burst must be a whole number in 1..limit (${options.limit}), got ${options.burst}`
  }
  if (options.lockout !== undefined) {
    const lockout = Duration.decodeUnknown(options.lockout)
    if (lockout._tag === "None" || !Duration.isFinite(lockout.value) || Duration.toMillis(lockout.value) < 0) {
      return "lockout must be a finite duration ≥ 0"
    }
  }
  return undefined
}

/**
 * Builds a limiter. Dies on invalid settings (they are programming errors in
 * code; `layerConfig`-style callers validate with {@link check} first).
  *
  * @since 0.2.0
 */
export const make = (options: Options): Effect.Effect<Service> =>
  Effect.gen(function*() {
    const problem = check(options)
    if (problem !== undefined) return yield* Effect.dieMessage(`RateLimit: ${problem}`)
    const limit = options.limit
    const window = Duration.decode(options.window)
    const windowMillis = Duration.toMillis(window)
    const burst = options.burst ?? limit
    const burstMillis = (windowMillis * burst) / limit
    const lockout = options.lockout === undefined ? window : Duration.decode(options.lockout)
    // The state lives in plain variables: every change happens within one
    // synchronous step of a fiber, so fibers never see it half-done.
    let pausedUntil = 0
    const stats = { granted: 0, waited: 0, waitedMillis: 0, pauses: 0 }
    // Permits are handed out one at a time, in arrival order: a fiber that
    // must wait holds the turn while it sleeps for its slot, and later fibers
    // queue behind it rather than racing for the same slot. `queued` counts
    // the fibers holding or waiting for the turn; while it is 0 a permit that
    // needs no wait is granted at once (the common, idle case).
    const turn = yield* Effect.makeSemaphore(1)
    let queued = 0
    // Send times of the last `limit` permits, as a ring. `sent[next]` is the oldest once full.
    const sent: Array<number> = []
    let next = 0

    // How long the next permit must wait at `now`; 0 means it may go.
    const delayAt = (now: number): number => {
      const pause = Math.max(0, pausedUntil - now)
      const slot = sent.length < limit ? 0 : Math.max(0, sent[next]! + windowMillis - now)
      if (burst >= limit || sent.length < burst) return Math.max(pause, slot)
      // The burst-th newest permit: the ring's newest is just before `next` once full.
      const newest = sent.length < limit ? sent.length - 1 : (next - 1 + limit) % limit
      const spread = Math.max(0, sent[(newest - (burst - 1) + limit) % limit]! + burstMillis - now)
      return Math.max(pause, slot, spread)
    }

    const grant = (now: number, start: number): number => {
      if (sent.length < limit) sent.push(now)
      else {
        sent[next] = now
        next = (next + 1) % limit
      }
      const waited = now - start
      stats.granted++
      if (waited > 0) stats.waited++
      stats.waitedMillis += waited
      return waited
    }

    // The wait is counted from the call, including the time queued for the turn.
    const queue = (start: number): Effect.Effect<number> =>
      Effect.suspend(() => {
        queued++
        return turn.withPermits(1)(Effect.gen(function*() {
          let now = yield* Clock.currentTimeMillis
          // A pause may start (or grow) while this fiber sleeps: look again after every sleep.
          for (;;) {
            const wait = delayAt(now)
            if (wait <= 0) break
            yield* Effect.sleep(Duration.millis(wait))
            now = yield* Clock.currentTimeMillis
          }
          return grant(now, start)
        })).pipe(Effect.ensuring(Effect.sync(() => void queued--)))
      })

    const take: Effect.Effect<number> = Effect.flatMap(
      Clock.currentTimeMillis,
      (now) => (queued === 0 && delayAt(now) <= 0 ? Effect.succeed(grant(now, now)) : queue(now))
    )

    const pause = (duration: Duration.DurationInput): Effect.Effect<void> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Effect.sync(() => {
          const until = now + Math.max(0, Duration.toMillis(Duration.decode(duration)))
          if (until <= pausedUntil) return
          if (now >= pausedUntil) stats.pauses++
          pausedUntil = until
        }))

    return {
      options: { limit, window, burst, lockout },
      take,
      limited: (effect) => Effect.zipRight(take, effect),
      pause,
      pausedUntil: Effect.map(Clock.currentTimeMillis, (now) => (pausedUntil > now ? pausedUntil : 0)),
      stats: Effect.sync(() => ({ ...stats }))
    } satisfies Service
  })

/**
 * A limiter as a Layer, to share among every client of one account.
 *
 * @since 0.2.0
 */
export const layer = (options: Options): Layer.Layer<RateLimit> => Layer.effect(RateLimit, make(options))
