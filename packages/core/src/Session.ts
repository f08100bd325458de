/**
 * A single-flight credential cache: a token, a login session, anything that
 * is expensive to get, shared by many concurrent requests, and occasionally
 * rejected by the server.
 *
 * - `get` returns the current credential, or acquires one; concurrent callers
 *   while an acquisition runs all wait for that one acquisition.
 * - With `expiresAt`, a credential is replaced ahead of its expiry by a margin
 *   relative to its lifetime: `min(refreshAhead, refreshAheadRatio × lifetime)`
 *   (by default min(60 s, 10 %)), so a 30 s token is renewed 3 s before it
 *   expires, not before every request. Inside that window callers still get
 *   the current credential while one background acquisition replaces it; after
 *   expiry callers wait for a fresh one. A credential that arrives already
 *   expired (or with an unreadable expiry) is used until the server rejects it,
 *   so a server's clock cannot turn every request into a login.
 * - `invalidate(stale)` drops the credential only if it is still the current
 *   one, so a burst of 401s on the same token causes one re-login, and a late
 *   401 on an old token does not throw away a fresh one.
 * - `withCredential(f)` runs `f` with the credential and, when `f` fails with
 *   `Unauthorized`, invalidates that credential and runs `f` again with a
 *   newer one — up to `maxRelogins` times per call (default 2).
 * - Logins back off when credentials stop working: a credential rejected
 *   before the server accepted it even once is a "strike", and the login after
 *   n strikes in a row waits `reloginBackoff × 2^(n-1)` (at most
 *   `maxReloginBackoff`). An accepted use clears the strikes. So the ordinary
 *   "token expired" re-login is immediate, while a server that rejects every
 *   credential gets a few, spaced logins, not a flood — however many callers.
 * - `release` runs for the credential held when the scope closes (log out),
 *   after a login still in flight has finished, and with `releaseReplaced` also
 *   for every credential dropped by `invalidate` or replaced by a refresh.
 *   Closing is bounded by `releaseTimeout`; failures are logged at Warning.
 *
 * An acquisition is not tied to the caller that triggered it: interrupting
 * that caller does not cancel a login other callers are waiting for.
 *
 * @since 0.1.0
 * @module
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FiberSet from "effect/FiberSet"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Timing from "./internal/credentialTiming.js"
import * as SessionState from "./internal/sessionState.js"

/**
 * The refresh margin for a credential living `lifetimeMillis`: `min(maxMillis, ratio × lifetime)`.
 *
 * @since 0.2.0
 */
export const refreshMargin: (lifetimeMillis: number, maxMillis: number, ratio: number) => number = Timing.refreshMargin

/**
 * The service a session offers.
 *
 * @since 0.1.0
 */
export interface Session<A, E> {
  /** The current credential, acquiring one if needed (single flight). */
  readonly get: Effect.Effect<A, E>
  /** Drops `stale` if it is still the current credential; otherwise does nothing. */
  readonly invalidate: (stale: A) => Effect.Effect<void>
  /** Runs `f` with the credential; after an `Unauthorized`, again with a newer one (at most `maxRelogins` times). */
  readonly withCredential: <B, E2, R>(f: (credential: A) => Effect.Effect<B, E2, R>) => Effect.Effect<B, E | E2, R>
  /** The credential currently held, without acquiring. */
  readonly current: Effect.Effect<Option.Option<A>>
  /** How many acquisitions (logins) have started, for tests and metrics. */
  readonly acquisitions: Effect.Effect<number>
  /** How many times `withCredential` saw the credential rejected (`Unauthorized`). */
  readonly rejections: Effect.Effect<number>
}

/**
 * How to get, time and release a credential.
 *
 * @since 0.1.0
 */
export interface Options<A, E, R> {
  /** Gets a fresh credential. */
  readonly acquire: Effect.Effect<A, E, R>
  /** When the credential stops being valid (epoch millis), if it expires. */
  readonly expiresAt?: (credential: A) => number | undefined
  /** The largest refresh margin: how long before expiry replacing may start at most. Default 60 s. */
  readonly refreshAhead?: Duration.DurationInput
  /** The refresh margin as a share of the credential's lifetime, when that is smaller. Default 0.1. */
  readonly refreshAheadRatio?: number
  /** Releases a credential (e.g. logs out). Failures are logged and ignored. */
  readonly release?: (credential: A) => Effect.Effect<void, unknown, R>
  /** Also release credentials dropped by `invalidate` or replaced by a refresh, in the background. Default false. */
  readonly releaseReplaced?: boolean
  /** Bound of closing: waiting for a login in flight and every release. Default 10 s. */
  readonly releaseTimeout?: Duration.DurationInput
  /** What counts as "the server rejected the credential". Default: an error tagged `Unauthorized`. */
  readonly isUnauthorized?: (error: unknown) => boolean
  /** Re-logins (retries after `Unauthorized`) per `withCredential` call. Default 2. */
  readonly maxRelogins?: number
  /** Wait before a login after one credential was rejected unused, doubled for each further one. Default 200 ms. */
  readonly reloginBackoff?: Duration.DurationInput
  /** The longest such wait. Default 10 s. */
  readonly maxReloginBackoff?: Duration.DurationInput
}

/**
 * The defaults, spelled out.
 *
 * @since 0.2.0
 */
export const defaults = {
  refreshAhead: Duration.seconds(60),
  refreshAheadRatio: 0.1,
  releaseTimeout: Duration.seconds(10),
  maxRelogins: 2,
  reloginBackoff: Duration.millis(200),
  maxReloginBackoff: Duration.seconds(10)
} as const

/**
 * Default test for "the credential was rejected".
 *
 * @since 0.1.0
 */
export const isUnauthorizedError = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "Unauthorized"

/**
 * Builds a session living in the current scope.
 *
 * @since 0.1.0
 */
export const make = <A, E, R>(options: Options<A, E, R>): Effect.Effect<Session<A, E>, never, R | Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const context = yield* Effect.context<R>()
    const maxMargin = Duration.toMillis(Duration.decode(options.refreshAhead ?? defaults.refreshAhead))
    const ratio = options.refreshAheadRatio ?? defaults.refreshAheadRatio
    const releaseTimeout = Duration.decode(options.releaseTimeout ?? defaults.releaseTimeout)
    const maxRelogins = Math.max(0, Math.floor(options.maxRelogins ?? defaults.maxRelogins))
    const backoff = Duration.toMillis(Duration.decode(options.reloginBackoff ?? defaults.reloginBackoff))
    const maxBackoff = Duration.toMillis(Duration.decode(options.maxReloginBackoff ?? defaults.maxReloginBackoff))
    const isUnauthorized = options.isUnauthorized ?? isUnauthorizedError
    const release = options.release
    // Created before the finalizer below, so they are interrupted after it ran.
    const acquiring = yield* FiberSet.make()
    const releasing = yield* FiberSet.make()
    const state = yield* Ref.make(SessionState.initial<A, E>())

    // Finalizers run uninterruptibly; the release is made interruptible so the
    // timeout can cut it short.
    const releaseNow = (value: A): Effect.Effect<void> =>
      release === undefined ? Effect.void : release(value).pipe(
        Effect.provide(context),
        Effect.interruptible,
        Effect.timeout(releaseTimeout),
        Effect.catchAllCause((cause) => Effect.logWarning("releasing the credential failed", cause))
      )

    const releaseInBackground = (value: A): Effect.Effect<void> =>
      options.releaseReplaced === true && release !== undefined
        ? Effect.asVoid(FiberSet.run(releasing, releaseNow(value)))
        : Effect.void

    // Runs one acquisition outside the caller's fiber and publishes its outcome.
    const startAcquire = (deferred: Deferred.Deferred<A, E>): Effect.Effect<void> =>
      Effect.flatMap(Ref.get(state), (s) =>
        s.strikes === 0 ? Effect.void : Effect.sleep(Duration.millis(Math.min(maxBackoff, backoff * 2 ** (s.strikes - 1))))
      ).pipe(
        Effect.zipRight(options.acquire),
        Effect.provide(context),
        Effect.flatMap((value) =>
          Effect.flatMap(
            Clock.currentTimeMillis,
            (now) => Timing.timing(value, options.expiresAt?.(value), now, { maxMillis: maxMargin, ratio })
          ).pipe(
            Effect.flatMap((held) =>
              Ref.modify(state, (s) => [s.held, { ...s, held: Option.some(held), inflight: Option.none() }])
            ),
            Effect.flatMap((previous) =>
              Option.isSome(previous) && previous.value.value !== value
                ? releaseInBackground(previous.value.value)
                : Effect.void
            ),
            Effect.as(value)
          )
        ),
        Effect.onExit((exit) =>
          Exit.isSuccess(exit)
            ? Deferred.succeed(deferred, exit.value)
            : Ref.update(state, (s) => ({ ...s, inflight: Option.none() })).pipe(
              Effect.zipRight(Deferred.failCause(deferred, exit.cause))
            )
        ),
        Effect.ignore,
        FiberSet.run(acquiring),
        Effect.asVoid
      )

    const get: Effect.Effect<A, E> = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const fresh = yield* Deferred.make<A, E>()
      const plan = yield* Ref.modify(state, (s) => SessionState.plan(s, now, fresh))
      switch (plan._tag) {
        case "Closed":
          return yield* Effect.dieMessage("the session was used after its scope closed")
        case "Use":
          return plan.value
        case "UseAndRefresh":
          yield* startAcquire(plan.deferred)
          return plan.value
        case "Wait":
          if (plan.start) yield* startAcquire(plan.deferred)
          return yield* Deferred.await(plan.deferred)
      }
    })

    const invalidate = (stale: A): Effect.Effect<void> =>
      Ref.modify(state, (s) =>
        Option.isSome(s.held) && s.held.value.value === stale
          ? [true, { ...s, held: Option.none() }] as const
          : [false, s] as const).pipe(
          Effect.flatMap((dropped) => (dropped ? releaseInBackground(stale) : Effect.void))
        )

    const withCredential = <B, E2, R2>(
      f: (credential: A) => Effect.Effect<B, E2, R2>
    ): Effect.Effect<B, E | E2, R2> =>
      Effect.gen(function*() {
        for (let relogins = 0;; relogins++) {
          const credential = yield* get
          const result = yield* Effect.either(f(credential))
          if (Either.isRight(result)) {
            yield* Ref.update(state, (s) =>
              Option.isSome(s.held) && s.held.value.value === credential && !s.held.value.accepted
                ? { ...s, strikes: 0, held: Option.some({ ...s.held.value, accepted: true }) }
                : s)
            return result.right
          }
          const error = result.left
          if (!isUnauthorized(error)) return yield* Effect.fail(error)
          // Dropping the rejected credential (if still current) leads the next
          // `get` to a login; one that never worked counts as a strike.
          const dropped = yield* Ref.modify(state, (s) => {
            const current = Option.isSome(s.held) && s.held.value.value === credential
            const strike = current && Option.isSome(s.held) && !s.held.value.accepted ? 1 : 0
            return [current, {
              ...s,
              rejections: s.rejections + 1,
              strikes: s.strikes + strike,
              held: current ? Option.none() : s.held
            }] as const
          })
          if (dropped) yield* releaseInBackground(credential)
          if (relogins >= maxRelogins) {
            yield* Effect.logDebug("credential rejected again; giving up").pipe(
              Effect.annotateLogs({ relogins, maxRelogins })
            )
            return yield* Effect.fail(error)
          }
          yield* Effect.logDebug("credential rejected; using a newer one").pipe(
            Effect.annotateLogs({ relogin: relogins + 1, maxRelogins })
          )
        }
      })

    yield* Scope.addFinalizer(
      scope,
      Effect.gen(function*() {
        yield* Ref.update(state, (s) => ({ ...s, closed: true }))
        if (release !== undefined) {
          const releaseHeld = Effect.gen(function*() {
            // A login already sent may open a session on the server: let it
            // finish, then release what it gave.
            yield* FiberSet.awaitEmpty(acquiring)
            const s = yield* Ref.get(state)
            if (Option.isSome(s.held)) yield* releaseNow(s.held.value.value)
          })
          yield* Effect.all([releaseHeld, FiberSet.awaitEmpty(releasing)], { concurrency: 2, discard: true }).pipe(
            Effect.interruptible,
            Effect.timeout(releaseTimeout),
            Effect.catchAllCause(() =>
              Effect.logWarning("closing the session timed out; a credential may not have been released").pipe(
                Effect.annotateLogs({ timeoutMillis: Duration.toMillis(releaseTimeout) })
              )
            )
          )
        }
        // Whatever is still acquiring stops here (a fiber interrupted before it
        // ran never completes its waiters, so they are interrupted explicitly).
        yield* FiberSet.clear(acquiring)
        const s = yield* Ref.get(state)
        if (Option.isSome(s.inflight)) yield* Deferred.interrupt(s.inflight.value)
      })
    )

    return {
      get,
      invalidate,
      withCredential,
      current: Effect.map(Ref.get(state), (s) => Option.map(s.held, (h) => h.value)),
      acquisitions: Effect.map(Ref.get(state), (s) => s.acquisitions),
      rejections: Effect.map(Ref.get(state), (s) => s.rejections)
    } satisfies Session<A, E>
  })
