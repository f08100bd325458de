/**
 * The Studio v2 response envelope — `{ success, data, error_code,
 * error_message }` plus the pagination keys — and how it becomes either a page
 * of jobs or a typed error.
 *
 * Error mapping (`success: false`, whatever the HTTP status):
 *
 * | `error_code`                                                 | error          |
 * | ------------------------------------------------------------ | -------------- |
 * | `validation_failed`, `invalid_request`, `requested_too_many` | `BadRequest`   |
 * | `not_found`                                                  | `NotFound`     |
 * | `not_authorized`                                             | `Unauthorized` |
 * | `internal_error`                                             | `ServerError` (retried) |
 * | `multiple_records_found`, anything else                      | by HTTP status; in a 2xx `UnexpectedStatus` |
 *
 * When the HTTP status itself names an error class (400, 401, 403, 404, 405,
 * 410, 429, 5xx) that class wins and carries the real status; otherwise (a 200,
 * a 422, …) the class comes from `error_code` and `status` is the status that
 * conventionally means it (400, 404, 401, 500).
 *
 * The real `error_code` is always kept as `providerCode` (and `error_message`
 * as `providerMessage`), whatever the class: that is how the three request
 * errors, all `BadRequest` because none of them is worth retrying, are told
 * apart — `validation_failed` (a value was refused), `invalid_request` (the
 * request itself is malformed, e.g. `page` with `page_token`) and
 * `requested_too_many` (the page size is above the server's limit; lower
 * `perPage`). {@link errorCodeOf} reads it back typed.
 * A non-envelope body on an error status (a proxy's HTML 502) maps by status.
 *
 * Internal since 0.2 (it was the public `GreenArrowEnvelope`): `errorCodeOf`,
 * `ErrorCode`, `knownErrorCodes` and `JobsPage` are re-exported by
 * `GreenArrowClient`.
 */
import { ApiError, FastDecode, HttpTransport } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { GreenArrowJob } from "../GreenArrowJob.js"
import * as FastPage from "./fastPage.js"

/**
 * The GreenArrow `error_code` an error carries (its `providerCode`), or
 * undefined for an error of another provider or one without a code.
 */
export const errorCodeOf = (error: ApiError.ApiError): ErrorCode | undefined =>
  error.provider === "greenarrow" ? error.providerCode : undefined

/** Documented error codes (plus `not_authorized`, seen in the older docs). */
export const knownErrorCodes = [
  "validation_failed",
  "invalid_request",
  "requested_too_many",
  "not_found",
  "multiple_records_found",
  "internal_error",
  "not_authorized"
] as const
/**
 * A GreenArrow `error_code`: one of {@link knownErrorCodes} or any other string.
 *
 * @since 0.1.0
 */
export type ErrorCode = typeof knownErrorCodes[number] | (string & {})

const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative())
const optionalNullable = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

/** The envelope, with `data` left undecoded. */
export const Envelope = Schema.Struct({
  success: Schema.Boolean,
  data: Schema.optional(Schema.Unknown),
  error_code: optionalNullable(Schema.String),
  error_message: optionalNullable(Schema.String),
  page: optionalNullable(Count),
  per_page: optionalNullable(Count),
  num_records: optionalNullable(Count),
  num_pages: optionalNullable(Count),
  page_token: optionalNullable(Schema.String),
  next_page_token: optionalNullable(Schema.String)
}).annotations({ identifier: "GreenArrowEnvelope" })
export type Envelope = typeof Envelope.Type

/** One page of the job listing, with whatever pagination keys the server sent. */
export interface JobsPage {
  readonly jobs: ReadonlyArray<GreenArrowJob>
  /** The 0-based page number, when sent. */
  readonly page: number | undefined
  readonly perPage: number | undefined
  readonly numRecords: number | undefined
  readonly numPages: number | undefined
  /**
   * The next page's token: a string, `null` on the last page, `undefined`
   * when the server sent no `next_page_token` key at all (an old server).
   */
  readonly nextPageToken: string | null | undefined
}

const decodeEnvelope = Schema.decodeUnknownEither(Envelope, { errors: "first" })
const decodeJobs = Schema.decodeUnknownEither(Schema.Array(GreenArrowJob), { errors: "first" })

/** Statuses that decide the error class by themselves. */
const specificStatus = (status: number): boolean =>
  status === 400 || status === 401 || status === 403 || status === 404 || status === 405 || status === 410 ||
  status === 429 || (status >= 500 && status <= 599)

/** The status conventionally meaning an error code, for failures reported inside a 2xx. */
const conventionalStatus = (code: string | null | undefined): number | undefined => {
  switch (code) {
    case "validation_failed":
    case "invalid_request":
    case "requested_too_many":
      return 400
    case "not_found":
      return 404
    case "not_authorized":
      return 401
    case "internal_error":
      return 500
    default:
      return undefined
  }
}

/** Code and message of an envelope, as error detail. */
const detailOf = (envelope: Pick<Envelope, "error_code" | "error_message">): ApiError.Detail => ({
  providerCode: envelope.error_code ?? undefined,
  providerMessage: envelope.error_message ?? undefined
})

/** The typed error for an envelope with `success: false` (or any error status). */
export const errorFor = (
  where: ApiError.Where,
  httpStatus: number,
  detail: ApiError.Detail,
  retryAfterMillis?: number
): ApiError.ApiError => {
  if (specificStatus(httpStatus)) return ApiError.fromStatus(where, httpStatus, detail, retryAfterMillis)
  const conventional = conventionalStatus(detail.providerCode)
  if (conventional !== undefined) return ApiError.fromStatus(where, conventional, detail)
  // multiple_records_found, unknown codes, a missing code: "its own error carrying the code".
  return new ApiError.UnexpectedStatus({
    ...where,
    status: httpStatus,
    ...(detail.providerCode !== undefined ? { providerCode: detail.providerCode } : {}),
    ...(detail.providerMessage !== undefined ? { providerMessage: ApiError.truncate(detail.providerMessage, 500) } : {})
  })
}

/**
 * Reads `error_code` / `error_message` from a body, for error detail. Never
 * throws; a body that is not an envelope gives no detail.
 */
export const readErrorBody = (raw: HttpTransport.RawResponse): ApiError.Detail => {
  let json: unknown
  try {
    json = JSON.parse(raw.body)
  } catch {
    return {}
  }
  const envelope = decodeEnvelope(json)
  return Either.isRight(envelope) ? detailOf(envelope.right) : {}
}

/**
 * The transport's `mapError`: an error status is classed by {@link errorFor},
 * from the status and the envelope's `error_code` when the body has one (a
 * proxy's HTML page maps by status alone).
 */
export const mapError = (
  raw: HttpTransport.RawResponse,
  where: ApiError.Where,
  fallback: ApiError.ApiError
): ApiError.ApiError => {
  const retryAfter = fallback._tag === "RateLimited" || fallback._tag === "ServerError"
    ? fallback.retryAfterMillis
    : undefined
  return errorFor(where, raw.status, readErrorBody(raw), retryAfter)
}

/**
 * A transport `decode` for a 2xx jobs listing: `success: false` becomes the
 * typed error (whatever the status), `success: true` a {@link JobsPage}.
 * Anything malformed is a `DecodeError` naming what was wrong.
 */
export const decodePage = (
  raw: HttpTransport.RawResponse,
  where: ApiError.Where
): Effect.Effect<JobsPage, ApiError.ApiError> =>
  // The fast path (`internal/fastPage`): one synchronous pass; anything it is not sure of
  // (a body that does not parse, `success: false`, a value to refuse) goes through the Schemas.
  FastDecode.json(raw.body, FastPage.jobsPage, () => decodePageWithSchemas(raw, where))

/** `decodePage` through the Schemas only: the reference for the fast path, and every error's source. */
export const decodePageWithSchemas = (
  raw: HttpTransport.RawResponse,
  where: ApiError.Where
): Effect.Effect<JobsPage, ApiError.ApiError> =>
  Effect.gen(function*() {
    const json = yield* HttpTransport.parseJson(raw, where)
    const decoded = decodeEnvelope(json)
    if (Either.isLeft(decoded)) {
      const issue = ApiError.formatParseError(decoded.left)
      return yield* Effect.fail(ApiError.DecodeError.fromBody(where, raw, { format: "schema", issue }))
    }
    const envelope = decoded.right
    if (!envelope.success) {
      return yield* Effect.fail(errorFor(where, raw.status, detailOf(envelope)))
    }
    const jobs = decodeJobs(envelope.data)
    if (Either.isLeft(jobs)) {
      const issue = ApiError.formatParseError(jobs.left)
      return yield* Effect.fail(ApiError.DecodeError.fromBody(where, raw, { format: "schema", issue: `in "data": ${issue}` }))
    }
    return {
      jobs: jobs.right,
      page: envelope.page ?? undefined,
      perPage: envelope.per_page ?? undefined,
      numRecords: envelope.num_records ?? undefined,
      numPages: envelope.num_pages ?? undefined,
      nextPageToken: envelope.next_page_token
    } satisfies JobsPage
  })
