/**
 * The normalized job every provider maps its records to.
 *
 * @since 0.1.0
 * @module
 */
import * as Schema from "effect/Schema"
import * as Dates from "./Dates.js"

/**
 * Normalized lifecycle status.
 *
 * @since 0.1.0
 */
export const Status = Schema.Literal("pending", "running", "paused", "succeeded", "failed", "canceled", "unknown")
/**
 * The decoded type of the {@link Status} schema.
 *
 * @since 0.1.0
 */
export type Status = typeof Status.Type

/**
 * All statuses, in lifecycle order.
 *
 * @since 0.1.0
 */
export const statuses: ReadonlyArray<Status> = Status.literals

/**
 * Whether a status is final.
 *
 * @since 0.1.0
 */
export const isTerminal = (status: Status): boolean =>
  status === "succeeded" || status === "failed" || status === "canceled"

/**
 * Progress as a fraction of work units, when the provider reports it.
 *
 * @since 0.1.0
 */
export const Progress = Schema.Struct({
  done: Schema.Number,
  total: Schema.NullOr(Schema.Number)
})
/**
 * The decoded type of the {@link Progress} schema.
 *
 * @since 0.1.0
 */
export type Progress = typeof Progress.Type

/**
 * One job, whatever the provider. `raw` is the provider's own record as it
 * was decoded, for anything the normalized fields do not carry.
 *
 * @since 0.1.0
 */
export const Job = Schema.Struct({
  provider: Schema.String,
  /**
   * The provider's job id, always as text: ICWS and InsideView ids are
   * strings, GreenArrow's numeric ids are written in decimal ("42"). The
   * provider's own record in `raw` keeps the wire type.
   */
  id: Schema.String,
  name: Schema.NullOr(Schema.String),
  type: Schema.NullOr(Schema.String),
  status: Status,
  /** The provider's own status word ("finished", "sending", "2", …). */
  providerStatus: Schema.String,
  createdAt: Schema.NullOr(Schema.DateFromSelf),
  startedAt: Schema.NullOr(Schema.DateFromSelf),
  finishedAt: Schema.NullOr(Schema.DateFromSelf),
  progress: Schema.NullOr(Progress),
  raw: Schema.Unknown
})
/**
 * The decoded type of the {@link Job} schema.
 *
 * @since 0.1.0
 */
export interface Job extends Schema.Schema.Type<typeof Job> {}

/**
 * Fields a provider may leave out; they default to null.
 *
 * @since 0.1.0
 */
export type MakeInput =
  & Pick<Job, "provider" | "id" | "status" | "providerStatus" | "raw">
  & Partial<Pick<Job, "name" | "type" | "createdAt" | "startedAt" | "finishedAt" | "progress">>

/**
 * Builds a job (no validation: providers build from already-decoded records).
 *
 * @since 0.1.0
 */
export const make = (input: MakeInput): Job => ({
  provider: input.provider,
  id: input.id,
  name: input.name ?? null,
  type: input.type ?? null,
  status: input.status,
  providerStatus: input.providerStatus,
  createdAt: input.createdAt ?? null,
  startedAt: input.startedAt ?? null,
  finishedAt: input.finishedAt ?? null,
  progress: input.progress ?? null,
  raw: input.raw
})

/**
 * The JSON form of a job (dates as ISO strings), as the CLI prints it.
 *
 * @since 0.1.0
 */
export const JobJson = Schema.Struct({
  ...Job.fields,
  createdAt: Schema.NullOr(Schema.String),
  startedAt: Schema.NullOr(Schema.String),
  finishedAt: Schema.NullOr(Schema.String)
})
/**
 * The decoded type of the {@link JobJson} schema.
 *
 * @since 0.1.0
 */
export type JobJson = typeof JobJson.Type

/**
 * Converts a job to its JSON form.
 *
 * @since 0.1.0
 */
export const toJson = (job: Job): JobJson => ({
  ...job,
  createdAt: job.createdAt?.toISOString() ?? null,
  startedAt: job.startedAt?.toISOString() ?? null,
  finishedAt: job.finishedAt?.toISOString() ?? null
})

/**
 * Parses a date from a provider record: a calendar date `YYYY-MM-DD` (midnight
 * UTC) or an ISO 8601 date-time (read as UTC when it has no zone). Null for
 * null, empty or unreadable input, and for impossible dates such as
 * `2014-02-30` (which `Date.parse` would roll over to March 2nd). Providers
 * reject such dates when they decode a record; this is for mapping values
 * already checked.
 *
 * @since 0.1.0
 */
export const parseDate = (value: string | null | undefined): Date | null => {
  if (value === null || value === undefined || value.trim() === "") return null
  return Dates.parseIsoDateTime(value, { zone: "utc-if-absent", dateOnly: true }) ?? null
}
