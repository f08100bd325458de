/**
 * The cookies of an ICWS session, and how a 401 caused by a cookie the server
 * has just replaced is told apart from a 401 on a dead session.
 *
 * The server may rotate the session cookie (`Set-Cookie` on any response)
 * while other requests are in flight with the old value; those come back 401
 * although the session is alive. The jar therefore counts its changes
 * (`version`), every call records the version its request carried, and the
 * jar knows which requests are in flight. A 401 is a stale cookie when the jar
 * changed since the request was sent — or changes once the requests that were
 * in flight at that moment have had their answers (one of them may be
 * bringing the new cookie).
 */
import type * as Cookies from "@effect/platform/Cookies"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Deferred from "effect/Deferred"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Inspectable from "effect/Inspectable"

/**
 * The cookies of one ICWS session. Filled from every `Set-Cookie` the session's
 * responses carry and replayed as `Cookie` on each request. Its values never
 * print: logging or serializing a jar shows the cookie names only.
 *
 * @since 0.1.0
 */
export class CookieJar implements Inspectable.Inspectable {
  readonly #cookies = new Map<string, string>()
  readonly #inflight = new Set<Deferred.Deferred<void>>()
  #version = 0

  /** Stores (or, for an empty value or a past expiry, removes) cookies from a response. */
  absorb(cookies: Cookies.Cookies): void {
    for (const cookie of Object.values(cookies.cookies)) {
      const expired = cookie.options?.expires !== undefined && cookie.options.expires.getTime() <= Date.now()
      if (cookie.valueEncoded === "" || expired) {
        if (this.#cookies.delete(cookie.name)) this.#version++
      } else if (this.#cookies.get(cookie.name) !== cookie.valueEncoded) {
        this.#cookies.set(cookie.name, cookie.valueEncoded)
        this.#version++
      }
    }
  }

  /** The `Cookie` header value, or undefined when the jar is empty. */
  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join("; ")
  }

  /** The names of the stored cookies. */
  names(): ReadonlyArray<string> {
    return [...this.#cookies.keys()]
  }

  /** How many times a cookie value changed (0 for a new jar). */
  get version(): number {
    return this.#version
  }

  /** Marks a request as in flight until `done` completes. */
  track(done: Deferred.Deferred<void>): void {
    this.#inflight.add(done)
  }

  /** The request is no longer in flight. */
  untrack(done: Deferred.Deferred<void>): void {
    this.#inflight.delete(done)
  }

  /** The requests in flight right now. */
  inflight(): ReadonlyArray<Deferred.Deferred<void>> {
    return [...this.#inflight]
  }

  /** What the jar shows when serialized: the cookie names, never their values. */
  toJSON(): unknown {
    return { _id: "CookieJar", names: this.names() }
  }
  /** The cookie names, without their values. */
  toString(): string {
    return `CookieJar(${this.names().join(", ")})`
  }
  /** What `util.inspect` (and so any printing of the object) shows: the same as `toJSON`. */
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/** One call's view of the jar: which version its last request carried. */
export interface CallCookies {
  readonly jar: CookieJar
  sent: number | undefined
}

/** The call in progress, so the client hooks know which jar to use. */
export const currentCall = FiberRef.unsafeMake<CallCookies | undefined>(undefined)

/** Runs `effect` as a call using `jar`; returns the call record with it. */
export const inCall = (jar: CookieJar) => {
  const call: CallCookies = { jar, sent: undefined }
  return { call, run: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.locally(effect, currentCall, call) }
}

/**
 * Adds the jar to a client: each request gets the current `Cookie` header
 * (and its version is recorded), each response's `Set-Cookie` lines go into
 * the jar as soon as its headers arrive, and requests are tracked while in flight.
 */
export const withJar = (client: HttpClient.HttpClient): HttpClient.HttpClient =>
  client.pipe(
    HttpClient.mapRequestEffect((request) =>
      Effect.map(FiberRef.get(currentCall), (call) => {
        if (call === undefined) return request
        call.sent = call.jar.version
        const header = call.jar.header()
        return header === undefined ? request : HttpClientRequest.setHeader(request, "cookie", header)
      })
    ),
    HttpClient.transform((effect) =>
      Effect.flatMap(FiberRef.get(currentCall), (call) => {
        if (call === undefined) return effect
        const jar = call.jar
        return Effect.flatMap(Deferred.make<void>(), (done) =>
          Effect.sync(() => jar.track(done)).pipe(
            Effect.zipRight(effect),
            Effect.tap((response) => Effect.sync(() => jar.absorb(response.cookies))),
            Effect.ensuring(Effect.sync(() => jar.untrack(done)).pipe(Effect.zipRight(Deferred.succeed(done, undefined))))
          ))
      })
    )
  )

/**
 * Whether a 401 on this call was caused by a cookie the server has replaced
 * since the request went out. When the jar has not changed yet, waits (at
 * most `wait`) for the requests in flight at this moment to get their
 * answers, then looks again.
 */
export const staleCookie = (call: CallCookies, wait: Duration.DurationInput): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    const sent = call.sent
    if (sent === undefined) return false
    if (call.jar.version !== sent) return true
    const peers = call.jar.inflight()
    if (peers.length === 0) return false
    yield* Effect.forEach(peers, (done) => Deferred.await(done), { discard: true }).pipe(
      Effect.timeout(wait),
      Effect.ignore
    )
    return call.jar.version !== sent
  })
