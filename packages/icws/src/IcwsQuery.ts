/**
 * The query of the ICWS job list (`GET …/data-extractor/jobs`): how much of
 * each job to return and how many jobs per request, checked before any
 * request (and before the login). Fields keep the API's own words where
 * they are its parameters (`jobCount`); the client's option for the same
 * thing is `pageSize`, the name every client uses, and is the default of
 * `jobCount`.
 *
 * @since 0.2.0
 * @module
 */
import { type ApiError, Validation } from "@jobstream/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

/**
 * How much of each job the server fills in (`jobsResponseMode`).
 *
 * @since 0.1.0
 */
export const ResponseMode = Schema.Literal("configuration", "status", "all")
/** @since 0.1.0 */
export type ResponseMode = typeof ResponseMode.Type

/**
 * The largest `jobCount` accepted. ICWS documents no maximum; this bound
 * keeps one answer reasonable.
 *
 * @since 0.2.0
 */
export const maxJobCount = 10_000

/**
 * The query of `IcwsClient.jobs`.
 *
 * @since 0.1.0
 */
export const JobsQuery = Schema.Struct({
  /** `jobsResponseMode`. Default "status" (the server's own default for the list). */
  mode: Schema.optional(ResponseMode),
  /** `jobCount`: jobs per request. Default: the client's `pageSize` (100). */
  jobCount: Schema.optional(Schema.Int.pipe(Schema.between(1, maxJobCount)))
}).annotations({ identifier: "IcwsJobsQuery" })
/** @since 0.1.0 */
export interface JobsQuery extends Schema.Schema.Type<typeof JobsQuery> {}

/**
 * The parameters a query may have.
 *
 * @since 0.2.0
 */
export const parameters: ReadonlyArray<keyof JobsQuery> = ["mode", "jobCount"]

/**
 * Checks a list query: `mode` one of the response modes, `jobCount` a whole
 * number in 1..10000, no other keys. The left side lists every problem.
 *
 * @since 0.2.0
 */
export const validate = (input: unknown): Either.Either<JobsQuery, ReadonlyArray<ApiError.Problem>> => {
  if (input === undefined) return Either.right({})
  if (!Validation.isRecord(input)) {
    return Either.left([{ parameter: "query", message: `${Validation.quote(input)} is not an object of parameters` }])
  }
  const problems: Array<ApiError.Problem> = Validation.unknownKeys(input, parameters).map(({ key, message }) => ({
    parameter: key,
    message
  }))
  const mode = input.mode === undefined ? undefined : Validation.oneOf(input.mode, ResponseMode.literals)
  if (mode !== undefined) problems.push({ parameter: "mode", message: mode })
  const count = input.jobCount === undefined ? undefined : Validation.integer(input.jobCount, { min: 1, max: maxJobCount })
  if (count !== undefined) problems.push({ parameter: "jobCount", message: count })
  return problems.length === 0 ? Either.right(input as JobsQuery) : Either.left(problems)
}
