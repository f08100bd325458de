/**
 * The typed errors every jobstream client fails with.
 *
 * Each error carries where it happened (provider, operation, method, a URL
 * with secrets removed), the HTTP status where there is one, and the
 * provider's own error code and message when the body had them. None of them
 * ever holds a header, a token or a request body.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import type * as ParseResult from "effect/ParseResult"
import { TreeFormatter } from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/** Fields shared by every error that concerns an HTTP exchange. */
const Where = {
  /** Which API: "insideview", "greenarrow", "icws", … */
  provider: Schema.String,
  /** The client operation, e.g. "listJobs". */
  operation: Schema.String,
  /** The HTTP method. */
  method: Schema.String,
  /** The request URL with secret query values replaced by `<redacted>`. */
  url: Schema.String
}

/** What the provider said about the failure, when its body could be read. */
const ProviderDetail = {
  /** The provider's own error code (`errorNumber`, `error_code`, `errorId`, …). */
  providerCode: Schema.optional(Schema.String),
  /** The provider's own error message. */
  providerMessage: Schema.optional(Schema.String)
}

const describe = (
  self: { readonly provider: string; readonly operation: string; readonly method: string; readonly url: string },
  what: string,
  detail?: { readonly providerCode?: string | undefined; readonly providerMessage?: string | undefined }
): string => {
  const parts = [`${self.provider}.${self.operation}: ${what} (${self.method} ${self.url})`]
  if (detail?.providerCode !== undefined || detail?.providerMessage !== undefined) {
    parts.push(
      `provider said: ${[detail.providerCode, detail.providerMessage].filter((s) => s !== undefined).join(" ")}`
    )
  }
  return parts.join(" — ")
}

/** 400: the provider rejected the request as malformed. Never retried. */
export class BadRequest extends Schema.TaggedError<BadRequest>("@jobstream/core/BadRequest")("BadRequest", {
  ...Where,
  ...ProviderDetail,
  status: Schema.Number
}) {
  override get message(): string {
    return describe(this, `bad request (${this.status})`, this)
  }
}

/** 401: the credential is missing, wrong or expired. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@jobstream/core/Unauthorized")("Unauthorized", {
  ...Where,
  ...ProviderDetail,
  status: Schema.Number
}) {
  override get message(): string {
    return describe(this, `unauthorized (${this.status})`, this)
  }
}

/** 403: the credential is valid but not allowed to do this. */
export class Forbidden extends Schema.TaggedError<Forbidden>("@jobstream/core/Forbidden")("Forbidden", {
  ...Where,
  ...ProviderDetail,
  status: Schema.Number
}) {
  override get message(): string {
    return describe(this, `forbidden (${this.status})`, this)
  }
}

/** 404: the resource does not exist. */
export class NotFound extends Schema.TaggedError<NotFound>("@jobstream/core/NotFound")("NotFound", {
  ...Where,
  ...ProviderDetail,
  status: Schema.Number
}) {
  override get message(): string {
    return describe(this, `not found (${this.status})`, this)
  }
}

/** 405: the endpoint does not accept this method. */
export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>("@jobstream/core/MethodNotAllowed")(
  "MethodNotAllowed",
  { ...Where, ...ProviderDetail, status: Schema.Number }
) {
  override get message(): string {
    return describe(this, `method not allowed (${this.status})`, this)
  }
}

/** 410: the resource or the API path has been retired. */
export class Gone extends Schema.TaggedError<Gone>("@jobstream/core/Gone")("Gone", {
  ...Where,
  ...ProviderDetail,
  status: Schema.Number
}) {
  override get message(): string {
    return describe(this, `gone (${this.status})`, this)
  }
}

/** 429: throttled. `retryAfterMillis` is the parsed `Retry-After`, when the response had one. */
export class RateLimited extends Schema.TaggedError<RateLimited>("@jobstream/core/RateLimited")("RateLimited", {
  ...Where,
  ...ProviderDetail,
  status: Schema.Number,
  retryAfterMillis: Schema.optional(Schema.Number)
}) {
  /** The server's requested wait, if it sent one. */
  get retryAfter(): Duration.Duration | undefined {
    return this.retryAfterMillis === undefined ? undefined : Duration.millis(this.retryAfterMillis)
  }
  override get message(): string {
    const wait = this.retryAfterMillis === undefined ? "no Retry-After" : `retry after ${this.retryAfterMillis} ms`
    return describe(this, `rate limited (${this.status}, ${wait})`, this)
  }
}

/** 500 and every other 5xx. */
export class ServerError extends Schema.TaggedError<ServerError>("@jobstream/core/ServerError")("ServerError", {
  ...Where,
  ...ProviderDetail,
  status: Schema.Number,
  /** `Retry-After` on a 503, when present. */
  retryAfterMillis: Schema.optional(Schema.Number)
}) {
  override get message(): string {
    return describe(this, `server error (${this.status})`, this)
  }
}

/** Any status this library has no class for (e.g. 409, 415, or a 3xx that was not followed). */
export class UnexpectedStatus extends Schema.TaggedError<UnexpectedStatus>("@jobstream/core/UnexpectedStatus")(
  "UnexpectedStatus",
  { ...Where, ...ProviderDetail, status: Schema.Number }
) {
  override get message(): string {
    return describe(this, `unexpected status ${this.status}`, this)
  }
}

/** The request never got a complete response: refused, reset, DNS failure, or the body was cut off. */
export class TransportError extends Schema.TaggedError<TransportError>("@jobstream/core/TransportError")(
  "TransportError",
  { ...Where, reason: Schema.String }
) {
  override get message(): string {
    return describe(this, `transport failure: ${this.reason}`)
  }
}

/** An attempt (or the overall deadline) ran out of time. */
export class Timeout extends Schema.TaggedError<Timeout>("@jobstream/core/Timeout")("Timeout", {
  ...Where,
  timeoutMillis: Schema.Number,
  /** "attempt" for the per-attempt timeout, "deadline" for the overall one. */
  scope: Schema.Literal("attempt", "deadline")
}) {
  override get message(): string {
    return describe(this, `timed out after ${this.timeoutMillis} ms (${this.scope})`)
  }
}

/** The response body could not be read as the expected shape. */
export class DecodeError extends Schema.TaggedError<DecodeError>("@jobstream/core/DecodeError")("DecodeError", {
  ...Where,
  status: Schema.optional(Schema.Number),
  /** Which stage failed: parsing JSON, parsing XML, matching the schema, or reading the body itself. */
  format: Schema.Literal("json", "xml", "schema", "body"),
  /** What did not match, in words. */
  issue: Schema.String,
  /** The first characters of the offending body. */
  excerpt: Schema.String
}) {
  override get message(): string {
    return describe(this, `could not decode ${this.format}: ${this.issue}; body starts: ${JSON.stringify(this.excerpt)}`)
  }
}

/** The request was rejected before anything was sent. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>("@jobstream/core/InvalidRequest")(
  "InvalidRequest",
  {
    provider: Schema.String,
    operation: Schema.String,
    /** What is wrong with the input. */
    issue: Schema.String
  }
) {
  override get message(): string {
    return `${this.provider}.${this.operation}: invalid request: ${this.issue}`
  }
}

/** Every error a jobstream operation can fail with. */
export type ApiError =
  | BadRequest
  | Unauthorized
  | Forbidden
  | NotFound
  | MethodNotAllowed
  | Gone
  | RateLimited
  | ServerError
  | UnexpectedStatus
  | TransportError
  | Timeout
  | DecodeError
  | InvalidRequest

/** Schema of the union, for encoding errors (e.g. as JSON lines). */
export const ApiError = Schema.Union(
  BadRequest,
  Unauthorized,
  Forbidden,
  NotFound,
  MethodNotAllowed,
  Gone,
  RateLimited,
  ServerError,
  UnexpectedStatus,
  TransportError,
  Timeout,
  DecodeError,
  InvalidRequest
)

const tags: ReadonlySet<string> = new Set([
  "BadRequest",
  "Unauthorized",
  "Forbidden",
  "NotFound",
  "MethodNotAllowed",
  "Gone",
  "RateLimited",
  "ServerError",
  "UnexpectedStatus",
  "TransportError",
  "Timeout",
  "DecodeError",
  "InvalidRequest"
])

/** True for any jobstream error. */
export const isApiError = (u: unknown): u is ApiError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)

/** Statuses worth retrying when they arrive as a {@link ServerError}. */
const retryableServerStatuses: ReadonlySet<number> = new Set([500, 502, 503, 504])

/**
 * Whether trying the same request again could succeed: 429, 500/502/503/504,
 * transport failures and per-attempt timeouts. Everything else (4xx, decode
 * failures, invalid input, an exhausted deadline) is final.
 */
export const isRetryable = (error: ApiError): boolean => {
  switch (error._tag) {
    case "RateLimited":
    case "TransportError":
      return true
    case "Timeout":
      return error.scope === "attempt"
    case "ServerError":
      return retryableServerStatuses.has(error.status)
    default:
      return false
  }
}

/** Where an HTTP error happened, as every constructor below needs it. */
export interface Context {
  readonly provider: string
  readonly operation: string
  readonly method: string
  readonly url: string
}

/** What a provider could read out of an error body. */
export interface Detail {
  readonly providerCode?: string | undefined
  readonly providerMessage?: string | undefined
}

/**
 * Builds the error for an HTTP status. Used by `HttpTransport` for non-2xx
 * answers, and by providers whose envelopes report failure inside a 200.
 */
export const fromStatus = (
  ctx: Context,
  status: number,
  detail: Detail = {},
  retryAfterMillis?: number
): ApiError => {
  const fields = { ...ctx, ...definedOnly(detail), status }
  switch (status) {
    case 400:
      return new BadRequest(fields)
    case 401:
      return new Unauthorized(fields)
    case 403:
      return new Forbidden(fields)
    case 404:
      return new NotFound(fields)
    case 405:
      return new MethodNotAllowed(fields)
    case 410:
      return new Gone(fields)
    case 429:
      return new RateLimited(retryAfterMillis === undefined ? fields : { ...fields, retryAfterMillis })
    default:
      if (status >= 500 && status <= 599) {
        return new ServerError(retryAfterMillis === undefined ? fields : { ...fields, retryAfterMillis })
      }
      return new UnexpectedStatus(fields)
  }
}

const definedOnly = (detail: Detail): Detail => {
  const out: { providerCode?: string; providerMessage?: string } = {}
  if (detail.providerCode !== undefined) out.providerCode = detail.providerCode
  if (detail.providerMessage !== undefined) out.providerMessage = truncate(detail.providerMessage, 500)
  return out
}

/** Shortens text to `max` characters, marking the cut. */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}…`

/**
 * Describes a Schema mismatch in words. Printing a mismatch quotes the
 * offending value, which for a hostile body (JSON nested a hundred thousand
 * levels deep) can exhaust the stack; then a plainer description is used, so a
 * bad body is always a `DecodeError`, never a defect.
 */
export const formatParseError = (error: ParseResult.ParseError): string => {
  try {
    return TreeFormatter.formatErrorSync(error)
  } catch {
    return "the body does not match the expected shape (the offending value is too deeply nested to quote)"
  }
}
