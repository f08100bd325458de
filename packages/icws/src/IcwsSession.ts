/**
 * The ICWS session: one login (`POST /icws/connection`) shared by every call,
 * its CSRF token and cookies sent on each request, failover to the alternate
 * hosts a 503 names, and every session it opens deleted
 * (`DELETE /icws/{sessionId}/connection`).
 *
 * Lifecycle:
 * - **Login** on the first call (single flight).
 * - **Stale cookie is not a dead session.** When the server rotates the
 *   session cookie (`Set-Cookie` on any response) while other requests are in
 *   flight, a 401 on one of them is retried with the current cookie (up to 5
 *   times per call). Only a 401 on the current cookie means the session is gone.
 * - **Reconnect** after such a 401: one new session for any number of
 *   concurrent 401s, at most `maxRelogins` per call, spaced by a backoff when
 *   new sessions are rejected unused (core `Session`).
 * - **Logout** of the session a reconnect replaced (in the background) and of
 *   the last one when the scope closes, whatever way it closes — after a login
 *   still in flight has finished. Retried on transport errors and timeouts,
 *   bounded by `logoutTimeout` (the scope closes within it even when the
 *   server never answers); a failure is logged at Warning, without secrets.
 *
 * Built on core's `Session` and `HttpTransport` (timeouts, retries, typed
 * errors, spans, redaction).
 *
 * @since 0.1.0
 * @module
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { type ApiError, type ClientOptions, HttpTransport, Provider, RetryPolicy, Session } from "@jobstream/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import type * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as IcwsJob from "./IcwsJob.js"
import { makeConnect } from "./internal/connect.js"
import { inCall, staleCookie, withJar } from "./internal/cookies.js"
import { makeLogout } from "./internal/logout.js"
import * as OptionChecks from "./internal/options.js"
import type { Credential } from "./internal/wire.js"
import { readErrorBody, secretHeaders } from "./internal/wire.js"

export { CookieJar } from "./internal/cookies.js"
export type { Credential } from "./internal/wire.js"
export {
  AlternateHosts,
  ConnectionResponse,
  connectionRequestType,
  readErrorBody,
  resolveAlternate,
  secretHeaders
} from "./internal/wire.js"

// ---------------------------------------------------------------------------
// Options

/**
 * Settings of a session. Besides these, the options every client shares
 * (`ClientOptions.Transport`): `retryPolicy` (of idempotent calls; default
 * `RetryPolicy.defaultPolicy`; never applied to the login), `timeout`,
 * `deadline` (per call), `maxBodyBytes`, `transformClient`.
 *
 * @since 0.1.0
 */
export interface Options extends ClientOptions.Transport {
  /** Scheme, host and port of the ICWS server, e.g. "http://cic1:8018" (HTTPS is usually on 8019). */
  readonly baseUrl: string
  /** The IC user ID. */
  readonly user: string
  /** The IC password. */
  readonly password: Redacted.Redacted<string>
  /** `applicationName` of the connection request. Default "jobstream". */
  readonly applicationName?: string | undefined
  /** `Accept-Language` of the connection (fixed for the session's life). Default "en-us". */
  readonly language?: string | undefined
  /** How many alternate hosts a 503 may send the login to, in total. Default 3. */
  readonly maxAlternates?: number | undefined
  /** Reconnects after 401s within one call (a new session rejected too). Default 2. */
  readonly maxRelogins?: number | undefined
  /**
   * The longest a logout (`DELETE …/connection`, retries included) may take;
   * closing the scope takes at most this long. Default 10 s.
   */
  readonly logoutTimeout?: Duration.DurationInput | undefined
}

/**
 * The defaults of every optional setting, in one place.
 *
 * @since 0.1.0
 */
export const defaults = {
  applicationName: "jobstream",
  language: "en-us",
  maxAlternates: 3,
  maxRelogins: 2,
  logoutTimeout: Duration.seconds(10),
  retryPolicy: RetryPolicy.defaultPolicy,
  timeout: HttpTransport.defaultTimeout,
  maxBodyBytes: HttpTransport.defaultMaxBodyBytes
} as const

/**
 * Retries of one call after 401s on a cookie the server replaced meanwhile.
 *
 * @since 0.2.0
 */
export const maxStaleCookieRetries = 5

// ---------------------------------------------------------------------------
// Service

/**
 * The session service.
 *
 * @since 0.1.0
 */
export interface Service {
  /** The transport every ICWS call goes through. */
  readonly transport: HttpTransport.Service
  /** The retry policy of idempotent calls (the transport's). */
  readonly retryPolicy: RetryPolicy.RetryPolicy
  /** The underlying single-flight credential cache. */
  readonly session: Session.Session<Credential, ApiError.ApiError>
  /**
   * Runs one call with the session's credential (connecting first if
   * needed). A 401 on a cookie the server has replaced meanwhile is retried
   * with the current one; a 401 on the current cookie reconnects (shared by
   * all callers) and retries, at most `maxRelogins` times. Cookies set by the
   * responses go into the credential's jar.
   */
  readonly execute: <A>(build: (credential: Credential) => HttpTransport.Call<A>) => Effect.Effect<A, ApiError.ApiError>
  /**
   * A request to `{host in use}/icws/{sessionId}{path}` with the CSRF token and
   * the ICWS `Accept` header (cookies are added when it is sent).
   */
  readonly request: (
    credential: Credential,
    method: "GET" | "POST" | "DELETE" | "PUT",
    path: string
  ) => HttpClientRequest.HttpClientRequest
  /** The credential currently held, if any. */
  readonly current: Effect.Effect<Option.Option<Credential>>
  /** How many connections have been started so far. */
  readonly connections: Effect.Effect<number>
}

/**
 * The session as a service. Scoped: the logout runs when its scope closes.
 *
 * @since 0.1.0
 */
export class IcwsSession extends Context.Tag("@jobstream/icws/IcwsSession")<IcwsSession, Service>() {}

/**
 * Builds a session living in the current scope. Every option is checked
 * first: a bad one (a base URL that is not plain http(s), an empty user or
 * password, a language that is not a tag, `maxAlternates` outside 0..16, a
 * zero timeout, …) fails with a `ConfigError` naming the option, and nothing
 * is sent.
 *
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* OptionChecks.resolveSession(options, defaults)
    const primary = resolved.baseUrl
    const { timeout, transformClient } = resolved.transport
    const logoutTimeout = resolved.logoutTimeout
    const retryPolicy = resolved.transport.retryPolicy ?? defaults.retryPolicy
    // How long a 401 waits for the answers of requests in flight (one may bring a new cookie).
    const peerWait = Duration.min(timeout, Duration.seconds(5))

    const transport = yield* HttpTransport.make({
      ...resolved.transport,
      provider: IcwsJob.provider,
      baseUrl: primary,
      retryPolicy,
      readErrorBody,
      secretHeaders,
      // The session id travels in every path and the CSRF token and cookies in headers: each
      // call declares its session id (see `execute`); the headers are secret by name.
      secrets: [resolved.password],
      // Cookies are handled on the platform response (which keeps every
      // Set-Cookie line) and the Cookie header is added per attempt.
      transformClient: (client) => (transformClient === undefined ? withJar(client) : transformClient(withJar(client)))
    })

    const acquire = makeConnect({
      transport,
      primary,
      user: resolved.user,
      password: resolved.password,
      applicationName: resolved.applicationName,
      language: resolved.language,
      maxAlternates: resolved.maxAlternates
    })

    const request = (
      credential: Credential,
      method: "GET" | "POST" | "DELETE" | "PUT",
      path: string
    ): HttpClientRequest.HttpClientRequest =>
      HttpClientRequest.make(method)(
        `${credential.baseUrl}/icws/${encodeURIComponent(credential.sessionId)}${path}`
      ).pipe(
        HttpClientRequest.setHeader("ININ-ICWS-CSRF-Token", Redacted.value(credential.csrfToken)),
        HttpClientRequest.accept(IcwsJob.mediaType)
      )

    const logout = makeLogout({
      transport,
      request: (credential) => request(credential, "DELETE", "/connection"),
      timeout: logoutTimeout,
      attemptTimeout: timeout
    })

    const session = yield* Session.make<Credential, ApiError.ApiError, never>({
      acquire,
      release: logout,
      releaseReplaced: true,
      releaseTimeout: logoutTimeout,
      maxRelogins: resolved.maxRelogins
    })

    // One call on one session: a 401 caused by a cookie replaced meanwhile is
    // retried with the current cookie; any other 401 goes up to the Session.
    const onSession = <A>(credential: Credential, build: (credential: Credential) => HttpTransport.Call<A>) =>
      Effect.gen(function*() {
        for (let stale = 0;; stale++) {
          const { call, run } = inCall(credential.cookies)
          // Every call carries the session id in its path: declared as a secret of the call.
          const built = build(credential)
          const result = yield* Effect.either(
            run(transport.execute({ ...built, secrets: [...(built.secrets ?? []), credential.sessionId] }))
          )
          if (Either.isRight(result)) return result.right
          const error = result.left
          if (error._tag !== "Unauthorized" || stale >= maxStaleCookieRetries) return yield* Effect.fail(error)
          if (!(yield* staleCookie(call, peerWait))) return yield* Effect.fail(error)
          yield* Effect.logDebug("ICWS: 401 on a cookie replaced meanwhile; retrying with the current one").pipe(
            Effect.annotateLogs({ operation: error.operation })
          )
        }
      })

    const execute = <A>(build: (credential: Credential) => HttpTransport.Call<A>) =>
      session.withCredential((credential) => onSession(credential, build))

    return {
      transport,
      retryPolicy,
      session,
      execute,
      request,
      current: session.current,
      connections: session.acquisitions
    } satisfies Service
  })

/**
 * The session as a scoped Layer (logs out when the layer is released); a bad option is a `ConfigError`.
 *
 * @since 0.1.0
 */
export const layer: (options: Options) => Layer.Layer<IcwsSession, ConfigError.ConfigError, HttpClient.HttpClient> =
  Provider.layers(IcwsSession, make).layer

/**
 * The environment variables {@link config} reads.
 *
 * @since 0.2.0
 */
export const variables = OptionChecks.variables

/**
 * The options from the environment: `ICWS_BASE_URL`, `ICWS_USER`,
 * `ICWS_PASSWORD` (secret), and optional `ICWS_APPLICATION_NAME` (default
 * "jobstream"), `ICWS_LANGUAGE` (default "en-us") and `ICWS_LOGOUT_TIMEOUT`
 * (a duration such as "5 seconds"; default 10 s). Each variable is checked
 * as it is read: one that is missing, empty or blank, or malformed (a base
 * URL that is not plain http(s), a language that is not a tag, a duration
 * that does not read) is a `ConfigError` whose path is the variable's name.
 * To change other options, map it: `Config.map(config, (o) => ({ ...o, maxRelogins: 1 }))`.
 *
 * @since 0.1.0
 */
export const config: Config.Config<Options> = OptionChecks.config

/**
 * The session from a configuration (the Effect convention: each option a
 * `Config`, or one `Config` of them all), by default {@link config}; logged
 * out when the layer is released.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  options: Config.Config.Wrap<Options> = config
): Layer.Layer<IcwsSession, ConfigError.ConfigError, HttpClient.HttpClient> => Provider.layers(IcwsSession, make).layerConfig(options)
