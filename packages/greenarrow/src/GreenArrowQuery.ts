/**
 * What to list: which endpoint (scope × which) and the filters, plus their
 * validation and their encoding as query parameters.
 *
 * | scope                 | which = "all"                                  | which = "unfinished"                                   |
 * | --------------------- | ---------------------------------------------- | ------------------------------------------------------ |
 * | `Own` (default)       | `/ga/api/v2/jobs/all`                          | `/ga/api/v2/jobs/unfinished`                           |
 * | `Organization`        | `/ga/api/v2/organizations/:id/jobs/all`        | `/ga/api/v2/organizations/:id/jobs/unfinished`         |
 * | `AllOrganizations`    | `/ga/api/v2/jobs/all_on_all_organizations`     | `/ga/api/v2/jobs/unfinished_on_all_organizations`      |
 *
 * Time filters take a `Date` or an ISO 8601 string with a zone (or a bare date
 * `YYYY-MM-DD`, read as midnight UTC) and are sent as UTC ISO 8601
 * (`2024-05-01T00:00:00.000Z`). `state` and `jobType` take one value or many;
 * how many values are spelled is the client's `arrayEncoding`.
 *
 * @since 0.1.0
 */
import { ApiError } from "@jobstream/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { parseIsoDateTime } from "./GreenArrowJob.js"

/** An organization id: a positive integer, as a number or a string of digits. */
export const OrganizationId = Schema.Union(
  Schema.Number.pipe(Schema.int(), Schema.positive()),
  Schema.String.pipe(Schema.pattern(/^\d+$/, { message: () => "an organization id must be a string of digits" }))
)
export type OrganizationId = typeof OrganizationId.Type

/** Which organizations' jobs to list. */
export const Scope = Schema.Union(
  /** The API key's own organization (the whole system for a system-admin key). */
  Schema.TaggedStruct("Own", {}),
  /** One organization by id. */
  Schema.TaggedStruct("Organization", { organizationId: OrganizationId }),
  /** Every organization (system-admin keys only). */
  Schema.TaggedStruct("AllOrganizations", {})
)
export type Scope = typeof Scope.Type

/** "all" jobs, or only "unfinished" ones (pending, scheduled, active or paused). */
export const Which = Schema.Literal("all", "unfinished")
export type Which = typeof Which.Type

/** A point in time: a `Date`, or an ISO 8601 string. */
export const TimeInput = Schema.Union(Schema.DateFromSelf, Schema.String)
export type TimeInput = typeof TimeInput.Type

/** One value or several. */
const OneOrMany = Schema.Union(Schema.String, Schema.Array(Schema.String))

/** The query of `jobs`, `normalizedJobs` and `getJob`. Every field is optional. */
export const JobsQuery = Schema.Struct({
  /** Default `{ _tag: "Own" }`. */
  scope: Schema.optional(Scope),
  /** Default "all". */
  which: Schema.optional(Which),
  /** `begins_at__after`. */
  beginsAfter: Schema.optional(TimeInput),
  /** `begins_at__before`. */
  beginsBefore: Schema.optional(TimeInput),
  /** `finished_at__after`. */
  finishedAfter: Schema.optional(TimeInput),
  /** `finished_at__before`. */
  finishedBefore: Schema.optional(TimeInput),
  /** `state`: only jobs in one of these states. */
  state: Schema.optional(OneOrMany),
  /** `job_type`: only jobs of one of these types. */
  jobType: Schema.optional(OneOrMany),
  /** Overrides the client's `perPage` (1..2000) for this listing. */
  perPage: Schema.optional(Schema.Number),
  /** Stop after this many pages. */
  maxPages: Schema.optional(Schema.Number)
})
export type JobsQuery = typeof JobsQuery.Type

/** How a multi-valued filter is spelled in the URL. */
export const ArrayEncoding = Schema.Literal("brackets", "repeat", "comma")
/**
 * - "brackets" (default): `state[]=a&state[]=b` — Rails' array form; GreenArrow
 *   Studio is a Rails application, but the docs do not say, so this is an inference.
 * - "repeat": `state=a&state=b`.
 * - "comma": `state=a,b`.
 */
export type ArrayEncoding = typeof ArrayEncoding.Type

/** The largest page the Jobs API serves. */
export const maxPerPage = 2000

/** A validated query, ready to become a request. */
export interface Resolved {
  readonly path: string
  /** Filter parameters (pagination parameters are added per page). */
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly perPage: number
  readonly maxPages: number | undefined
}

const decodeQuery = Schema.decodeUnknownEither(JobsQuery, { errors: "first", onExcessProperty: "error" })

const dateOnly = /^(\d{4})-(\d{2})-(\d{2})$/

/** Parses a time filter; a string without a zone (other than a bare date) is refused as ambiguous. */
export const parseTime = (value: TimeInput): Date | string => {
  if (value instanceof Date) {
    return Number.isNaN(value.getTime()) ? "is an invalid Date" : value
  }
  const text = value.trim()
  if (dateOnly.test(text)) {
    const date = new Date(`${text}T00:00:00Z`)
    return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text
      ? `is not a valid date: ${JSON.stringify(value)}`
      : date
  }
  const parsed = parseIsoDateTime(text)
  return parsed === undefined
    ? `must be a Date or an ISO 8601 date-time with a zone (Z or ±hh:mm), got ${JSON.stringify(value)}`
    : parsed
}

const values = (name: string, input: string | ReadonlyArray<string>): ReadonlyArray<string> | string => {
  const list = typeof input === "string" ? [input] : input
  if (list.length === 0) return `${name} must list at least one value`
  for (const v of list) {
    if (v.trim() === "") return `${name} values must not be empty`
  }
  return list
}

/** Spells a multi-valued parameter. */
export const encodeArray = (
  name: string,
  list: ReadonlyArray<string>,
  encoding: ArrayEncoding
): ReadonlyArray<readonly [string, string]> => {
  switch (encoding) {
    case "brackets":
      return list.map((v) => [`${name}[]`, v] as const)
    case "repeat":
      return list.map((v) => [name, v] as const)
    case "comma":
      return [[name, list.join(",")] as const]
  }
}

/** The endpoint path of a scope and a `which`. */
export const pathOf = (scope: Scope, which: Which): string => {
  switch (scope._tag) {
    case "Own":
      return `/ga/api/v2/jobs/${which}`
    case "Organization":
      return `/ga/api/v2/organizations/${encodeURIComponent(String(scope.organizationId))}/jobs/${which}`
    case "AllOrganizations":
      return `/ga/api/v2/jobs/${which}_on_all_organizations`
  }
}

/**
 * Validates a query and turns it into a path and parameters. Returns the
 * problem in words when the query is invalid.
 */
export const resolve = (
  input: unknown,
  defaults: { readonly perPage: number; readonly arrayEncoding: ArrayEncoding }
): Either.Either<Resolved, string> => {
  const decoded = decodeQuery(input ?? {})
  if (Either.isLeft(decoded)) {
    return Either.left(ApiError.formatParseError(decoded.left))
  }
  const query = decoded.right
  const params: Array<readonly [string, string]> = []
  const times = [
    ["beginsAfter", "begins_at__after", query.beginsAfter],
    ["beginsBefore", "begins_at__before", query.beginsBefore],
    ["finishedAfter", "finished_at__after", query.finishedAfter],
    ["finishedBefore", "finished_at__before", query.finishedBefore]
  ] as const
  for (const [field, param, value] of times) {
    if (value === undefined) continue
    const parsed = parseTime(value)
    if (typeof parsed === "string") return Either.left(`${field} ${parsed}`)
    params.push([param, parsed.toISOString()])
  }
  const lists = [["state", "state", query.state], ["jobType", "job_type", query.jobType]] as const
  for (const [field, param, value] of lists) {
    if (value === undefined) continue
    const list = values(field, value)
    if (typeof list === "string") return Either.left(list)
    if (defaults.arrayEncoding === "comma" && list.some((v) => v.includes(","))) {
      return Either.left(`${field} values cannot contain "," with the "comma" array encoding`)
    }
    params.push(...encodeArray(param, list, defaults.arrayEncoding))
  }
  const perPage = query.perPage ?? defaults.perPage
  const perPageIssue = checkPerPage(perPage)
  if (perPageIssue !== undefined) return Either.left(perPageIssue)
  if (query.maxPages !== undefined && !(Number.isInteger(query.maxPages) && query.maxPages >= 1)) {
    return Either.left(`maxPages must be a positive integer, got ${query.maxPages}`)
  }
  return Either.right({
    path: pathOf(query.scope ?? { _tag: "Own" }, query.which ?? "all"),
    params,
    perPage,
    maxPages: query.maxPages
  })
}

/** The problem with a page size, if any. */
export const checkPerPage = (perPage: number): string | undefined =>
  Number.isInteger(perPage) && perPage >= 1 && perPage <= maxPerPage
    ? undefined
    : `perPage must be an integer between 1 and ${maxPerPage}, got ${perPage}`
