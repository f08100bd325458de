/**
 * The state of a `Session` and the one decision `get` makes on it: use the
 * credential held, use it and start a refresh, wait for an acquisition (and
 * maybe start it), or refuse because the session is closed.
 */
import type * as Deferred from "effect/Deferred"
import * as Option from "effect/Option"
import type { Held } from "./credentialTiming.js"

/** What a session holds. */
export interface State<A, E> {
  readonly held: Option.Option<Held<A>>
  readonly inflight: Option.Option<Deferred.Deferred<A, E>>
  readonly acquisitions: number
  readonly rejections: number
  /** Credentials rejected in a row without a single accepted use. */
  readonly strikes: number
  readonly closed: boolean
}

/** A session with nothing held yet. */
export const initial = <A, E>(): State<A, E> => ({
  held: Option.none(),
  inflight: Option.none(),
  acquisitions: 0,
  rejections: 0,
  strikes: 0,
  closed: false
})

/** What `get` does. */
export type Plan<A, E> =
  | { readonly _tag: "Use"; readonly value: A }
  | { readonly _tag: "Wait"; readonly deferred: Deferred.Deferred<A, E>; readonly start: boolean }
  | { readonly _tag: "UseAndRefresh"; readonly value: A; readonly deferred: Deferred.Deferred<A, E> }
  | { readonly _tag: "Closed" }

/**
 * The decision of `get` at `now`; `fresh` is the deferred a new acquisition
 * would publish to. Returns the plan and the state after it.
 */
export const plan = <A, E>(
  s: State<A, E>,
  now: number,
  fresh: Deferred.Deferred<A, E>
): readonly [Plan<A, E>, State<A, E>] => {
  if (s.closed) return [{ _tag: "Closed" }, s]
  if (Option.isSome(s.held)) {
    const { expiresAt, refreshAt, value } = s.held.value
    if (refreshAt === undefined || expiresAt === undefined || now < refreshAt) return [{ _tag: "Use", value }, s]
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
    { ...s, held: Option.none(), inflight: Option.some(fresh), acquisitions: s.acquisitions + 1 }
  ]
}
