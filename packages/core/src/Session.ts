/**
 * A single-flight credential cache: a token, a login session, anything that
 * is expensive to get, shared by many concurrent requests, and occasionally
 * rejected by the server.
 *
 * - `get` returns the current credential, or acquires one; concurrent callers
 *   while an acquisition runs all wait for that one acquisition.
 * - With `expiresAt`, a credential is used until `refreshAhead` before its
 *   expiry; inside that window callers still get the current credential while
 *   one background acquisition replaces it; after expiry callers wait for a
 *   fresh one.
 * - `invalidate(stale)` drops the credential only if it is still the current
 *   one, so a burst of 401s on the same token causes one re-login, and a late
 *   401 on an old token does not throw away a fresh one.
 * - `withCredential(f)` runs `f` with the credential and, when `f` fails with
 *   `Unauthorized`, invalidates that credential and runs `f` once more with a
 *   fresh one (never more than once per call).
 * - `release` runs for the credential held when the scope closes (log out).
 *
 * An acquisition is not tied to the caller that triggered it: interrupting
 * that caller does not cancel a login other callers are waiting for.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"

/** The service a session offers. */
export interface Session<A, E> {
  /** The current credential, acquiring one if needed (single flight). */
  readonly get: Effect.Effect<A, E>
  /** Drops `stale` if it is still the current credential; otherwise does nothing. */
  readonly invalidate: (stale: A) => Effect.Effect<void>
  /** Runs `f` with the credential; after an `Unauthorized`, once more with a fresh one. */
  readonly withCredential: <B, E2, R>(f: (credential: A) => Effect.Effect<B, E2, R>) => Effect.Effect<B, E | E2, R>
  /** The credential currently held, without acquiring. */
  readonly current: Effect.Effect<Option.Option<A>>
  /** How many acquisitions have started (for tests and metrics). */
  readonly acquisitions: Effect.Effect<number>
}

/** How to get, time and release a credential. */
export interface Options<A, E, R> {
  /** Gets a fresh credential. */
  readonly acquire: Effect.Effect<A, E, R>
  /** When the credential stops being valid (epoch millis), if it expires. */
  readonly expiresAt?: (credential: A) => number | undefined
  /** How long before expiry to start replacing the credential. Default 60 s. */
  readonly refreshAhead?: Duration.DurationInput
  /** Releases the credential held when the scope closes (e.g. log out). Failures are logged and ignored. */
  readonly release?: (credential: A) => Effect.Effect<void, unknown, R>
  /** What counts as "the server rejected the credential". Default: an error tagged `Unauthorized`. */
  readonly isUnauthorized?: (error: unknown) => boolean
}

interface Held<A> {
  readonly value: A
  readonly expiresAt: number | undefined
}

interface State<A, E> {
  readonly held: Option.Option<Held<A>>
  readonly inflight: Option.Option<Deferred.Deferred<A, E>>
  readonly acquisitions: number
}

/** Default test for "the credential was rejected". */
export const isUnauthorizedError = (error: unknown): boolean =>
  typeof error === "object" && error !== null && (error as { _tag?: unknown })._tag === "Unauthorized"

/** Builds a session living in the current scope. */
export const make = <A, E, R>(options: Options<A, E, R>): Effect.Effect<Session<A, E>, never, R | Scope.Scope> =>
  Effect.gen(function*() {
    const scope = yield* Effect.scope
    const context = yield* Effect.context<R>()
    const refreshAhead = Duration.toMillis(Duration.decode(options.refreshAhead ?? Duration.seconds(60)))
    const isUnauthorized = options.isUnauthorized ?? isUnauthorizedError
    const state = yield* Ref.make<State<A, E>>({ held: Option.none(), inflight: Option.none(), acquisitions: 0 })

    // Runs one acquisition in the session's scope and publishes its outcome.
    const startAcquire = (deferred: Deferred.Deferred<A, E>): Effect.Effect<void> =>
      options.acquire.pipe(
        Effect.provide(context),
        Effect.flatMap((value) =>
          Ref.update(state, (s) => ({
            ...s,
            held: Option.some({ value, expiresAt: options.expiresAt?.(value) }),
            inflight: Option.none()
          })).pipe(Effect.as(value))
        ),
        Effect.onExit((exit) =>
          Exit.isSuccess(exit)
            ? Deferred.succeed(deferred, exit.value)
            : Ref.update(state, (s) => ({ ...s, inflight: Option.none() })).pipe(
              Effect.zipRight(Deferred.failCause(deferred, exit.cause))
            )
        ),
        Effect.ignore,
        Effect.forkIn(scope),
        Effect.asVoid
      )

    type Plan =
      | { readonly _tag: "Use"; readonly value: A }
      | { readonly _tag: "Wait"; readonly deferred: Deferred.Deferred<A, E>; readonly start: boolean }
      | { readonly _tag: "UseAndRefresh"; readonly value: A; readonly deferred: Deferred.Deferred<A, E> }

    const get: Effect.Effect<A, E> = Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const fresh = yield* Deferred.make<A, E>()
      const plan = yield* Ref.modify(state, (s): readonly [Plan, State<A, E>] => {
        if (Option.isSome(s.held)) {
          const { expiresAt, value } = s.held.value
          if (expiresAt === undefined || now < expiresAt - refreshAhead) return [{ _tag: "Use", value }, s]
          if (now < expiresAt) {
            if (Option.isSome(s.inflight)) return [{ _tag: "Use", value }, s]
            return [
              { _tag: "UseAndRefresh", value, deferred: fresh },
              { ...s, inflight: Option.some(fresh), acquisitions: s.acquisitions + 1 }
            ]
          }
        }
        if (Option.isSome(s.inflight)) return [{ _tag: "Wait", deferred: s.inflight.value, start: false }, s]
        return [
          { _tag: "Wait", deferred: fresh, start: true },
          { held: Option.none(), inflight: Option.some(fresh), acquisitions: s.acquisitions + 1 }
        ]
      })
      switch (plan._tag) {
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
      Ref.update(state, (s) =>
        Option.isSome(s.held) && s.held.value.value === stale ? { ...s, held: Option.none() } : s)

    const withCredential = <B, E2, R2>(
      f: (credential: A) => Effect.Effect<B, E2, R2>
    ): Effect.Effect<B, E | E2, R2> =>
      Effect.flatMap(get, (credential) =>
        f(credential).pipe(
          Effect.catchIf(
            (error): error is E2 => isUnauthorized(error),
            () =>
              Effect.logDebug("credential rejected; acquiring a fresh one").pipe(
                Effect.zipRight(invalidate(credential)),
                Effect.zipRight(get),
                Effect.flatMap(f)
              )
          )
        ))

    if (options.release !== undefined) {
      const release = options.release
      yield* Scope.addFinalizer(
        scope,
        Effect.gen(function*() {
          // A login still running when the scope closes is interrupted with
          // the scope's other fibers; only a credential already held is released.
          const s = yield* Ref.get(state)
          if (Option.isSome(s.held)) {
            yield* release(s.held.value.value).pipe(
              Effect.provide(context),
              Effect.catchAllCause((cause) => Effect.logWarning("releasing the credential failed", cause))
            )
          }
        })
      )
    }

    return {
      get,
      invalidate,
      withCredential,
      current: Effect.map(Ref.get(state), (s) => Option.map(s.held, (h) => h.value)),
      acquisitions: Effect.map(Ref.get(state), (s) => s.acquisitions)
    } satisfies Session<A, E>
  })
