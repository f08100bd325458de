/**
 * The typed errors every jobstream client fails with.
 *
 * Each error carries where it happened (provider, operation, method, a URL
 * with secrets removed), the HTTP status where there is one, and the
 * provider's own error code and message when the body had them. None of them
 * ever holds a header, a token or a request body.
 *
 * @since 0.1.0
 * @module
 */
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Failures from "./internal/apiError/failures.js"
import type { Where } from "./internal/apiError/fields.js"
import * as Outcomes from "./internal/apiError/outcomes.js"
import { type Problem, truncate } from "./internal/apiError/problems.js"
import * as Status from "./internal/apiError/status.js"

// The members live in small internal modules (`internal/apiError/*`); this
// module is their public face, with the union and what works on any member.
export {
  BadRequest,
  Forbidden,
  Gone,
  MethodNotAllowed,
  NotFound,
  RateLimited,
  Redirected,
  ServerError,
  UnexpectedStatus,
  Unauthorized
} from "./internal/apiError/status.js"
export {
  type BodySource,
  DecodeError,
  type DecodeProblem,
  excerptLength,
  InvalidRequest,
  omittedExcerpt,
  Timeout,
  TransportError
} from "./internal/apiError/failures.js"
export type { Where } from "./internal/apiError/fields.js"
export { JobCanceled, JobFailed, OutcomeUnknown, PaginationError } from "./internal/apiError/outcomes.js"
export { formatParseError, type Problem, problemsOf, truncate } from "./internal/apiError/problems.js"

/**
 * Every error a jobstream operation can fail with.
 *
 * @since 0.1.0
 */
export type ApiError =
  | Status.BadRequest
  | Status.Unauthorized
  | Status.Forbidden
  | Status.NotFound
  | Status.MethodNotAllowed
  | Status.Gone
  | Status.RateLimited
  | Status.ServerError
  | Status.UnexpectedStatus
  | Failures.TransportError
  | Failures.Timeout
  | Failures.DecodeError
  | Failures.InvalidRequest
  | Status.Redirected
  | Outcomes.PaginationError
  | Outcomes.JobFailed
  | Outcomes.JobCanceled
  | Outcomes.OutcomeUnknown

/**
 * Schema of the union, for encoding errors (e.g. as JSON lines).
 *
 * @since 0.1.0
 */
export const ApiError = Schema.Union(
  Status.BadRequest,
  Status.Unauthorized,
  Status.Forbidden,
  Status.NotFound,
  Status.MethodNotAllowed,
  Status.Gone,
  Status.RateLimited,
  Status.ServerError,
  Status.UnexpectedStatus,
  Failures.TransportError,
  Failures.Timeout,
  Failures.DecodeError,
  Failures.InvalidRequest,
  Status.Redirected,
  Outcomes.PaginationError,
  Outcomes.JobFailed,
  Outcomes.JobCanceled,
  Outcomes.OutcomeUnknown
)

/**
 * The `_tag` of every member of {@link ApiError}.
 *
 * @since 0.2.0
 */
export const tags: ReadonlySet<ApiError["_tag"]> = new Set(ApiError.members.map((member) => member._tag))

/**
 * True for any jobstream error, whichever member: it has one of the tags
 * above and says which provider and operation it comes from.
 *
 * @since 0.1.0
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
 *
 * @since 0.1.0
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

/**
 * The old name of {@link Where}.
 *
 * @deprecated renamed to `Where` (it collided with Effect's `Context`).
 *
 * @since 0.1.0
 */
export type Context = Where

/**
 * What a provider could read out of an error body.
 *
 * @since 0.1.0
 */
export interface Detail {
  readonly providerCode?: string | undefined
  readonly providerMessage?: string | undefined
}

/**
 * Builds the error for an HTTP status. Used by `HttpTransport` for non-2xx
 * answers, and by providers whose envelopes report failure inside a 200.
 *
 * @since 0.1.0
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
      return new Status.BadRequest(fields)
    case 401:
      return new Status.Unauthorized(fields)
    case 403:
      return new Status.Forbidden(fields)
    case 404:
      return new Status.NotFound(fields)
    case 405:
      return new Status.MethodNotAllowed(fields)
    case 410:
      return new Status.Gone(fields)
    case 429:
      return new Status.RateLimited(retryAfterMillis === undefined ? fields : { ...fields, retryAfterMillis })
    default:
      if (status >= 500 && status <= 599) {
        return new Status.ServerError(retryAfterMillis === undefined ? fields : { ...fields, retryAfterMillis })
      }
      return new Status.UnexpectedStatus(fields)
  }
}

/**
 * The `NotFound` of a lookup that scanned a listing because the API has no
 * get-by-id endpoint: no `status` (no response said 404) and, as
 * `providerMessage`, what was looked for.
 *
 * @since 0.2.0
 */
export const notInListing = (where: Where, message: string): Status.NotFound =>
  new Status.NotFound({ ...where, providerMessage: message })

const definedOnly = (detail: Detail): Detail => {
  const out: { providerCode?: string; providerMessage?: string } = {}
  if (detail.providerCode !== undefined) out.providerCode = detail.providerCode
  if (detail.providerMessage !== undefined) out.providerMessage = truncate(detail.providerMessage, 500)
  return out
}

/**
 * An {@link InvalidRequest} from its problems: `issue` holds one
 * `parameter: message` per problem, joined by "; ", and `problems` the same
 * list, structured.
 *
 * @since 0.2.0
 */
export const invalidRequest = (provider: string, operation: string, problems: ReadonlyArray<Problem>): Failures.InvalidRequest =>
  new Failures.InvalidRequest({
    provider,
    operation,
    issue: problems.length === 0 ? "the input is invalid" : problems.map((p) => `${p.parameter}: ${p.message}`).join("; "),
    problems: problems.map((p) => ({ parameter: p.parameter, message: p.message }))
  })
