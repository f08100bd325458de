/**
 * ICWS connection wire shapes and helpers shared by the session modules.
 */
import * as Headers from "@effect/platform/Headers"
import { ApiError, HttpTransport } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as IcwsJob from "../IcwsJob.js"
import type { CookieJar } from "./cookies.js"

/**
 * What a successful connection gives.
 *
 * @since 0.1.0
 */
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

/**
 * `urn:inin.com:connection:icAuthConnectionRequestSettings` (the password is sent, never kept in errors).
 *
 * @since 0.1.0
 */
export const connectionRequestType = "urn:inin.com:connection:icAuthConnectionRequestSettings"

const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { nullable: true })

/**
 * `urn:inin.com:connection:connectionResponse`, the fields this client reads.
 *
 * @since 0.1.0
 */
export const ConnectionResponse = Schema.Struct({
  sessionId: opt(Schema.String),
  csrfToken: opt(Schema.String),
  userID: opt(Schema.String),
  userDisplayName: opt(Schema.String),
  icServer: opt(Schema.String),
  alternateHostList: opt(Schema.Array(Schema.String))
})

/**
 * `urn:inin.com:connection:alternateHosts`, the body of a 503 on connect.
 *
 * @since 0.1.0
 */
export const AlternateHosts = Schema.Struct({
  errorId: opt(Schema.String),
  message: opt(Schema.String),
  alternateHostList: opt(Schema.Array(Schema.String))
})

/**
 * Header names that carry session secrets; they are redacted everywhere.
 *
 * @since 0.1.0
 */
export const secretHeaders: ReadonlyArray<string> = [
  "inin-icws-csrf-token",
  "inin-icws-session-id",
  "cookie",
  "set-cookie"
]

/**
 * Reads `{ errorId, message }` from an error body.
 *
 * @since 0.1.0
 */
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
 *
 * @since 0.1.0
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

const isJsonLike = (raw: HttpTransport.RawResponse): boolean => {
  const type = HttpTransport.mediaType(raw)
  return type === "" || type === IcwsJob.mediaType || type === "application/json" || type.endsWith("+json")
}

/**
 * Decodes the login answer (which may be empty when everything came in
 * headers). The body may hold the CSRF token, so errors quote none of it.
 */
export const decodeConnectBody = <A, I>(
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

/** A response header's value, if present. */
export const header = (raw: HttpTransport.RawResponse, name: string): string | undefined =>
  Option.getOrUndefined(Headers.get(raw.headers, name))
