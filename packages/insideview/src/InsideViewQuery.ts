/**
 * The query of the Bulk Jobs List (`GET /api/v1/admin/jobs`): typed, with
 * the words InsideView uses in its job records instead of its bare numeric
 * codes, and checked before any request is sent.
 *
 * Rules (from the reference, §1.2 of the API notes):
 * - `period` is "day", "month" or "year"; `start`/`end` must be written in the
 *   period's format (YYYY-MM-DD, YYYY-MM, YYYY) and be real dates
 *   (2015-02-30 and 2015-13 are refused: `Date.parse` would roll them over).
 * - Two checks go beyond the reference, on purpose: `start`/`end` without a
 *   `period` are refused (the reference defines their format only through
 *   `period`, so the server's reading of them is unknown), and `start` after
 *   `end` is refused (such a range selects nothing: it is a mistake).
 * - `jobStatuses` / `jobTypes` are non-empty lists of the words below;
 * - `page` is an integer ≥ 1, `resultsPerPage` an integer in 1..50;
 * - unknown fields are refused (a misspelt filter must not silently widen
 *   the result).
 *
 * Every problem is reported, one line each, as an `InvalidRequest` problem
 * naming the parameter: `resultsPerPage: 500 is above the maximum 50`.
 *
 * @since 0.1.0
 * @module
 */
import { type ApiError, Dates, Validation } from "@jobstream/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/**
 * Granularity of `start`/`end`.
 *
 * @since 0.1.0
 */
export const Period = Schema.Literal("day", "month", "year")
/**
 * The decoded type of the {@link Period} schema.
 *
 * @since 0.1.0
 */
export type Period = typeof Period.Type

/**
 * Job status words (as job records write them) and the codes InsideView
 * expects in `jobStatuses`. `notFound` (-1) is a documented code that never
 * appears in a record.
 *
 * @since 0.1.0
 */
export const jobStatusCodes = {
  notFound: -1,
  failed: 0,
  accepted: 1,
  processing: 2,
  finished: 3,
  aborted: 4
} as const

/**
 * A job status filter value.
 *
 * @since 0.1.0
 */
export const JobStatusName = Schema.Literal("notFound", "failed", "accepted", "processing", "finished", "aborted")
/**
 * The decoded type of the {@link JobStatusName} schema.
 *
 * @since 0.1.0
 */
export type JobStatusName = typeof JobStatusName.Type

/**
 * Job type words and the code InsideView expects in `jobTypes` for each.
 *
 * The filter takes numeric codes (1 Company Details, 2 Contact Details,
 * 3 Enrich, 4 Contact Lookup, 5 New Contact Details) while records carry
 * words (`targetCompanyDetails`, `contact`, …). Both are accepted here:
 * - the words of job records that have a code — which word belongs to which
 *   code is not documented; this table is an inference, the same one the
 *   testkit simulator uses (`InsideViewSimulator.jobTypesByCode`);
 * - the code names in camelCase (`companyDetails`, `contactDetails`,
 *   `contactLookup`, `newContactDetails`).
 *
 * A value selects its code, so every word of that code matches: `contact`
 * also returns `targetContactDetails` jobs.
 *
 * @since 0.1.0
 */
export const jobTypeCodes = {
  targetCompanyDetails: 1,
  companies: 1,
  companyDetails: 1,
  targetContactDetails: 2,
  contacts: 2,
  contact: 2,
  contactDetails: 2,
  enrich: 3,
  targetLookup: 4,
  contactLookup: 4,
  newContactDetails: 5
} as const

/**
 * A job type filter value: a record's word or a code name (see {@link jobTypeCodes}).
 *
 * @since 0.1.0
 */
export const JobTypeName = Schema.Literal(
  "targetCompanyDetails",
  "companies",
  "companyDetails",
  "targetContactDetails",
  "contacts",
  "contact",
  "contactDetails",
  "enrich",
  "targetLookup",
  "contactLookup",
  "newContactDetails"
)
/**
 * The decoded type of the {@link JobTypeName} schema.
 *
 * @since 0.1.0
 */
export type JobTypeName = typeof JobTypeName.Type

/**
 * Job types seen in records that the Bulk Jobs List has no filter code for.
 *
 * @since 0.2.0
 */
export const unfilterableJobTypes: ReadonlyArray<string> = ["targetCompanySearchAsyncExport", "familyTree", "techProfileFetch"]

/**
 * Largest page InsideView serves.
 *
 * @since 0.1.0
 */
export const maxResultsPerPage = 50

/**
 * The query. Every field is optional.
 *
 * @since 0.1.0
 */
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
/**
 * The decoded type of the {@link JobsQuery} schema.
 *
 * @since 0.1.0
 */
export interface JobsQuery extends Schema.Schema.Type<typeof JobsQuery> {}

/**
 * The parameters a query may have.
 *
 * @since 0.2.0
 */
export const parameters: ReadonlyArray<keyof JobsQuery> = [
  "period",
  "start",
  "end",
  "jobStatuses",
  "jobTypes",
  "page",
  "resultsPerPage"
]

const formats: Record<Period, { readonly pattern: RegExp; readonly shape: string }> = {
  day: { pattern: /^(\d{4})-(\d{2})-(\d{2})$/, shape: "YYYY-MM-DD" },
  month: { pattern: /^(\d{4})-(\d{2})$/, shape: "YYYY-MM" },
  year: { pattern: /^(\d{4})$/, shape: "YYYY" }
}

const dateProblem = (value: unknown, period: Period): string | undefined => {
  if (typeof value !== "string") return `${Validation.quote(value)} is not a string`
  const { pattern, shape } = formats[period]
  const m = pattern.exec(value)
  if (m === null) return `${Validation.quote(value)} is not written ${shape}, the format of period "${period}"`
  const problem = Dates.calendarProblem(Number(m[1]), m[2] === undefined ? 1 : Number(m[2]), m[3] === undefined ? 1 : Number(m[3]))
  return problem === undefined ? undefined : `${Validation.quote(value)} is not a real date (${problem})`
}

const listProblems = (
  parameter: string,
  value: unknown,
  what: string,
  item: (v: unknown) => string | undefined
): ReadonlyArray<ApiError.Problem> => {
  if (!Array.isArray(value)) {
    return [{ parameter, message: `${Validation.quote(value)} is not a list; write a list, e.g. ["${what === "status" ? "finished" : "enrich"}"]` }]
  }
  if (value.length === 0) return [{ parameter, message: `must list at least one ${what}` }]
  return value.flatMap((v: unknown, i) => {
    const message = item(v)
    return message === undefined ? [] : [{ parameter: `${parameter}[${i}]`, message }]
  })
}

const statusProblem = (v: unknown): string | undefined =>
  Validation.oneOf(v, JobStatusName.literals) === undefined
    ? undefined
    : `${Validation.quote(v)} is not a job status (${JobStatusName.literals.join(", ")})`

const typeProblem = (v: unknown): string | undefined => {
  if (Validation.oneOf(v, JobTypeName.literals) === undefined) return undefined
  if (typeof v === "string" && unfilterableJobTypes.includes(v)) {
    return `${Validation.quote(v)} jobs have no filter code in the Bulk Jobs List; filter the stream on jobType instead`
  }
  return `${Validation.quote(v)} is not a job type with a filter code (${JobTypeName.literals.join(", ")})`
}

/**
 * Checks a query. The left side lists every problem, one per parameter (or
 * list item), each naming the value given and what is allowed.
 *
 * @since 0.1.0
 */
export const validate = (input: unknown): Either.Either<JobsQuery, ReadonlyArray<ApiError.Problem>> => {
  if (input === undefined) return Either.right({})
  if (!Validation.isRecord(input)) {
    return Either.left([{ parameter: "query", message: `${Validation.quote(input)} is not an object of parameters` }])
  }
  const q = input
  const problems: Array<ApiError.Problem> = Validation.unknownKeys(q, parameters).map(({ key, message }) => ({
    parameter: key,
    message
  }))
  const add = (parameter: string, message: string | undefined) => {
    if (message !== undefined) problems.push({ parameter, message })
  }
  if (q.period !== undefined) add("period", Validation.oneOf(q.period, Period.literals))
  const period = Validation.oneOf(q.period, Period.literals) === undefined ? (q.period as Period) : undefined
  for (const field of ["start", "end"] as const) {
    const value = q[field]
    if (value === undefined) continue
    if (q.period === undefined) {
      add(field, `${Validation.quote(value)} needs a period ("day", "month" or "year"), which says how to read it`)
    } else if (period !== undefined) {
      add(field, dateProblem(value, period))
    }
  }
  if (
    period !== undefined && typeof q.start === "string" && typeof q.end === "string" &&
    dateProblem(q.start, period) === undefined && dateProblem(q.end, period) === undefined && q.start > q.end
  ) {
    // Same format on both sides, so text order is date order.
    add("start", `${Validation.quote(q.start)} is after end ${Validation.quote(q.end)}: the range selects nothing`)
  }
  if (q.jobStatuses !== undefined) problems.push(...listProblems("jobStatuses", q.jobStatuses, "status", statusProblem))
  if (q.jobTypes !== undefined) problems.push(...listProblems("jobTypes", q.jobTypes, "type", typeProblem))
  if (q.page !== undefined) add("page", Validation.integer(q.page, { min: 1, max: Number.MAX_SAFE_INTEGER }))
  if (q.resultsPerPage !== undefined) {
    add("resultsPerPage", Validation.integer(q.resultsPerPage, { min: 1, max: maxResultsPerPage }))
  }
  return problems.length === 0 ? Either.right(q as JobsQuery) : Either.left(problems)
}

/**
 * How list parameters travel: `jobStatuses=1,3` ("comma", default) or `jobStatuses=1&jobStatuses=3` ("repeat").
 *
 * @since 0.1.0
 */
export type ListEncoding = "comma" | "repeat"

/**
 * The query string of a (validated) query, in a stable order.
 *
 * @since 0.1.0
 */
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
