/**
 * One HTTP exchange, done right: base URL, per-attempt timeout, body size
 * limit (the body is abandoned and its socket released once it is too
 * large), status → typed error (with a provider-specific reader for error
 * bodies), a redirect policy that never carries a credential to another
 * origin, retries through a {@link RetryPolicy}, a span per operation and per
 * request, and the request's secrets kept out of errors, logs and spans —
 * also when the server echoes them back.
 *
 * It sits on `@effect/platform`'s `HttpClient`, which stays a requirement:
 * provide `FetchHttpClient.layer` (or `NodeHttpClient`) yourself.
 *
 * Each provider client builds its own transport with `make` (its name, its
 * error-body reader, its secrets). The `HttpTransport` tag and
 * `layer`/`layerConfig` serve programs that talk to some other HTTP API with
 * the same machinery.
 *
 * The work is done by small internal modules: `internal/secrets` (what is
 * secret for a request) and `internal/redact` (hiding it), `internal/body`
 * (reading within the limit), `internal/errors` (responses and failures →
 * `ApiError`), `internal/request` (header checks), `internal/redirect` (the
 * policy), `internal/send` (one attempt) and `internal/decode` (JSON decoders).
 *
 * @since 0.1.0
 * @module
 */
import type * as Cookies from "@effect/platform/Cookies"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as ApiError from "./ApiError.js"
import * as Errors from "./internal/errors.js"
import * as Instrument from "./internal/instrument.js"
import * as Redirect from "./internal/redirect.js"
import * as Request from "./internal/request.js"
import * as Retry from "./internal/retry.js"
import * as Secrets from "./internal/secrets.js"
import * as Send from "./internal/send.js"
import type * as RateLimit from "./RateLimit.js"
import * as RetryPolicy from "./RetryPolicy.js"

export { decodeJson, type DecodeOptions, mediaType, mismatchPaths, parseJson } from "./internal/decode.js"
export { omittedExcerpt } from "./ApiError.js"

/**
 * A response whose body has been read (as text) within the size limit.
 *
 * @since 0.1.0
 */
export interface RawResponse extends ApiError.BodySource {
  readonly status: number
  readonly headers: Headers.Headers
  /** Every cookie the response set (all `Set-Cookie` lines, parsed). */
  readonly cookies: Cookies.Cookies
  readonly body: string
  /**
   * Replaces the request's secrets in a text (set by the transport on every
   * response). `ApiError.DecodeError.fromBody` uses it; use it for anything
   * else a decoder takes from the body into an error or a log.
   */
  readonly redact?: ((text: string) => string) | undefined
}

/**
 * A secret value, plain or `Redacted`.
 *
 * @since 0.2.0
 */
export type Secret = Secrets.Secret

/**
 * What `execute` needs to know about one operation.
 *
 * @since 0.1.0
 */
export interface Call<A> {
  /** Operation name, used in errors, logs and the span name. */
  readonly operation: string
  /** The request; its URL is relative to the transport's base URL (absolute URLs are kept). */
  readonly request: HttpClientRequest.HttpClientRequest
  /**
   * Turns an accepted response into the result. Runs inside the retry loop, so
   * it may fail with any `ApiError` (an envelope saying "internal_error" in a
   * 200 becomes a retryable `ServerError`, for instance).
   */
  readonly decode: (response: RawResponse, where: ApiError.Where) => Effect.Effect<A, ApiError.ApiError>
  /**
   * Which statuses go to `decode`; the rest become errors. Default: 2xx.
   * Redirects (301, 302, 303, 307, 308) never get here: the redirect policy
   * follows them or fails with `Redirected`.
   */
  readonly accept?: (status: number) => boolean
  /**
   * Whether repeating the request is harmless. Defaults from the method:
   * GET/HEAD/OPTIONS/PUT/DELETE yes, POST/PATCH no. Non-idempotent calls are
   * never retried unless `retryNonIdempotent` is set.
   */
  readonly idempotent?: boolean
  /** Opt in to retrying a non-idempotent call. */
  readonly retryNonIdempotent?: boolean
  /** Overrides the transport's policy for this call. */
  readonly retryPolicy?: RetryPolicy.RetryPolicy
  /** Overrides the transport's per-attempt timeout for this call. */
  readonly timeout?: Duration.DurationInput
  /**
   * Secret values this call carries besides its secret headers and query
   * parameters (a session id in the path, a password in the body): they are
   * replaced wherever they would appear (URL, errors, logs, spans).
   */
  readonly secrets?: ReadonlyArray<Secret>
  /**
   * For a call that reads a page of a listing: how many jobs the answer
   * holds (the metrics count a page and its jobs).
   *
   * @since 0.2.0
   */
  readonly items?: ((a: A) => number) | undefined
  /** A login (a token exchange, a connection): the metrics count one per call. @since 0.2.0 */
  readonly login?: boolean | undefined
}

/**
 * The transport's settings.
 *
 * @since 0.1.0
 */
export interface Options {
  /** The provider name carried by every error ("insideview", …). */
  readonly provider: string
  /** Prepended to relative request URLs. */
  readonly baseUrl: string
  /** Per-attempt timeout (connect + headers + body, redirects included). Default 30 s. */
  readonly timeout?: Duration.DurationInput
  /** Overall time for one call including retries and waits. Default: none. */
  readonly deadline?: Duration.DurationInput
  /** Retry policy. Default `RetryPolicy.defaultPolicy`. */
  readonly retryPolicy?: RetryPolicy.RetryPolicy
  /** Reads the provider's error code and message from a non-accepted response (its body already redacted). */
  readonly readErrorBody?: (response: RawResponse) => ApiError.Detail
  /**
   * Chooses the error for a non-accepted response when the status alone is
   * not enough (an envelope's error code, say). Gets the error the status
   * would give (`fallback`, already carrying `readErrorBody`'s detail and the
   * parsed `Retry-After`); returns it or another one.
   */
  readonly mapError?: (response: RawResponse, where: ApiError.Where, fallback: ApiError.ApiError) => ApiError.ApiError
  /** Header names holding secrets, besides {@link commonSecretHeaders}: their values are secrets of the call. */
  readonly secretHeaders?: ReadonlyArray<string>
  /** Query parameter names holding secrets: their values are secrets of the call, shown as `<redacted>`. */
  readonly secretParams?: ReadonlyArray<string>
  /** Secret values any call may carry or a server may echo (an API key, a password, a client secret). */
  readonly secrets?: ReadonlyArray<Secret>
  /** Largest response body accepted, in bytes. Default 32 MiB. */
  readonly maxBodyBytes?: number
  /** Called with every response (any status) before it is judged; e.g. to keep cookies. */
  readonly onResponse?: (response: RawResponse) => Effect.Effect<void>
  /** Last chance to adjust the underlying client (proxies, extra headers, …). */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
  /**
   * A client-side rate limiter: every attempt takes a permit first, and a
   * 429 pauses every fiber that shares it (for its `Retry-After`, else the
   * limiter's lock-out). Share one among the clients of one account.
   *
   * @since 0.2.0
   */
  readonly rateLimit?: RateLimit.Service | undefined
  /** Record the `Metrics` (requests, latency, retries, logins, limiter waits, pages, jobs). Default true. @since 0.2.0 */
  readonly metrics?: boolean | undefined
}

/**
 * The service.
 *
 * @since 0.1.0
 */
export interface Service {
  readonly provider: string
  readonly baseUrl: string
  /** Sends the request, with timeout, retries and error mapping, and decodes the answer. */
  readonly execute: <A>(call: Call<A>) => Effect.Effect<A, ApiError.ApiError>
  /** The URL as it may appear in errors and logs. */
  readonly redactUrl: (url: string, secrets?: ReadonlyArray<Secret>) => string
  /** Error context for a call that fails before any request is made. */
  readonly where: (
    operation: string,
    request: HttpClientRequest.HttpClientRequest,
    secrets?: ReadonlyArray<Secret>
  ) => ApiError.Where
  /** A text with this transport's secrets (and `secrets`) replaced, for a provider's own logs and errors. */
  readonly redact: (text: string, secrets?: ReadonlyArray<Secret>) => string
}

/**
 * A generic transport, for programs that bring their own API. Providers use `make` directly.
 *
 * @since 0.1.0
 */
export class HttpTransport extends Context.Tag("@jobstream/core/HttpTransport")<HttpTransport, Service>() {}

/**
 * Default per-attempt timeout.
 *
 * @since 0.1.0
 */
export const defaultTimeout = Duration.seconds(30)
/**
 * Default maximum body size.
 *
 * @since 0.1.0
 */
export const defaultMaxBodyBytes = 32 * 1024 * 1024
/**
 * Most same-origin redirects of a GET followed within one attempt.
 *
 * @since 0.2.0
 */
export const maxRedirects = Redirect.maxRedirects

/**
 * Header names every transport treats as secret, whatever the provider.
 *
 * @since 0.1.0
 */
export const commonSecretHeaders: ReadonlyArray<string> = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "proxy-authorization"
]

/**
 * A short, secret-free account of why a request failed (the system error code and message).
 *
 * @since 0.1.0
 */
export const describeCause: (error: unknown) => string = Errors.describeCause

/**
 * Builds a transport over the `HttpClient` in context.
 *
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const base = yield* HttpClient.HttpClient
    // A RequestInit in context when the transport is built is kept under ours (see Send).
    const requestInit = Option.getOrUndefined(yield* Effect.serviceOption(FetchHttpClient.RequestInit))
    const provider = options.provider
    const baseUrl = options.baseUrl.replace(/\/+$/, "")
    const timeout = Duration.decode(options.timeout ?? defaultTimeout)
    const deadline = options.deadline === undefined ? undefined : Duration.decode(options.deadline)
    const policy = options.retryPolicy ?? RetryPolicy.defaultPolicy
    const secretHeaders = [...commonSecretHeaders, ...(options.secretHeaders ?? [])].map((h) => h.toLowerCase())
    const secrets = Secrets.make({
      baseUrl,
      headers: secretHeaders,
      params: options.secretParams ?? [],
      values: options.secrets ?? []
    })

    const where = (
      operation: string,
      request: HttpClientRequest.HttpClientRequest,
      declared?: ReadonlyArray<Secret>
    ): ApiError.Where => ({
      provider,
      operation,
      method: request.method,
      url: secrets.shownUrl(request, secrets.redactorFor(request, declared))
    })

    // Relative URLs get the base URL; absolute ones (a login host) are kept.
    let client = HttpClient.mapRequest(base, (request) => Send.absolute(request, baseUrl))
    if (options.transformClient !== undefined) client = options.transformClient(client)
    // Outermost: the last look at the request as sent, and a scope per request whose
    // closing aborts it (releasing the socket of a body that is not read to the end).
    const http = client.pipe(HttpClient.mapRequestEffect(Request.finalCheck(secrets.isSecretHeader)), HttpClient.withScope)

    const instruments = Instrument.make({ provider, rateLimit: options.rateLimit, metrics: options.metrics ?? true })

    const sender = Send.make({
      http,
      provider,
      baseUrl,
      maxBodyBytes: options.maxBodyBytes ?? defaultMaxBodyBytes,
      requestInit,
      readers: { readErrorBody: options.readErrorBody ?? (() => ({})), mapError: options.mapError },
      isSecretHeader: secrets.isSecretHeader,
      onResponse: options.onResponse
    })

    // The platform's redacted header names plus ours; the same array as long as the names around do not change.
    let namesBefore: ReadonlyArray<string | RegExp> | undefined
    let namesAfter: ReadonlyArray<string | RegExp> = []
    const withSecretHeaders = (names: ReadonlyArray<string | RegExp>): ReadonlyArray<string | RegExp> => {
      if (names !== namesBefore) {
        namesBefore = names
        namesAfter = [...names, ...secretHeaders]
      }
      return namesAfter
    }

    const execute = <A>(call: Call<A>): Effect.Effect<A, ApiError.ApiError> => {
      const redactor = secrets.redactorFor(call.request, call.secrets)
      const ctx: ApiError.Where = {
        provider,
        operation: call.operation,
        method: call.request.method,
        url: secrets.shownUrl(call.request, redactor)
      }
      const carriesSecret = secrets.carriesSecret(call.request, redactor)
      const attemptTimeout = call.timeout === undefined ? timeout : Duration.decode(call.timeout)
      const idempotent = call.idempotent ?? Request.idempotentMethods.has(call.request.method)
      const schedule = idempotent || call.retryNonIdempotent === true ? (call.retryPolicy ?? policy) : RetryPolicy.none
      let program: Effect.Effect<A, ApiError.ApiError> = Retry.retryLazily(
        instruments === undefined
          ? sender.attempt(call, ctx, redactor, carriesSecret, attemptTimeout)
          : instruments.around(call)((observe) => sender.attempt(call, ctx, redactor, carriesSecret, attemptTimeout, observe)),
        schedule
      )
      if (deadline !== undefined) {
        program = Send.withDeadline(program, ctx, deadline)
      }
      return program.pipe(
        Effect.locallyWith(Headers.currentRedactedNames, withSecretHeaders),
        Effect.withSpan(`${provider}.${call.operation}`, {
          kind: "internal",
          captureStackTrace: false,
          attributes: {
            "jobstream.provider": provider,
            "jobstream.operation": call.operation,
            "http.request.method": ctx.method,
            "url.full": ctx.url
          }
        })
      )
    }

    return { provider, baseUrl, execute, redactUrl: secrets.redactUrl, where, redact: secrets.redact } satisfies Service
  })

/**
 * A generic transport as a Layer.
 *
 * @since 0.1.0
 */
export const layer = (options: Options): Layer.Layer<HttpTransport, never, HttpClient.HttpClient> =>
  Layer.effect(HttpTransport, make(options))

/**
 * A generic transport configured from `<PREFIX>_BASE_URL` and `<PREFIX>_TIMEOUT` (a duration, e.g. "10 seconds").
 *
 * @since 0.1.0
 */
export const layerConfig = (
  provider: string,
  prefix: string,
  rest: Omit<Options, "provider" | "baseUrl" | "timeout"> = {}
): Layer.Layer<HttpTransport, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    HttpTransport,
    Effect.flatMap(
      Config.all({
        baseUrl: Config.string(`${prefix}_BASE_URL`),
        timeout: Config.withDefault(Config.duration(`${prefix}_TIMEOUT`), defaultTimeout)
      }),
      ({ baseUrl, timeout }) => make({ ...rest, provider, baseUrl, timeout })
    )
  )
