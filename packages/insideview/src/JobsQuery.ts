/**
 * The query of the Bulk Jobs List (`GET /api/v1/admin/jobs`): typed, with
 * named codes instead of InsideView's bare numbers, and checked before any
 * request is sent.
 *
 * Rules (from the reference):
 * - `period` is "day", "month" or "year"; `start`/`end` must be written in the
 *   period's format (YYYY-MM-DD, YYYY-MM, YYYY), be real dates, and
 *   `start` ≤ `end`; `start`/`end` without `period` are rejected;
 * - `jobStatuses` / `jobTypes` are non-empty lists of the names below;
 * - `page` is an integer ≥ 1, `resultsPerPage` an integer in 1..50;
 * - unknown fields are rejected (a misspelt filter must not silently widen
 *   the result).
 *
 * @since 0.1.0
 */
import { ApiError } from "@jobstream/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/** Granularity of `start`/`end`. */
export const Period = Schema.Literal("day", "month", "year")
export type Period = typeof Period.Type

/** Job status names and the codes InsideView expects in `jobStatuses`. */
export const jobStatusCodes = {
  notFound: -1,
  failed: 0,
  accepted: 1,
  processing: 2,
  finished: 3,
  aborted: 4
} as const

/** A job status filter value. */
export const JobStatusName = Schema.Literal("notFound", "failed", "accepted", "processing", "finished", "aborted")
export type JobStatusName = typeof JobStatusName.Type

/** Job type names and the codes InsideView expects in `jobTypes`. */
export const jobTypeCodes = {
  companyDetails: 1,
  contactDetails: 2,
  enrich: 3,
  contactLookup: 4,
  newContactDetails: 5
} as const

/** A job type filter value. */
export const JobTypeName = Schema.Literal("companyDetails", "contactDetails", "enrich", "contactLookup", "newContactDetails")
export type JobTypeName = typeof JobTypeName.Type

/** Largest page InsideView serves. */
export const maxResultsPerPage = 50

/** The query. Every field is optional. */
export const JobsQuery = Schema.Struct({
  period: Schema.optional(Period),
  /** Period start: YYYY-MM-DD (day), YYYY-MM (month) or YYYY (year). */
  start: Schema.optional(Schema.String),
  /** Period end, same format as `start`. */
  end: Schema.optional(Schema.String),
  jobStatuses: Schema.optional(Schema.Array(JobStatusName).pipe(Schema.minItems(1))),
  jobTypes: Schema.optional(Schema.Array(JobTypeName).pipe(Schema.minItems(1))),
  /** Page number, from 1. For `jobs()` it is the page the walk starts at. */
  page: Schema.optional(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))),
  /** Page size, 1..50. */
  resultsPerPage: Schema.optional(Schema.Int.pipe(Schema.between(1, maxResultsPerPage)))
})
export interface JobsQuery extends Schema.Schema.Type<typeof JobsQuery> {}

const formats: Record<Period, { readonly pattern: RegExp; readonly shape: string }> = {
  day: { pattern: /^(\d{4})-(\d{2})-(\d{2})$/, shape: "YYYY-MM-DD" },
  month: { pattern: /^(\d{4})-(\d{2})$/, shape: "YYYY-MM" },
  year: { pattern: /^(\d{4})$/, shape: "YYYY" }
}

const checkDate = (field: "start" | "end", value: string, period: Period): string | undefined => {
  const { pattern, shape } = formats[period]
  const m = pattern.exec(value)
  if (m === null) return `${field} must be written ${shape} for period "${period}", got ${JSON.stringify(value)}`
  const year = Number(m[1])
  const month = m[2] === undefined ? 1 : Number(m[2])
  const day = m[3] === undefined ? 1 : Number(m[3])
  const date = new Date(Date.UTC(year, month - 1, day))
  if (
    month < 1 || month > 12 || date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day
  ) {
    return `${field} ${JSON.stringify(value)} is not a real date`
  }
  return undefined
}

/** Checks a query; the left side says what is wrong, in words. */
export const validate = (input: unknown): Either.Either<JobsQuery, string> => {
  const decoded = Schema.decodeUnknownEither(JobsQuery, { errors: "first", onExcessProperty: "error" })(input)
  if (Either.isLeft(decoded)) return Either.left(ApiError.formatParseError(decoded.left))
  const q = decoded.right
  if (q.period === undefined) {
    if (q.start !== undefined || q.end !== undefined) return Either.left("start/end need a period (day, month or year)")
    return Either.right(q)
  }
  for (const field of ["start", "end"] as const) {
    const value = q[field]
    if (value !== undefined) {
      const issue = checkDate(field, value, q.period)
      if (issue !== undefined) return Either.left(issue)
    }
  }
  // Same format on both sides, so text order is date order.
  if (q.start !== undefined && q.end !== undefined && q.start > q.end) {
    return Either.left(`start (${q.start}) is after end (${q.end})`)
  }
  return Either.right(q)
}

/** How list parameters travel: `jobStatuses=1,3` ("comma", default) or `jobStatuses=1&jobStatuses=3` ("repeat"). */
export type ListEncoding = "comma" | "repeat"

/** The query string of a (validated) query, in a stable order. */
export const toUrlParams = (q: JobsQuery, encoding: ListEncoding = "comma"): Array<readonly [string, string]> => {
  const out: Array<readonly [string, string]> = []
  if (q.period !== undefined) out.push(["period", q.period])
  if (q.start !== undefined) out.push(["start", q.start])
  if (q.end !== undefined) out.push(["end", q.end])
  const list = (name: string, codes: ReadonlyArray<number>) => {
    const unique = [...new Set(codes)].map(String)
    if (encoding === "comma") out.push([name, unique.join(",")])
    else for (const code of unique) out.push([name, code])
  }
  if (q.jobStatuses !== undefined) list("jobStatuses", q.jobStatuses.map((s) => jobStatusCodes[s]))
  if (q.jobTypes !== undefined) list("jobTypes", q.jobTypes.map((t) => jobTypeCodes[t]))
  if (q.page !== undefined) out.push(["page", String(q.page)])
  if (q.resultsPerPage !== undefined) out.push(["resultsPerPage", String(q.resultsPerPage)])
  return out
}
