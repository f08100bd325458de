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
import { ArrayFormatter } from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

/** Fields shared by every error that concerns an HTTP exchange. */
const WhereFields = {
  /** Which API: "insideview", "greenarrow", "icws", … */
  provider: Schema.String,
  /** The client operation, e.g. "listJobs". */
  operation: Schema.String,
  /** The HTTP method. */
  method: Schema.String,
  /** The request URL with secret query values replaced by `<redacted>`. */
  url: Schema.String
}

/**
 * Fields every member of {@link ApiError} has, so code that handles "any
 * jobstream error" can read them without narrowing: the HTTP status (absent
 * when no response was judged) and the provider's own error code (absent
 * when the provider gave none).
 */
const Common = {
  /** The HTTP status of the response, when there was one. */
  status: Schema.optional(Schema.Number),
  /** The provider's own error code (`errorNumber`, `error_code`, `errorId`, …). */
  providerCode: Schema.optional(Schema.String)
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
  ...WhereFields,
  ...ProviderDetail,
  status: Schema.Number
}) {
  override get message(): string {
    return describe(this, `bad request (${this.status})`, this)
  }
}

/** 401: the credential is missing, wrong or expired. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@jobstream/core/Unauthorized")("Unauthorized", {
  ...WhereFields,
  ...ProviderDetail,
  status: Schema.Number
}) {
  override get message(): string {
    return describe(this, `unauthorized (${this.status})`, this)
  }
}

/** 403: the credential is valid but not allowed to do this. */
export class Forbidden extends Schema.TaggedError<Forbidden>("@jobstream/core/Forbidden")("Forbidden", {
  ...WhereFields,
  ...ProviderDetail,
  status: Schema.Number
}) {
  override get message(): string {
    return describe(this, `forbidden (${this.status})`, this)
  }
}

/** 404: the resource does not exist. */
export class NotFound extends Schema.TaggedError<NotFound>("@jobstream/core/NotFound")("NotFound", {
  ...WhereFields,
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
  { ...WhereFields, ...ProviderDetail, status: Schema.Number }
) {
  override get message(): string {
    return describe(this, `method not allowed (${this.status})`, this)
  }
}

/** 410: the resource or the API path has been retired. */
export class Gone extends Schema.TaggedError<Gone>("@jobstream/core/Gone")("Gone", {
  ...WhereFields,
  ...ProviderDetail,
  status: Schema.Number
}) {
  override get message(): string {
    return describe(this, `gone (${this.status})`, this)
  }
}

/** 429: throttled. `retryAfterMillis` is the parsed `Retry-After`, when the response had one. */
export class RateLimited extends Schema.TaggedError<RateLimited>("@jobstream/core/RateLimited")("RateLimited", {
  ...WhereFields,
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
  ...WhereFields,
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
  { ...WhereFields, ...ProviderDetail, status: Schema.Number }
) {
  override get message(): string {
    return describe(this, `unexpected status ${this.status}`, this)
  }
}

/** The request never got a complete response: refused, reset, DNS failure, or the body was cut off. */
export class TransportError extends Schema.TaggedError<TransportError>("@jobstream/core/TransportError")(
  "TransportError",
  { ...WhereFields, ...Common, reason: Schema.String }
) {
  override get message(): string {
    return describe(this, `transport failure: ${this.reason}`)
  }
}

/** An attempt (or the overall deadline) ran out of time. */
export class Timeout extends Schema.TaggedError<Timeout>("@jobstream/core/Timeout")("Timeout", {
  ...WhereFields,
  ...Common,
  timeoutMillis: Schema.Number,
  /** "attempt" for the per-attempt timeout, "deadline" for the overall one. */
  scope: Schema.Literal("attempt", "deadline")
}) {
  override get message(): string {
    return describe(this, `timed out after ${this.timeoutMillis} ms (${this.scope})`)
  }
}

/** A body an error is built from: what the transport read, with its status and the call's redaction. */
export interface BodySource {
  /** The HTTP status the body came with, if any. */
  readonly status?: number | undefined
  /** The body as text. */
  readonly body: string
  /**
   * Replaces every secret of the request (token, key, password, session id,
   * cookie, … in every form a server may echo it in) with `<redacted>`. The
   * transport sets it on every response it hands out.
   */
  readonly redact?: ((text: string) => string) | undefined
}

/** What went wrong reading a body, for {@link DecodeError.fromBody}. */
export interface DecodeProblem {
  /** Which stage failed. */
  readonly format: "json" | "xml" | "schema" | "body"
  /** What did not match, in words. Redacted and shortened to 1000 characters. */
  readonly issue: string
  /**
   * The body may hold a credential (a login answer): the error then quotes no
   * excerpt at all. The issue should then name paths, not values.
   */
  readonly sensitive?: boolean | undefined
}

/** Length of the body excerpt a `DecodeError` quotes. */
export const excerptLength = 200

/** The excerpt of a body that must not be quoted. */
export const omittedExcerpt = "<omitted: the body may hold a credential>"

// Secrets longer than this that straddle the end of the excerpt could be cut
// before they are recognised; the redaction looks this far past the cut.
const excerptLookahead = 8 * 1024

/** The response body could not be read as the expected shape. */
export class DecodeError extends Schema.TaggedError<DecodeError>("@jobstream/core/DecodeError")("DecodeError", {
  ...WhereFields,
  ...Common,
  /** Which stage failed: parsing JSON, parsing XML, matching the schema, or reading the body itself. */
  format: Schema.Literal("json", "xml", "schema", "body"),
  /** What did not match, in words. */
  issue: Schema.String,
  /** The first characters of the offending body, secrets replaced. */
  excerpt: Schema.String
}) {
  /**
   * The one way to build a `DecodeError` from a body: the excerpt is the
   * body's first {@link excerptLength} characters and the issue is capped at
   * 1000, both with the request's secrets replaced (through `source.redact`)
   * before they are cut, so a secret cannot survive half-quoted.
   */
  static fromBody(where: Where, source: BodySource, problem: DecodeProblem): DecodeError {
    const redact = source.redact ?? identity
    const excerpt = problem.sensitive === true
      ? omittedExcerpt
      : truncate(redact(source.body.slice(0, excerptLength + excerptLookahead)).slice(0, excerptLength + 1), excerptLength)
    return new DecodeError({
      provider: where.provider,
      operation: where.operation,
      method: where.method,
      url: redact(where.url),
      ...(source.status === undefined ? {} : { status: source.status }),
      format: problem.format,
      issue: truncate(redact(problem.issue), 1000),
      excerpt
    })
  }

  override get message(): string {
    const excerpt = this.excerpt === "" ? "" : `; the body starts ${JSON.stringify(truncate(this.excerpt, 60))}`
    return describe(this, `could not decode the ${formatWords[this.format]}: ${this.issue}${excerpt}`)
  }
}

const formatWords = {
  json: "body as JSON",
  xml: "body as XML",
  schema: "body's content",
  body: "body"
} as const

const identity = (text: string): string => text

/** The request was rejected before anything was sent. */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>("@jobstream/core/InvalidRequest")(
  "InvalidRequest",
  {
    provider: Schema.String,
    operation: Schema.String,
    ...Common,
    /** What is wrong with the input: one line per problem (`parameter: what`), joined by "; ". */
    issue: Schema.String,
    /** The same problems, structured: which parameter, what was wrong. Never holds a secret value. */
    problems: Schema.optional(Schema.Array(Schema.Struct({
      /** The parameter (or option) at fault, e.g. "resultsPerPage" or "auth.apiKey". */
      parameter: Schema.String,
      /** What is wrong and what is allowed, e.g. "500 is above the maximum 50". */
      message: Schema.String
    })))
  }
) {
  override get message(): string {
    return `${this.provider}.${this.operation}: invalid request: ${this.issue}`
  }
}

/**
 * A redirect the transport would not follow: to another origin (credentials
 * must never travel there), a downgrade from https to http, a loop, or more
 * hops than allowed. `location` is the target's origin only (scheme, host,
 * port): its path and query may carry secrets and are never kept.
 */
export class Redirected extends Schema.TaggedError<Redirected>("@jobstream/core/Redirected")("Redirected", {
  ...WhereFields,
  ...ProviderDetail,
  status: Schema.Number,
  /**
   * The origin the server redirected to ("https://other.example:8443"),
   * "<missing>" when the redirect had no Location, "<invalid>" when it could
   * not be read as a URL.
   */
  location: Schema.String,
  /** Why it was not followed. */
  reason: Schema.Literal("cross-origin", "scheme-downgrade", "loop", "too-many", "not-followed")
}) {
  override get message(): string {
    return describe(this, `redirect (${this.status}) to ${this.location} not followed: ${this.reason}`, this)
  }
}

/**
 * A listing that stopped making progress: the server ignored the page
 * parameter, repeated a cursor or a page already seen, or the walk reached
 * its page limit. The stream ends with this error instead of looping.
 */
export class PaginationError extends Schema.TaggedError<PaginationError>("@jobstream/core/PaginationError")(
  "PaginationError",
  {
    ...WhereFields,
    ...Common,
    /** What went wrong. */
    reason: Schema.Literal("repeated-page", "repeated-cursor", "no-progress", "max-pages"),
    /** The page number at fault, for numbered pagination. */
    page: Schema.optional(Schema.Number),
    /** The cursor (page token, job id) at fault, for cursor pagination. */
    cursor: Schema.optional(Schema.String),
    /** Requests the walk had sent when it stopped. */
    requests: Schema.Number,
    /** One sentence on what was seen. */
    detail: Schema.String
  }
) {
  override get message(): string {
    const at = this.page !== undefined ? ` at page ${this.page}` : this.cursor !== undefined ? ` at cursor ${this.cursor}` : ""
    return describe(this, `pagination stopped (${this.reason})${at} after ${this.requests} requests: ${this.detail}`)
  }
}

/** A job that was awaited ended in failure; `providerMessage` is the server's error text. */
export class JobFailed extends Schema.TaggedError<JobFailed>("@jobstream/core/JobFailed")("JobFailed", {
  ...WhereFields,
  ...Common,
  providerMessage: Schema.optional(Schema.String),
  jobId: Schema.String,
  /** The provider's own word for the final state. */
  providerStatus: Schema.String
}) {
  override get message(): string {
    const why = this.providerMessage === undefined ? "" : `: ${this.providerMessage}`
    return describe(this, `job ${this.jobId} failed (${this.providerStatus})${why}`)
  }
}

/** A job that was awaited ended canceled. */
export class JobCanceled extends Schema.TaggedError<JobCanceled>("@jobstream/core/JobCanceled")("JobCanceled", {
  ...WhereFields,
  ...Common,
  providerMessage: Schema.optional(Schema.String),
  jobId: Schema.String,
  providerStatus: Schema.String
}) {
  override get message(): string {
    const why = this.providerMessage === undefined ? "" : `: ${this.providerMessage}`
    return describe(this, `job ${this.jobId} was canceled (${this.providerStatus})${why}`)
  }
}

/**
 * A non-idempotent request (a submit) was sent, but no answer came back (a
 * timeout, a reset after the request was written): the server may or may not
 * have acted on it. It is not retried, because a retry could act twice;
 * check (list the jobs) before submitting again.
 */
export class OutcomeUnknown extends Schema.TaggedError<OutcomeUnknown>("@jobstream/core/OutcomeUnknown")(
  "OutcomeUnknown",
  {
    ...WhereFields,
    ...Common,
    /** What happened to the request, e.g. "timed out after 30000 ms". */
    reason: Schema.String
  }
) {
  override get message(): string {
    return describe(this, `the request may have taken effect (${this.reason}); check before repeating it`)
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
  | Redirected
  | PaginationError
  | JobFailed
  | JobCanceled
  | OutcomeUnknown

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
  InvalidRequest,
  Redirected,
  PaginationError,
  JobFailed,
  JobCanceled,
  OutcomeUnknown
)

/** The `_tag` of every member of {@link ApiError}. */
export const tags: ReadonlySet<ApiError["_tag"]> = new Set(ApiError.members.map((member) => member._tag))

/**
 * True for any jobstream error, whichever member: it has one of the tags
 * above and says which provider and operation it comes from.
 */
export const isApiError = (u: unknown): u is ApiError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag as ApiError["_tag"]) &&
  Predicate.hasProperty(u, "provider") && typeof u.provider === "string" &&
  Predicate.hasProperty(u, "operation") && typeof u.operation === "string"

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
export interface Where {
  readonly provider: string
  readonly operation: string
  readonly method: string
  readonly url: string
}

/**
 * The old name of {@link Where}.
 *
 * @deprecated renamed to `Where` (it collided with Effect's `Context`).
 */
export type Context = Where

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
  ctx: Where,
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

/**
 * The `NotFound` of a lookup that scanned a listing because the API has no
 * get-by-id endpoint: status 404 and, as `providerMessage`, what was looked for.
 *
 * @since 0.2.0
 */
export const notInListing = (where: Where, message: string): NotFound =>
  new NotFound({ ...where, status: 404, providerMessage: message })

const definedOnly = (detail: Detail): Detail => {
  const out: { providerCode?: string; providerMessage?: string } = {}
  if (detail.providerCode !== undefined) out.providerCode = detail.providerCode
  if (detail.providerMessage !== undefined) out.providerMessage = truncate(detail.providerMessage, 500)
  return out
}

/** Shortens text to `max` characters, marking the cut. */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}…`

/** One thing wrong with a request's input: the parameter, and what is wrong with it (never a secret value). */
export interface Problem {
  /** The parameter (or option) at fault, e.g. "resultsPerPage" or "jobStatuses[1]". */
  readonly parameter: string
  /** What is wrong and what is allowed, e.g. "500 is above the maximum 50". */
  readonly message: string
}

/**
 * An {@link InvalidRequest} from its problems: `issue` holds one
 * `parameter: message` per problem, joined by "; ", and `problems` the same
 * list, structured.
 */
export const invalidRequest = (provider: string, operation: string, problems: ReadonlyArray<Problem>): InvalidRequest =>
  new InvalidRequest({
    provider,
    operation,
    issue: problems.length === 0 ? "the input is invalid" : problems.map((p) => `${p.parameter}: ${p.message}`).join("; "),
    problems: problems.map((p) => ({ parameter: p.parameter, message: p.message }))
  })

/** Most lines a Schema mismatch is described with; the rest are counted. */
const maxIssueLines = 5

/**
 * The problems of a Schema mismatch, one per offending path:
 * `{ parameter: "bulkJobs[3].createdDate", message: "expected …, got …" }`.
 * Alternatives at the same path are merged ("expected "a" or "b", got "c"").
 * Printing a mismatch quotes the offending value, which for a hostile body
 * (JSON nested a hundred thousand levels deep) can exhaust the stack; then
 * a single problem without the value is returned, so a bad body is always a
 * `DecodeError`, never a defect.
 */
export const problemsOf = (error: ParseResult.ParseError): ReadonlyArray<Problem> => {
  let issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>
  try {
    issues = ArrayFormatter.formatErrorSync(error)
  } catch {
    return [{ parameter: "(root)", message: "does not match the expected shape (the value is too deeply nested to describe)" }]
  }
  const byPath = new Map<string, { expected: Array<string>; actual: string | undefined; other: Array<string> }>()
  for (const issue of issues) {
    const parameter = pathText(issue.path)
    const entry = byPath.get(parameter) ?? { expected: [], actual: undefined, other: [] }
    byPath.set(parameter, entry)
    const m = /^Expected ([\s\S]*), actual ([\s\S]*)$/.exec(issue.message)
    if (m === null) {
      if (!entry.other.includes(issue.message)) entry.other.push(issue.message)
    } else {
      if (!entry.expected.includes(m[1]!)) entry.expected.push(m[1]!)
      entry.actual = m[2]!
    }
  }
  return [...byPath].map(([parameter, e]) => {
    const parts = [...e.other]
    if (e.expected.length > 0) parts.push(`expected ${e.expected.join(" or ")}, got ${e.actual}`)
    return { parameter, message: truncate(parts.join("; "), 200) }
  })
}

/**
 * Describes a Schema mismatch in a few short lines (`path: expected …, got
 * …`, joined by "; "), never as the whole schema tree: at most five paths,
 * then how many more there are.
 */
export const formatParseError = (error: ParseResult.ParseError): string => {
  const problems = problemsOf(error)
  const shown = problems.slice(0, maxIssueLines).map((p) => `${p.parameter}: ${p.message}`)
  if (problems.length > maxIssueLines) shown.push(`and ${problems.length - maxIssueLines} more`)
  return shown.join("; ")
}

/** `["bulkJobs", 3, "createdDate"]` → `bulkJobs[3].createdDate`; the empty path is "(root)". */
const pathText = (path: ReadonlyArray<PropertyKey>): string => {
  if (path.length === 0) return "(root)"
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else if (typeof key === "symbol") out += `[${String(key)}]`
    else out += out === "" ? key : `.${key}`
  }
  return out
}
