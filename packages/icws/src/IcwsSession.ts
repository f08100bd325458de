/**
 * The ICWS session: one login (`POST /icws/connection`) shared by every call,
 * its CSRF token and cookies sent on each request, a single-flight reconnect
 * after a 401, failover to the alternate hosts a 503 names, and a logout
 * (`DELETE /icws/{sessionId}/connection`) when the scope closes, whatever way
 * it closes.
 *
 * Built on core's `Session` (single flight, one retry after `Unauthorized`)
 * and `HttpTransport` (timeouts, retries, typed errors, spans, redaction).
 *
 * @since 0.1.0
 */
import type * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ApiError, ClientOptions, HttpTransport, RetryPolicy, Session } from "@jobstream/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import * as Inspectable from "effect/Inspectable"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as IcwsJob from "./IcwsJob.js"
import * as OptionChecks from "./internal/options.js"

// ---------------------------------------------------------------------------
// Options

/** Settings of a session. */
export interface Options {
  /** Scheme, host and port of the ICWS server, e.g. "http://cic1:8018" (HTTPS is usually on 8019). */
  readonly baseUrl: string
  /** The IC user ID. */
  readonly user: string
  /** The IC password. */
  readonly password: Redacted.Redacted<string>
  /** `applicationName` of the connection request. Default "jobstream". */
  readonly applicationName?: string
  /** `Accept-Language` of the connection (fixed for the session's life). Default "en-us". */
  readonly language?: string
  /** How many alternate hosts a 503 may send the login to, in total. Default 3. */
  readonly maxAlternates?: number
  /** Retry policy of idempotent calls. Default `RetryPolicy.defaultPolicy`. Never applied to the login. */
  readonly retryPolicy?: RetryPolicy.RetryPolicy
  /** Per-attempt timeout. Default 30 s. */
  readonly timeout?: Duration.DurationInput
  /** Overall time per call including retries. Default none. */
  readonly deadline?: Duration.DurationInput
  /** Largest response body accepted, in bytes (a typed DecodeError beyond it). Default 32 MiB. */
  readonly maxBodyBytes?: number
  /** Last chance to adjust the underlying HTTP client. */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

/** Defaults of the optional settings. */
export const defaults = {
  applicationName: "jobstream",
  language: "en-us",
  maxAlternates: 3
} as const

// ---------------------------------------------------------------------------
// Credential

/**
 * The cookies of one ICWS session. Filled from every `Set-Cookie` the session's
 * responses carry and replayed as `Cookie` on each request. Its values never
 * print: logging or serializing a jar shows the cookie names only.
 */
export class CookieJar implements Inspectable.Inspectable {
  readonly #cookies = new Map<string, string>()

  /** Stores (or, for an empty value or a past expiry, removes) cookies from a response. */
  absorb(cookies: Cookies.Cookies): void {
    for (const cookie of Object.values(cookies.cookies)) {
      const expired = cookie.options?.expires !== undefined && cookie.options.expires.getTime() <= Date.now()
      if (cookie.valueEncoded === "" || expired) this.#cookies.delete(cookie.name)
      else this.#cookies.set(cookie.name, cookie.valueEncoded)
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

  toJSON(): unknown {
    return { _id: "CookieJar", names: this.names() }
  }
  toString(): string {
    return `CookieJar(${this.names().join(", ")})`
  }
  [Inspectable.NodeInspectSymbol](): unknown {
    return this.toJSON()
  }
}

/** What a successful connection gives. */
export interface Credential {
  /** The session ID (goes in every path). */
  readonly sessionId: string
  /** The CSRF token (sent as `ININ-ICWS-CSRF-Token`). */
  readonly csrfToken: Redacted.Redacted<string>
  /** The session's cookies. */
  readonly cookies: CookieJar
  /** The server actually connected to (after any failover), without trailing slash. */
  readonly baseUrl: string
  /** The user ID the server reported, if any. */
  readonly userId: string | undefined
}

// ---------------------------------------------------------------------------
// Wire shapes of the connection

/** `urn:inin.com:connection:icAuthConnectionRequestSettings` (the password is sent, never kept in errors). */
export const connectionRequestType = "urn:inin.com:connection:icAuthConnectionRequestSettings"

const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { nullable: true })

/** `urn:inin.com:connection:connectionResponse`, the fields this client reads. */
export const ConnectionResponse = Schema.Struct({
  sessionId: opt(Schema.String),
  csrfToken: opt(Schema.String),
  userID: opt(Schema.String),
  userDisplayName: opt(Schema.String),
  icServer: opt(Schema.String),
  alternateHostList: opt(Schema.Array(Schema.String))
})

/** `urn:inin.com:connection:alternateHosts`, the body of a 503 on connect. */
export const AlternateHosts = Schema.Struct({
  errorId: opt(Schema.String),
  message: opt(Schema.String),
  alternateHostList: opt(Schema.Array(Schema.String))
})

/** Header names that carry session secrets; they are redacted everywhere. */
export const secretHeaders: ReadonlyArray<string> = [
  "inin-icws-csrf-token",
  "inin-icws-session-id",
  "cookie",
  "set-cookie"
]


/** Reads `{ errorId, message }` from an error body. */
export const readErrorBody = (raw: HttpTransport.RawResponse): ApiError.Detail => {
  if (raw.body.trim() === "") return {}
  const parsed = Schema.decodeUnknownOption(Schema.parseJson(IcwsJob.ErrorBody))(raw.body)
  return Option.match(parsed, {
    onNone: () => ({}),
    onSome: (body) => ({ providerCode: body.errorId, providerMessage: body.message })
  })
}

/**
 * Resolves an entry of `alternateHostList` against the URL that answered 503.
 * The scheme is the configured one (`scheme`, by default `from`'s): a bare
 * host gets it and keeps `from`'s port and path prefix; `host:port` gets it
 * and keeps the path prefix; a full URL is used as given, but only with the
 * configured scheme or an upgrade to https — a switch from https to http
 * (the password would travel in clear), user info, a query or a fragment make
 * the entry unusable. Undefined when the entry is unusable.
 */
export const resolveAlternate = (from: string, entry: string, scheme?: string): string | undefined => {
  const trimmed = entry.trim()
  if (trimmed === "") return undefined
  try {
    const base = new URL(from)
    const configured = (scheme ?? base.protocol).toLowerCase().replace(/:?$/, ":")
    const full = /^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)
    const target = new URL(full ? trimmed : `${configured}//${trimmed}`)
    if (target.protocol !== "http:" && target.protocol !== "https:") return undefined
    if (configured === "https:" && target.protocol !== "https:") return undefined
    if (target.username !== "" || target.password !== "" || target.search !== "" || target.hash !== "") return undefined
    if (full) return `${target.origin}${target.pathname.replace(/\/+$/, "")}`
    if (target.port === "" && base.port !== "" && !/:\d+$/.test(trimmed)) target.port = base.port
    return `${target.origin}${base.pathname.replace(/\/+$/, "")}`
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------
// Service

/** The session service. */
export interface Service {
  /** The transport every ICWS call goes through. */
  readonly transport: HttpTransport.Service
  /** The underlying single-flight credential cache. */
  readonly session: Session.Session<Credential, ApiError.ApiError>
  /**
   * Runs one call with the session's credential (connecting first if
   * needed); after a 401 reconnects once (shared by all callers) and retries
   * once. Cookies set by the responses go into the credential's jar.
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

/** The session as a service. Scoped: the logout runs when its scope closes. */
export class IcwsSession extends Context.Tag("@jobstream/icws/IcwsSession")<IcwsSession, Service>() {}

/** The jar of the call in progress, so the client hooks know where cookies go. */
const currentJar = FiberRef.unsafeMake<CookieJar | undefined>(undefined)

type ConnectOutcome =
  | { readonly _tag: "Connected"; readonly credential: Credential }
  | { readonly _tag: "Alternates"; readonly hosts: ReadonlyArray<string>; readonly error: ApiError.ApiError }

const isJsonLike = (raw: HttpTransport.RawResponse): boolean => {
  const type = HttpTransport.mediaType(raw)
  return type === "" || type === IcwsJob.mediaType || type === "application/json" || type.endsWith("+json")
}

/**
 * Decodes the login answer (which may be empty when everything came in
 * headers). The body may hold the CSRF token, so errors quote none of it.
 */
const decodeConnectBody = <A, I>(
  schema: Schema.Schema<A, I, never>,
  raw: HttpTransport.RawResponse,
  where: ApiError.Where
): Effect.Effect<A | undefined, ApiError.DecodeError> => {
  if (raw.body.trim() === "") return Effect.succeed(undefined)
  if (!isJsonLike(raw)) {
    const issue = `unexpected content type ${HttpTransport.mediaType(raw)}`
    return Effect.fail(ApiError.DecodeError.fromBody(where, raw, { format: "schema", issue, sensitive: true }))
  }
  return HttpTransport.decodeJson(schema, { sensitive: true })(raw, where)
}

/**
 * Builds a session living in the current scope. Every option is checked
 * first: a bad one (a base URL that is not plain http(s), an empty user or
 * password, a language that is not a tag, `maxAlternates` outside 0..16, a
 * zero timeout, …) fails with a `ConfigError` naming the option, and nothing
 * is sent.
 */
export const make = (options: Options): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* OptionChecks.resolveSession(options, defaults)
    const primary = resolved.baseUrl
    const language = resolved.language
    const applicationName = resolved.applicationName
    const maxAlternates = resolved.maxAlternates
    // Alternate hosts keep the configured scheme (never https → http).
    const scheme = /^https:/i.test(primary) ? "https:" : "http:"

    const transport = yield* HttpTransport.make({
      provider: IcwsJob.provider,
      baseUrl: primary,
      ...(resolved.timeout !== undefined ? { timeout: resolved.timeout } : {}),
      ...(resolved.deadline !== undefined ? { deadline: resolved.deadline } : {}),
      ...(resolved.maxBodyBytes !== undefined ? { maxBodyBytes: resolved.maxBodyBytes } : {}),
      ...(resolved.retryPolicy !== undefined ? { retryPolicy: resolved.retryPolicy } : {}),
      readErrorBody,
      secretHeaders,
      // The session id travels in every path and the CSRF token and cookies in headers: each
      // call declares its session id (see `execute`); the headers are secret by name.
      secrets: [resolved.password],
      // Cookies are handled on the platform response (which keeps every
      // Set-Cookie line) and the Cookie header is added per attempt.
      transformClient: (client) => {
        const withJar = client.pipe(
          HttpClient.mapRequestEffect((request) =>
            Effect.map(FiberRef.get(currentJar), (jar) => {
              const header = jar?.header()
              return header === undefined ? request : HttpClientRequest.setHeader(request, "cookie", header)
            })
          ),
          HttpClient.tap((response) =>
            Effect.flatMap(FiberRef.get(currentJar), (jar) => Effect.sync(() => jar?.absorb(response.cookies)))
          )
        )
        return options.transformClient === undefined ? withJar : options.transformClient(withJar)
      }
    })

    const connectOnce = (base: string): Effect.Effect<ConnectOutcome, ApiError.ApiError> => {
      const jar = new CookieJar()
      const body = JSON.stringify({
        __type: connectionRequestType,
        applicationName,
        userID: resolved.user,
        password: Redacted.value(resolved.password)
      })
      const request = HttpClientRequest.post(`${base}/icws/connection`).pipe(
        HttpClientRequest.setHeader("Accept-Language", language),
        HttpClientRequest.accept(IcwsJob.mediaType),
        HttpClientRequest.bodyText(body, `${IcwsJob.mediaType};charset=utf-8`)
      )
      return transport.execute<ConnectOutcome>({
        operation: "connect",
        request,
        idempotent: false,
        retryPolicy: RetryPolicy.none,
        accept: (status) => (status >= 200 && status < 300) || status === 503,
        decode: (raw, where) => {
          if (raw.status === 503) {
            // This error leaves as a value, not through the transport's error channel: redacted here.
            const redact = (text: string | undefined) => text === undefined ? undefined : (raw.redact ?? String)(text)
            return Effect.map(decodeConnectBody(AlternateHosts, raw, where), (body) => ({
              _tag: "Alternates" as const,
              hosts: body?.alternateHostList ?? [],
              error: ApiError.fromStatus(where, 503, {
                providerCode: redact(body?.errorId ?? undefined),
                providerMessage: redact(body?.message ?? undefined)
              })
            }))
          }
          return Effect.flatMap(decodeConnectBody(ConnectionResponse, raw, where), (body) => {
            const sessionId = body?.sessionId ?? Option.getOrUndefined(Headers.get(raw.headers, "inin-icws-session-id"))
            const csrfToken = body?.csrfToken ?? Option.getOrUndefined(Headers.get(raw.headers, "inin-icws-csrf-token"))
            if (sessionId === undefined || sessionId === "" || csrfToken === undefined || csrfToken === "") {
              return Effect.fail(
                ApiError.DecodeError.fromBody(where, raw, {
                  format: "schema",
                  issue:
                    "the connection answer has no sessionId/csrfToken in its body nor ININ-ICWS-Session-ID/ININ-ICWS-CSRF-Token headers",
                  sensitive: true
                })
              )
            }
            return Effect.succeed({
              _tag: "Connected" as const,
              credential: {
                sessionId,
                csrfToken: Redacted.make(csrfToken),
                cookies: jar,
                baseUrl: base,
                userId: body?.userID
              }
            })
          })
        }
      }).pipe(Effect.locally(currentJar, jar))
    }

    // Failures after which another host may still work.
    const worthAnotherHost = (error: ApiError.ApiError): boolean =>
      error._tag === "ServerError" || error._tag === "TransportError" || error._tag === "Timeout"

    const acquire: Effect.Effect<Credential, ApiError.ApiError> = Effect.gen(function*() {
      const tried = new Set<string>()
      const queue: Array<string> = [primary]
      let alternatesUsed = 0
      let lastError: ApiError.ApiError | undefined
      while (queue.length > 0) {
        const host = queue.shift()!
        if (tried.has(host)) continue
        if (host !== primary) {
          if (alternatesUsed >= maxAlternates) break
          alternatesUsed++
          yield* Effect.logInfo("ICWS: trying an alternate host").pipe(
            Effect.annotateLogs({ host: transport.redact(host) })
          )
        }
        tried.add(host)
        const outcome = yield* Effect.either(connectOnce(host))
        if (Either.isLeft(outcome)) {
          // The primary's failure (or a final one like bad credentials) ends the login.
          if (host === primary || !worthAnotherHost(outcome.left)) return yield* outcome.left
          lastError = outcome.left
          continue
        }
        const value = outcome.right
        if (value._tag === "Connected") {
          yield* Effect.logDebug("ICWS session connected").pipe(Effect.annotateLogs({ host: transport.redact(host) }))
          return value.credential
        }
        lastError = value.error
        for (const entry of value.hosts) {
          const resolved = resolveAlternate(host, entry, scheme)
          if (resolved === undefined) {
            yield* Effect.logWarning(
              "ICWS: an alternate host was ignored (unreadable, or not on the configured scheme: https is never left for http)"
            ).pipe(Effect.annotateLogs({ entry: ApiError.truncate(transport.redact(entry), 200) }))
          } else if (!tried.has(resolved) && !queue.includes(resolved)) queue.push(resolved)
        }
      }
      return yield* (lastError ??
        new ApiError.InvalidRequest({ provider: IcwsJob.provider, operation: "connect", issue: "no host to connect to" }))
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

    const release = (credential: Credential): Effect.Effect<void, ApiError.ApiError> =>
      transport.execute({
        operation: "disconnect",
        request: request(credential, "DELETE", "/connection"),
        secrets: [credential.sessionId],
        retryPolicy: RetryPolicy.none,
        decode: () => Effect.void
      }).pipe(
        Effect.locally(currentJar, credential.cookies),
        Effect.tap(() => Effect.logDebug("ICWS session disconnected"))
      )

    const session = yield* Session.make<Credential, ApiError.ApiError, never>({ acquire, release })

    // Every call carries the session id in its path: declared as a secret of the call.
    const execute = <A>(build: (credential: Credential) => HttpTransport.Call<A>) =>
      session.withCredential((credential) => {
        const call = build(credential)
        return Effect.locally(
          transport.execute({ ...call, secrets: [...(call.secrets ?? []), credential.sessionId] }),
          currentJar,
          credential.cookies
        )
      })

    return {
      transport,
      session,
      execute,
      request,
      current: session.current,
      connections: session.acquisitions
    } satisfies Service
  })

/** The session as a scoped Layer (logs out when the layer is released); a bad option is a `ConfigError`. */
export const layer = (options: Options): Layer.Layer<IcwsSession, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(IcwsSession, make(options))

/** The environment variables {@link config} reads. */
export const variables = OptionChecks.variables

/**
 * Reads `ICWS_BASE_URL`, `ICWS_USER`, `ICWS_PASSWORD` (secret),
 * `ICWS_APPLICATION_NAME` (default "jobstream") and `ICWS_LANGUAGE` (default
 * "en-us"); values in `overrides` win over (and need no) variables. A
 * variable that is missing, empty or blank, or malformed (a base URL that is
 * not plain http(s), a language that is not a tag) is a `ConfigError` whose
 * path is the variable's name.
 */
export const config = (overrides: Partial<Options> = {}): Config.Config<Options> =>
  Config.map(
    Config.all({
      baseUrl: overrides.baseUrl !== undefined
        ? Config.succeed(overrides.baseUrl)
        : ClientOptions.env.baseUrl(OptionChecks.variables.baseUrl),
      user: overrides.user !== undefined
        ? Config.succeed(overrides.user)
        : ClientOptions.env.nonBlank(OptionChecks.variables.user),
      password: overrides.password !== undefined
        ? Config.succeed(overrides.password)
        : ClientOptions.env.secret(OptionChecks.variables.password),
      applicationName: Config.withDefault(
        ClientOptions.env.nonBlank(OptionChecks.variables.applicationName),
        defaults.applicationName
      ),
      language: Config.withDefault(OptionChecks.languageFromEnv(OptionChecks.variables.language), defaults.language)
    }),
    (fromEnv): Options => ({ ...fromEnv, ...overrides })
  )

/** The session configured from the environment (see {@link config}). */
export const layerConfig = (
  overrides: Partial<Options> = {}
): Layer.Layer<IcwsSession, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(config(overrides), layer))
