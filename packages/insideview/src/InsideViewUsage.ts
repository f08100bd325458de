/**
 * The account's API usage and credits: `GET /api/v1/admin/usage` (the
 * reference's "API Usage" page, §1.5 of the API notes), typed.
 *
 * What is documented: the parameters `period`, `start` and `end`, all
 * required; the fields `accountId`, `period`, `start`, `end`,
 * `usageForAccount[] {api, transactions, date}`,
 * `creditsForAccount[] {allocatedCredits, consumedCredits}` and
 * `bulkJobReferenceUrl`. Decisions where the pages are silent:
 * - the parameters travel in the query string (one copy of the page says
 *   "x-www-form-urlencoded", which a GET cannot carry in a body);
 * - `period`/`start`/`end` follow the Bulk Jobs List's rules (day, month or
 *   year; YYYY-MM-DD, YYYY-MM, YYYY; real dates; `start` ≤ `end`);
 * - numbers may come as JSON numbers or numeric strings (as in the list),
 *   `accountId` as either (kept as a string); every field but the two lists
 *   may be missing, a missing list is an empty one;
 * - XML (when asked for) has an undocumented root, read from the document;
 *   each list item is a repeated `<usageForAccount>` / `<creditsForAccount>`
 *   element under it.
 *
 * @since 0.2.0
 * @module
 */
import { type ApiError, Validation } from "@jobstream/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { IntFromWire } from "./InsideViewJob.js"
import * as InsideViewQuery from "./InsideViewQuery.js"

/**
 * The query: the three documented parameters, all required.
 *
 * @since 0.2.0
 */
export interface UsageQuery {
  readonly period: InsideViewQuery.Period
  /** Written in the period's format: YYYY-MM-DD, YYYY-MM or YYYY. */
  readonly start: string
  /** Same format as `start`. */
  readonly end: string
}

const StringFromWire = Schema.Union(Schema.String, Schema.Number.pipe(Schema.int())).pipe(
  Schema.transform(Schema.String, { strict: true, decode: (v) => String(v), encode: (s) => s })
)

/**
 * One row of `usageForAccount`: transactions of one API on one date.
 *
 * @since 0.2.0
 */
export const ApiUsage = Schema.Struct({
  api: Schema.optionalWith(Schema.String, { nullable: true }),
  transactions: Schema.optionalWith(IntFromWire, { nullable: true }),
  date: Schema.optionalWith(Schema.String, { nullable: true })
})
/**
 * The type of the schema of the same name.
 *
 * @since 0.2.0
 */
export interface ApiUsage extends Schema.Schema.Type<typeof ApiUsage> {}

/**
 * One row of `creditsForAccount`.
 *
 * @since 0.2.0
 */
export const Credits = Schema.Struct({
  allocatedCredits: Schema.optionalWith(IntFromWire, { nullable: true }),
  consumedCredits: Schema.optionalWith(IntFromWire, { nullable: true })
})
/**
 * The type of the schema of the same name.
 *
 * @since 0.2.0
 */
export interface Credits extends Schema.Schema.Type<typeof Credits> {}

/**
 * The answer.
 *
 * @since 0.2.0
 */
export const Usage = Schema.Struct({
  accountId: Schema.optionalWith(StringFromWire, { nullable: true }),
  period: Schema.optionalWith(Schema.String, { nullable: true }),
  start: Schema.optionalWith(Schema.String, { nullable: true }),
  end: Schema.optionalWith(Schema.String, { nullable: true }),
  usageForAccount: Schema.optionalWith(Schema.Array(ApiUsage), {
    nullable: true,
    /** A missing list is an empty one. */
    default: () => []
  }),
  creditsForAccount: Schema.optionalWith(Schema.Array(Credits), {
    nullable: true,
    /** A missing list is an empty one. */
    default: () => []
  }),
  bulkJobReferenceUrl: Schema.optionalWith(Schema.String, { nullable: true })
})
/**
 * The type of the schema of the same name.
 *
 * @since 0.2.0
 */
export interface Usage extends Schema.Schema.Type<typeof Usage> {}

/**
 * Credits left across `creditsForAccount` (allocated − consumed, summed); undefined when no row has both.
 *
 * @since 0.2.0
 */
export const remainingCredits = (usage: Usage): number | undefined => {
  let left: number | undefined
  for (const row of usage.creditsForAccount) {
    if (row.allocatedCredits === undefined || row.consumedCredits === undefined) continue
    left = (left ?? 0) + row.allocatedCredits - row.consumedCredits
  }
  return left
}

/**
 * Transactions per API across `usageForAccount`, summed over dates.
 *
 * @since 0.2.0
 */
export const transactionsByApi = (usage: Usage): ReadonlyMap<string, number> => {
  const out = new Map<string, number>()
  for (const row of usage.usageForAccount) {
    const api = row.api ?? "(unnamed)"
    out.set(api, (out.get(api) ?? 0) + (row.transactions ?? 0))
  }
  return out
}

const parameters = ["period", "start", "end"] as const

/**
 * Checks a usage query: all three parameters present, and valid by the list's rules.
 *
 * @since 0.2.0
 */
export const validate = (input: unknown): Either.Either<UsageQuery, ReadonlyArray<ApiError.Problem>> => {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    return Either.left([{ parameter: "query", message: "is required: { period, start, end }" }])
  }
  const q = input as Record<string, unknown>
  const missing: Array<ApiError.Problem> = parameters
    .filter((p) => q[p] === undefined)
    .map((p) => ({ parameter: p, message: "is required by the usage endpoint" }))
  const unknown = Validation.unknownKeys(q, parameters).map(({ key, message }) => ({ parameter: key, message }))
  const checked = InsideViewQuery.validate({ period: q.period, start: q.start, end: q.end })
  const problems = [...missing, ...unknown, ...(Either.isLeft(checked) ? checked.left : [])]
    // A missing period also makes start/end "need a period": one line for it is enough.
    .filter((p, i, all) => all.findIndex((o) => o.parameter === p.parameter) === i)
  return problems.length === 0 ? Either.right(q as unknown as UsageQuery) : Either.left(problems)
}

/**
 * The query string of a checked query.
 *
 * @since 0.2.0
 */
export const toUrlParams = (q: UsageQuery): Array<readonly [string, string]> => [
  ["period", q.period],
  ["start", q.start],
  ["end", q.end]
]
