/**
 * When a held credential is replaced: a refresh margin relative to its
 * lifetime, and what to do with an expiry that is already past.
 */
import * as Effect from "effect/Effect"

/** A credential as the session holds it. */
export interface Held<A> {
  readonly value: A
  /** The server accepted this credential at least once. */
  readonly accepted: boolean
  readonly expiresAt: number | undefined
  /** From when a background replacement starts. */
  readonly refreshAt: number | undefined
}

/**
 * The refresh margin for a credential living `lifetimeMillis`:
 * `min(maxMillis, ratio × lifetime)`.
 */
export const refreshMargin = (lifetimeMillis: number, maxMillis: number, ratio: number): number =>
  Math.max(0, Math.min(maxMillis, lifetimeMillis * ratio))

/**
 * The timing of a credential acquired at `now` that expires at `expiresAt`
 * (or never, when undefined or infinite). One already past its expiry — or
 * with clocks that disagree — is kept without an expiry (used until the
 * server rejects it) and logged, so it cannot cause a login per request.
 */
export const timing = <A>(
  value: A,
  expiresAt: number | undefined,
  now: number,
  margin: { readonly maxMillis: number; readonly ratio: number }
): Effect.Effect<Held<A>> => {
  const untimed: Held<A> = { value, accepted: false, expiresAt: undefined, refreshAt: undefined }
  if (expiresAt === undefined || expiresAt === Number.POSITIVE_INFINITY) return Effect.succeed(untimed)
  const lifetime = expiresAt - now
  if (Number.isNaN(lifetime) || lifetime <= 0) {
    return Effect.as(
      Effect.logWarning("the new credential is already past its expiry (or the clocks disagree); using it until rejected"),
      untimed
    )
  }
  return Effect.succeed({
    value,
    accepted: false,
    expiresAt,
    refreshAt: expiresAt - refreshMargin(lifetime, margin.maxMillis, margin.ratio)
  })
}
