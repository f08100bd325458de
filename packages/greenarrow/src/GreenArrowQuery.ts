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
 * Time filters take what the API takes: "a UNIX integer timestamp or ISO-8601
 * datetime string". Here that is a number of seconds (or a string of digits),
 * a `Date`, an ISO 8601 date-time with a zone, or a bare date `YYYY-MM-DD`
 * (midnight UTC). UNIX seconds are sent as given; the others as UTC ISO 8601
 * (`2024-05-01T00:00:00.000Z`). One check goes beyond the API, on purpose: a
 * date-time without a zone is refused, because the server would read it in
 * the organization's time zone, which the client does not know. Impossible
 * dates (`2014-02-30T10:00:00Z`) are refused rather than rolled over.
 *
 * `state` and `jobType` take one value or many, in the API's own words (the
 * words job records carry: `"sending"`, `"SubscriberImport"`); how many
 * values are spelled is the client's `arrayEncoding`.
 *
 * Query fields keep the API's own words, camel-cased (`perPage` is
 * `per_page`); the client's option for the same thing has the name every
 * client uses, `pageSize`, and is the default of `perPage`.
 *
 * Every problem is reported as an `InvalidRequest` problem naming the
 * parameter and the value: `perPage: 5000 is above the maximum 2000`.
 *
 * @since 0.1.0
 * @module
 */
import { type ApiError, Dates, Validation } from "@jobstream/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/**
 * An organization id: a positive integer, as a number or a string of digits.
 *
 * @since 0.1.0
 */
export const OrganizationId = Schema.Union(
  Schema.Number.pipe(Schema.int(), Schema.positive()),
  Schema.String.pipe(Schema.pattern(/^\d+$/, { message: () => "an organization id must be a string of digits" }))
)
/**
 * The decoded type of the {@link OrganizationId} schema.
 *
 * @since 0.1.0
 */
export type OrganizationId = typeof OrganizationId.Type

/**
 * Which organizations' jobs to list (the query's `scope`). Named so as not
 * to be taken for Effect's `Scope`; it was `Scope` before 0.2.
 *
 * @since 0.2.0
 */
export const OrganizationScope = Schema.Union(
  /** The API key's own organization (the whole system for a system-admin key). */
  Schema.TaggedStruct("Own", {}),
  /** One organization by id. */
  Schema.TaggedStruct("Organization", { organizationId: OrganizationId }),
  /** Every organization (system-admin keys only). */
  Schema.TaggedStruct("AllOrganizations", {})
)
/** @since 0.2.0 */
export type OrganizationScope = typeof OrganizationScope.Type

/**
 * "all" jobs, or only "unfinished" ones (pending, scheduled, active or paused).
 *
 * @since 0.1.0
 */
export const Which = Schema.Literal("all", "unfinished")
/**
 * The decoded type of the {@link Which} schema.
 *
 * @since 0.1.0
 */
export type Which = typeof Which.Type

/**
 * A point in time: UNIX seconds, a `Date`, or an ISO 8601 string.
 *
 * @since 0.1.0
 */
export const TimeInput = Schema.Union(Schema.Number, Schema.DateFromSelf, Schema.String)
/**
 * The decoded type of the {@link TimeInput} schema.
 *
 * @since 0.1.0
 */
export type TimeInput = typeof TimeInput.Type

/** One value or several. */
const OneOrMany = Schema.Union(Schema.String, Schema.Array(Schema.String))

/**
 * The query of `jobs`, `normalizedJobs` and `getJob`. Every field is optional.
 *
 * @since 0.1.0
 */
export const JobsQuery = Schema.Struct({
  /** Default `{ _tag: "Own" }`. */
  scope: Schema.optional(OrganizationScope),
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
/**
 * The decoded type of the {@link JobsQuery} schema.
 *
 * @since 0.1.0
 */
export type JobsQuery = typeof JobsQuery.Type

/**
 * The parameters a query may have.
 *
 * @since 0.2.0
 */
export const parameters: ReadonlyArray<keyof JobsQuery> = [
  "scope",
  "which",
  "beginsAfter",
  "beginsBefore",
  "finishedAfter",
  "finishedBefore",
  "state",
  "jobType",
  "perPage",
  "maxPages"
]

/**
 * How a multi-valued filter is spelled in the URL.
 *
 * @since 0.1.0
 */
export const ArrayEncoding = Schema.Literal("brackets", "repeat", "comma")
/**
 * - "brackets" (default): `state[]=a&state[]=b` — Rails' array form; GreenArrow
 *   Studio is a Rails application, but the docs do not say, so this is an inference.
 * - "repeat": `state=a&state=b`.
 * - "comma": `state=a,b`.
 *
 * @since 0.1.0
 */
export type ArrayEncoding = typeof ArrayEncoding.Type

/**
 * The largest page the Jobs API serves.
 *
 * @since 0.1.0
 */
export const maxPerPage = 2000

/**
 * A validated query, ready to become a request.
 *
 * @since 0.1.0
 */
export interface Resolved {
  readonly path: string
  /** Filter parameters (pagination parameters are added per page). */
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly perPage: number
  readonly maxPages: number | undefined
}

/**
 * Reads a time filter: the instant, and the text to send (UNIX seconds as
 * given, anything else as UTC ISO 8601). The left side says what is wrong,
 * quoting the value.
 *
 * @since 0.1.0
 */
export const parseTime = (value: unknown): Either.Either<{ readonly date: Date; readonly wire: string }, string> => {
  const shown = Validation.quote(value)
  if (value instanceof Date) {
    return Number.isNaN(value.getTime())
      ? Either.left(`${shown} cannot be sent`)
      : Either.right({ date: value, wire: value.toISOString() })
  }
  if (typeof value === "number" || (typeof value === "string" && /^\s*\d+\s*$/.test(value))) {
    return Either.match(Dates.checkUnixSeconds(value), {
      onLeft: (why) => Either.left(`${shown} ${why}`),
      onRight: (date) => Either.right({ date, wire: String(value).trim() })
    })
  }
  if (typeof value !== "string") {
    return Either.left(`${shown} is not a time: give UNIX seconds, a Date, or an ISO 8601 date-time with a zone`)
  }
  return Either.match(Dates.checkIsoDateTime(value, { zone: "required", dateOnly: true }), {
    onLeft: (why) => Either.left(`${shown} ${why}`),
    onRight: (date) => Either.right({ date, wire: date.toISOString() })
  })
}

const listProblems = (
  field: string,
  input: unknown,
  encoding: ArrayEncoding
): ReadonlyArray<ApiError.Problem> => {
  if (typeof input === "string") {
    return input.trim() === ""
      ? [{ parameter: field, message: input === "" ? "must not be empty" : "must not be blank (only whitespace)" }]
      : encoding === "comma" && input.includes(",")
      ? [{ parameter: field, message: `${Validation.quote(input)} contains ",", which the "comma" array encoding cannot send` }]
      : []
  }
  if (!Array.isArray(input)) {
    return [{ parameter: field, message: `${Validation.quote(input)} is neither a string nor a list of strings` }]
  }
  if (input.length === 0) return [{ parameter: field, message: "must list at least one value" }]
  return input.flatMap((v: unknown, i) => listProblems(`${field}[${i}]`, v, encoding))
}

const scopeProblems = (scope: unknown): ReadonlyArray<ApiError.Problem> => {
  if (!Validation.isRecord(scope)) return [{ parameter: "scope", message: `${Validation.quote(scope)} is not a scope object` }]
  const tag = Validation.oneOf(scope._tag, ["Own", "Organization", "AllOrganizations"])
  if (tag !== undefined) return [{ parameter: "scope._tag", message: tag }]
  if (scope._tag !== "Organization") return []
  const id = scope.organizationId
  const ok = typeof id === "number" ? Validation.integer(id, { min: 1 }) === undefined : typeof id === "string" && /^\d+$/.test(id)
  return ok
    ? []
    : [{ parameter: "scope.organizationId", message: `${Validation.quote(id)} is not an organization id (a positive whole number)` }]
}

/**
 * Spells a multi-valued parameter.
 *
 * @since 0.1.0
 */
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

/**
 * The endpoint path of a scope and a `which`.
 *
 * @since 0.1.0
 */
export const pathOf = (scope: OrganizationScope, which: Which): string => {
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
 * Validates a query and turns it into a path and parameters. The left side
 * lists every problem, one per parameter (or list item).
 *
 * @since 0.1.0
 */
export const resolve = (
  input: unknown,
  defaults: { readonly perPage: number; readonly arrayEncoding: ArrayEncoding }
): Either.Either<Resolved, ReadonlyArray<ApiError.Problem>> => {
  if (input !== undefined && !Validation.isRecord(input)) {
    return Either.left([{ parameter: "query", message: `${Validation.quote(input)} is not an object of parameters` }])
  }
  const query: Record<string, unknown> = input ?? {}
  const problems: Array<ApiError.Problem> = Validation.unknownKeys(query, parameters).map(({ key, message }) => ({
    parameter: key,
    message
  }))
  const add = (parameter: string, message: string | undefined) => {
    if (message !== undefined) problems.push({ parameter, message })
  }
  if (query.scope !== undefined) problems.push(...scopeProblems(query.scope))
  if (query.which !== undefined) add("which", Validation.oneOf(query.which, Which.literals))
  const params: Array<readonly [string, string]> = []
  const times = [
    ["beginsAfter", "begins_at__after"],
    ["beginsBefore", "begins_at__before"],
    ["finishedAfter", "finished_at__after"],
    ["finishedBefore", "finished_at__before"]
  ] as const
  for (const [field, param] of times) {
    if (query[field] === undefined) continue
    Either.match(parseTime(query[field]), {
      onLeft: (message) => add(field, message),
      onRight: ({ wire }) => params.push([param, wire])
    })
  }
  for (const [field, param] of [["state", "state"], ["jobType", "job_type"]] as const) {
    const value = query[field]
    if (value === undefined) continue
    const found = listProblems(field, value, defaults.arrayEncoding)
    problems.push(...found)
    if (found.length === 0) {
      params.push(...encodeArray(param, typeof value === "string" ? [value] : (value as ReadonlyArray<string>), defaults.arrayEncoding))
    }
  }
  if (query.perPage !== undefined) add("perPage", checkPerPage(query.perPage))
  if (query.maxPages !== undefined) add("maxPages", Validation.integer(query.maxPages, { min: 1 }))
  if (problems.length > 0) return Either.left(problems)
  const scope = (query.scope ?? { _tag: "Own" }) as OrganizationScope
  return Either.right({
    path: pathOf(scope, (query.which ?? "all") as Which),
    params,
    perPage: (query.perPage as number | undefined) ?? defaults.perPage,
    maxPages: query.maxPages as number | undefined
  })
}

/**
 * The problem with a page size, if any: a whole number in 1..2000.
 *
 * @since 0.1.0
 */
export const checkPerPage = (perPage: unknown): string | undefined =>
  Validation.integer(perPage, { min: 1, max: maxPerPage })
