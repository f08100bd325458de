/**
 * One HTTP exchange, done right: base URL, per-attempt timeout, body size
 * limit, status → typed error (with a provider-specific reader for error
 * bodies), retries through a {@link RetryPolicy}, a span per operation, and
 * secrets kept out of errors, logs and spans.
 *
 * It sits on `@effect/platform`'s `HttpClient`, which stays a requirement:
 * provide `FetchHttpClient.layer` (or `NodeHttpClient`) yourself.
 *
 * Each provider client builds its own transport with `make` (its name, its
 * error-body reader, its secret headers). The `HttpTransport` tag and
 * `layer`/`layerConfig` serve programs that talk to some other HTTP API with
 * the same machinery.
 *
 * @since 0.1.0
 */
import type * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as ApiError from "./ApiError.js"
import * as RetryPolicy from "./RetryPolicy.js"

/** A response whose body has been read (as text) within the size limit. */
export interface RawResponse {
  readonly status: number
  readonly headers: Headers.Headers
  /** Every cookie the response set (all `Set-Cookie` lines, parsed). */
  readonly cookies: Cookies.Cookies
  readonly body: string
}

/** What `execute` needs to know about one operation. */
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
  /** Which statuses go to `decode`; the rest become errors. Default: 2xx. */
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
}

/** The transport's settings. */
export interface Options {
  /** The provider name carried by every error ("insideview", …). */
  readonly provider: string
  /** Prepended to relative request URLs. */
  readonly baseUrl: string
  /** Per-attempt timeout (connect + headers + body). Default 30 s. */
  readonly timeout?: Duration.DurationInput
  /** Overall time for one call including retries and waits. Default: none. */
  readonly deadline?: Duration.DurationInput
  /** Retry policy. Default `RetryPolicy.defaultPolicy`. */
  readonly retryPolicy?: RetryPolicy.RetryPolicy
  /** Reads the provider's error code and message from a non-accepted response. */
  readonly readErrorBody?: (response: RawResponse) => ApiError.Detail
  /**
   * Chooses the error for a non-accepted response when the status alone is
   * not enough (an envelope's error code, say). Gets the error the status
   * would give (`fallback`, already carrying `readErrorBody`'s detail and the
   * parsed `Retry-After`); returns it or another one.
   */
  readonly mapError?: (response: RawResponse, where: ApiError.Where, fallback: ApiError.ApiError) => ApiError.ApiError
  /** Header names holding secrets; added to the redacted names for spans and logs. */
  readonly secretHeaders?: ReadonlyArray<string>
  /** Query parameter names holding secrets; their values never leave the transport. */
  readonly secretParams?: ReadonlyArray<string>
  /** Extra URL scrubbing (e.g. a session id in the path). */
  readonly redactPath?: (path: string) => string
  /** Largest response body accepted, in bytes. Default 32 MiB. */
  readonly maxBodyBytes?: number
  /** Called with every response (any status) before it is judged; e.g. to keep cookies. */
  readonly onResponse?: (response: RawResponse) => Effect.Effect<void>
  /** Last chance to adjust the underlying client (proxies, extra headers, …). */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

/** The service. */
export interface Service {
  readonly provider: string
  readonly baseUrl: string
  /** Sends the request, with timeout, retries and error mapping, and decodes the answer. */
  readonly execute: <A>(call: Call<A>) => Effect.Effect<A, ApiError.ApiError>
  /** The URL as it may appear in errors and logs. */
  readonly redactUrl: (url: string) => string
  /** Error context for a call that fails before any request is made. */
  readonly where: (operation: string, request: HttpClientRequest.HttpClientRequest) => ApiError.Where
}

/** A generic transport, for programs that bring their own API. Providers use `make` directly. */
export class HttpTransport extends Context.Tag("@jobstream/core/HttpTransport")<HttpTransport, Service>() {}

/** Default per-attempt timeout. */
export const defaultTimeout = Duration.seconds(30)
/** Default maximum body size. */
export const defaultMaxBodyBytes = 32 * 1024 * 1024

/** Header names every transport redacts, whatever the provider. */
export const commonSecretHeaders: ReadonlyArray<string> = [
  "authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "proxy-authorization"
]

const idempotentMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])

/** Builds a transport over the `HttpClient` in context. */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const base = yield* HttpClient.HttpClient
    const provider = options.provider
    const baseUrl = options.baseUrl.replace(/\/+$/, "")
    const timeout = Duration.decode(options.timeout ?? defaultTimeout)
    const deadline = options.deadline === undefined ? undefined : Duration.decode(options.deadline)
    const policy = options.retryPolicy ?? RetryPolicy.defaultPolicy
    const maxBodyBytes = options.maxBodyBytes ?? defaultMaxBodyBytes
    const secretHeaders = [...commonSecretHeaders, ...(options.secretHeaders ?? []).map((h) => h.toLowerCase())]
    const secretParams = new Set((options.secretParams ?? []).map((p) => p.toLowerCase()))
    const readErrorBody = options.readErrorBody ?? (() => ({}))
    const onResponse = options.onResponse
    const mapError = options.mapError

    const redactUrl = (url: string): string => {
      // Nothing to scrub: no user info, no secret parameters, no path redactor.
      if (secretParams.size === 0 && options.redactPath === undefined && !url.includes("@")) return url
      let parsed: URL
      try {
        parsed = new URL(url)
      } catch {
        return "<invalid url>"
      }
      parsed.username = ""
      parsed.password = ""
      if (secretParams.size > 0) {
        for (const key of [...parsed.searchParams.keys()]) {
          if (secretParams.has(key.toLowerCase())) parsed.searchParams.set(key, "<redacted>")
        }
      }
      if (options.redactPath !== undefined) parsed.pathname = options.redactPath(parsed.pathname)
      return decodeURIComponent(parsed.toString()).replace(/%3Credacted%3E/gi, "<redacted>")
    }

    const fullUrl = (request: HttpClientRequest.HttpClientRequest): string => {
      const url = /^https?:\/\//i.test(request.url) ? request.url : `${baseUrl}${request.url}`
      if (request.urlParams.length === 0) return url
      const qs = new URLSearchParams(request.urlParams.map(([k, v]) => [k, v] as [string, string])).toString()
      return `${url}${url.includes("?") ? "&" : "?"}${qs}`
    }

    const where = (operation: string, request: HttpClientRequest.HttpClientRequest): ApiError.Where => ({
      provider,
      operation,
      method: request.method,
      url: redactUrl(fullUrl(request))
    })

    // The platform's own client span keeps the request as sent: its URL with
    // the query, and (in the error it ends with, when a request fails below
    // HTTP) the raw headers. For any request carrying a secret — a secret
    // header, a secret query parameter, or a path this transport redacts —
    // that span is switched off; ours, with the redacted URL, covers the call.
    const carriesSecret = (request: HttpClientRequest.HttpClientRequest): boolean =>
      options.redactPath !== undefined ||
      secretHeaders.some((name) => name in request.headers) ||
      (secretParams.size > 0 && request.urlParams.some(([k]) => secretParams.has(k.toLowerCase())))

    // Relative URLs get the base URL; absolute ones (a login host) are kept.
    let client = HttpClient.mapRequest(base, (request) =>
      /^https?:\/\//i.test(request.url) ? request : HttpClientRequest.prependUrl(request, baseUrl)).pipe(
        HttpClient.withTracerDisabledWhen(carriesSecret)
      )
    if (options.transformClient !== undefined) client = options.transformClient(client)
    const http = client

    const readBody = (
      response: HttpClientResponse.HttpClientResponse,
      ctx: ApiError.Where
    ): Effect.Effect<RawResponse, ApiError.ApiError> => {
      const declared = Option.getOrUndefined(Headers.get(response.headers, "content-length"))
      const declaredBytes = declared === undefined ? undefined : Number(declared)
      const tooLarge = (bytes: number) =>
        new ApiError.DecodeError({
          ...ctx,
          status: response.status,
          format: "body",
          issue: `the response body (${bytes} bytes or more) exceeds the limit of ${maxBodyBytes} bytes`,
          excerpt: ""
        })
      const raw = (body: string): RawResponse => ({
        status: response.status,
        headers: response.headers,
        cookies: response.cookies,
        body
      })
      // These carry no body by definition, whatever the headers say.
      if (response.status === 204 || response.status === 205 || response.status === 304 || ctx.method === "HEAD") {
        return Effect.succeed(raw(""))
      }
      if (declaredBytes !== undefined && Number.isFinite(declaredBytes) && declaredBytes > maxBodyBytes) {
        return Effect.fail(tooLarge(declaredBytes))
      }
      const cutOff = (error: HttpClientError.ResponseError) =>
        new ApiError.TransportError({ ...ctx, reason: `the response body could not be read: ${describeCause(error)}` })
      const text: Effect.Effect<string, ApiError.ApiError> = declaredBytes !== undefined
        ? Effect.mapError(response.text, cutOff)
        : Effect.suspend(() => {
          // No declared length: read chunk by chunk and stop at the limit.
          const parts: Array<Uint8Array> = []
          let size = 0
          return response.stream.pipe(
            Stream.mapError(cutOff),
            Stream.runForEach((bytes) => {
              size += bytes.byteLength
              if (size > maxBodyBytes) return Effect.fail(tooLarge(size))
              parts.push(bytes)
              return Effect.void
            }),
            Effect.map(() => {
              const all = new Uint8Array(size)
              let offset = 0
              for (const part of parts) {
                all.set(part, offset)
                offset += part.byteLength
              }
              return new TextDecoder().decode(all)
            })
          )
        })
      return Effect.map(text, raw)
    }

    const judge = <A>(call: Call<A>, raw: RawResponse, ctx: ApiError.Where, now: number) => {
      const accept = call.accept ?? ((s: number) => s >= 200 && s < 300)
      if (accept(raw.status)) return call.decode(raw, ctx)
      const detail = safeDetail(readErrorBody, raw)
      const retryAfter = RetryPolicy.parseRetryAfter(
        Option.getOrUndefined(Headers.get(raw.headers, "retry-after")),
        now
      )
      const fallback = ApiError.fromStatus(ctx, raw.status, detail, retryAfter)
      return Effect.fail(mapError === undefined ? fallback : safeMapError(mapError, raw, ctx, fallback))
    }

    // One span per request sent (an attempt), with only secret-free
    // attributes; trace context goes out in the request headers unless the
    // caller turned propagation off with `HttpClient.withTracerPropagation`.
    const send = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.flatMap(
        Effect.all([Effect.currentSpan.pipe(Effect.option), FiberRef.get(HttpClient.currentTracerPropagation)]),
        ([span, propagate]) =>
          http.execute(
            propagate && Option.isSome(span)
              ? HttpClientRequest.setHeaders(request, HttpTraceContext.toHeaders(span.value))
              : request
          )
      )

    const attempt = <A>(call: Call<A>, ctx: ApiError.Where, attemptTimeout: Duration.Duration) =>
      send(call.request).pipe(
        Effect.mapError((error) => fromClientError(error, ctx)),
        Effect.flatMap((response) => readBody(response, ctx)),
        Effect.timeoutFail({
          duration: attemptTimeout,
          onTimeout: () =>
            new ApiError.Timeout({ ...ctx, timeoutMillis: Duration.toMillis(attemptTimeout), scope: "attempt" })
        }),
        Effect.tap((raw) =>
          Effect.zipRight(
            Effect.annotateCurrentSpan("http.response.status_code", raw.status),
            onResponse === undefined ? Effect.void : onResponse(raw)
          )
        ),
        Effect.flatMap((raw) => Effect.flatMap(Clock.currentTimeMillis, (now) => judge(call, raw, ctx, now))),
        Effect.tapError((error) =>
          Effect.logDebug("jobstream request attempt failed").pipe(
            Effect.annotateLogs({ provider, operation: call.operation, error: error._tag, url: ctx.url })
          )
        ),
        Effect.withSpan(`http.client ${ctx.method}`, {
          kind: "client",
          captureStackTrace: false,
          attributes: { "http.request.method": ctx.method, "url.full": ctx.url, "jobstream.provider": provider }
        })
      )

    const execute = <A>(call: Call<A>): Effect.Effect<A, ApiError.ApiError> => {
      const ctx = where(call.operation, call.request)
      const attemptTimeout = call.timeout === undefined ? timeout : Duration.decode(call.timeout)
      const idempotent = call.idempotent ?? idempotentMethods.has(call.request.method)
      const schedule = idempotent || call.retryNonIdempotent === true ? (call.retryPolicy ?? policy) : RetryPolicy.none
      let program: Effect.Effect<A, ApiError.ApiError> = Effect.retry(attempt(call, ctx, attemptTimeout), schedule)
      if (deadline !== undefined) {
        program = Effect.timeoutFail(program, {
          duration: deadline,
          onTimeout: () => new ApiError.Timeout({ ...ctx, timeoutMillis: Duration.toMillis(deadline), scope: "deadline" })
        })
      }
      return program.pipe(
        Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, ...secretHeaders]),
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

    return { provider, baseUrl, execute, redactUrl, where } satisfies Service
  })

/** A generic transport as a Layer. */
export const layer = (options: Options): Layer.Layer<HttpTransport, never, HttpClient.HttpClient> =>
  Layer.effect(HttpTransport, make(options))

/** A generic transport configured from `<PREFIX>_BASE_URL` and `<PREFIX>_TIMEOUT` (a duration, e.g. "10 seconds"). */
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

// ---------------------------------------------------------------------------

const safeDetail = (read: (r: RawResponse) => ApiError.Detail, raw: RawResponse): ApiError.Detail => {
  try {
    return read(raw)
  } catch {
    return {}
  }
}

const safeMapError = (
  map: NonNullable<Options["mapError"]>,
  raw: RawResponse,
  where: ApiError.Where,
  fallback: ApiError.ApiError
): ApiError.ApiError => {
  try {
    return map(raw, where, fallback)
  } catch {
    return fallback
  }
}

const fromClientError = (error: HttpClientError.HttpClientError, ctx: ApiError.Where): ApiError.ApiError => {
  if (error._tag === "RequestError") {
    if (error.reason === "Transport") return new ApiError.TransportError({ ...ctx, reason: describeCause(error) })
    return new ApiError.InvalidRequest({
      provider: ctx.provider,
      operation: ctx.operation,
      issue: error.reason === "InvalidUrl" ? `invalid URL ${ctx.url}` : "the request body could not be encoded"
    })
  }
  return new ApiError.TransportError({ ...ctx, reason: describeCause(error) })
}

/**
 * A short, secret-free account of why a request failed: the innermost system
 * error code (ECONNREFUSED, ECONNRESET, …) or message, never the request.
 */
export const describeCause = (error: unknown): string => {
  const seen = new Set<unknown>()
  let current: unknown = error
  let best = "request failed"
  while (typeof current === "object" && current !== null && !seen.has(current)) {
    seen.add(current)
    const code = (current as { code?: unknown }).code
    const message = (current as { message?: unknown }).message
    if (typeof code === "string" && code !== "") best = typeof message === "string" ? `${code}: ${message}` : code
    else if (typeof message === "string" && message !== "" && !message.includes("http")) best = message
    current = (current as { cause?: unknown }).cause
  }
  return ApiError.truncate(best, 200)
}

/** How a body may be quoted in errors. */
export interface DecodeOptions {
  /**
   * The body may hold a credential (a login answer): errors then quote no
   * excerpt, and a schema mismatch names only the path, not the value.
   */
  readonly sensitive?: boolean
}

/** The excerpt quoted for a body that must not be quoted. */
export const omittedExcerpt = "<omitted: the body may hold a credential>"

const excerptOf = (raw: RawResponse, options: DecodeOptions | undefined): string =>
  options?.sensitive === true ? omittedExcerpt : ApiError.truncate(raw.body.slice(0, 201), 200)

/** Reads a JSON body, turning a parse failure into a `DecodeError`. */
export const parseJson = (
  raw: RawResponse,
  where: ApiError.Where,
  options?: DecodeOptions
): Effect.Effect<unknown, ApiError.DecodeError> =>
  Effect.suspend(() => {
    if (raw.body.trim() === "") {
      return Effect.fail(jsonError(where, raw, "the body is empty", options))
    }
    try {
      return Effect.succeed(JSON.parse(raw.body) as unknown)
    } catch (cause) {
      const issue = options?.sensitive === true
        ? "the body is not valid JSON"
        : cause instanceof Error ? cause.message : "invalid JSON"
      return Effect.fail(jsonError(where, raw, issue, options))
    }
  })

const jsonError = (where: ApiError.Where, raw: RawResponse, issue: string, options: DecodeOptions | undefined) =>
  new ApiError.DecodeError({ ...where, status: raw.status, format: "json", issue, excerpt: excerptOf(raw, options) })

/** The response's media type, lower-cased, without parameters ("application/json"). */
export const mediaType = (raw: RawResponse): string =>
  Option.getOrElse(Headers.get(raw.headers, "content-type"), () => "").split(";")[0]!.trim().toLowerCase()

/**
 * A `decode` for JSON bodies: parse, then decode with the Schema. A parse
 * failure is a `DecodeError` with format "json", a mismatch one with format
 * "schema" and the path of the first offending value.
 */
export const decodeJson = <A, I>(schema: Schema.Schema<A, I, never>, options?: DecodeOptions) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first" })
  return (raw: RawResponse, where: ApiError.Where): Effect.Effect<A, ApiError.DecodeError> =>
    Effect.flatMap(parseJson(raw, where, options), (json) => {
      const result = decode(json)
      if (Either.isRight(result)) return Effect.succeed(result.right)
      const issue = options?.sensitive === true ? mismatchPaths(result.left) : ApiError.formatParseError(result.left)
      return Effect.fail(schemaError(where, raw, issue, options))
    })
}

// Where a mismatch is, without the values found there.
const mismatchPaths = (error: ParseResult.ParseError): string => {
  try {
    const paths = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
      issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")
    )
    return `the body does not have the expected shape at ${[...new Set(paths)].join(", ")}`
  } catch {
    return "the body does not have the expected shape"
  }
}

/** A `DecodeError` for a body that parsed but did not match the expected shape. */
export const schemaError = (
  where: ApiError.Where,
  raw: RawResponse,
  issue: string,
  options?: DecodeOptions
): ApiError.DecodeError =>
  new ApiError.DecodeError({
    ...where,
    status: raw.status,
    format: "schema",
    issue: ApiError.truncate(issue, 1000),
    excerpt: excerptOf(raw, options)
  })
