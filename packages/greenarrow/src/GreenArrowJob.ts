/**
 * The GreenArrow Studio v2 background-job record, its Schema, and the mapping
 * to jobstream's normalized {@link Job.Job}.
 *
 * Field list: the Jobs API table plus `updated_at` (present in the documented
 * example, missing from the table). Everything except `id` may be missing or
 * `null`; a missing field decodes as `null`. Timestamps are ISO 8601 with `Z`
 * or a numeric offset (`-04:00`, `+0200`) and decode to `Date`.
 *
 * `state`, `state2` and `job_type` are open strings: the documented values are
 * exported as literals (`knownStates`, …) but any other string is accepted,
 * because the published enumerations are incomplete.
 *
 * @since 0.1.0
 * @module
 */
import { Dates, Job } from "@jobstream/core"
import * as Schema from "effect/Schema"

/**
 * The provider name carried by errors and normalized jobs.
 *
 * @since 0.1.0
 */
export const provider = "greenarrow"

// ---------------------------------------------------------------------------
// Open string unions

/**
 * States documented for campaigns, subscriber imports and the "unfinished" endpoint.
 *
 * @since 0.1.0
 */
export const knownStates = [
  "pending",
  "scheduled",
  "idle",
  "active",
  "sending",
  "downloading",
  "splitting",
  "importing",
  "paused",
  "finished",
  "failed",
  "cancelled"
] as const
/**
 * A documented state.
 *
 * @since 0.1.0
 */
export type KnownState = typeof knownStates[number]
/**
 * A state: a documented one, or any other string the server sends.
 *
 * @since 0.1.0
 */
export type State = KnownState | (string & {})

/**
 * Job types seen in the documentation.
 *
 * @since 0.1.0
 */
export const knownJobTypes = ["Campaign", "SubscriberImport"] as const
/**
 * A documented job type.
 *
 * @since 0.1.0
 */
export type KnownJobType = typeof knownJobTypes[number]
/**
 * A job type: a documented one, or any other string.
 *
 * @since 0.1.0
 */
export type JobType = KnownJobType | (string & {})

/**
 * Secondary campaign states seen in the documentation.
 *
 * @since 0.1.0
 */
export const knownState2s = ["onhold_autowinner"] as const
/**
 * A documented secondary state.
 *
 * @since 0.1.0
 */
export type KnownState2 = typeof knownState2s[number]
/**
 * A secondary state: a documented one, or any other string.
 *
 * @since 0.1.0
 */
export type State2 = KnownState2 | (string & {})

// Open strings decode as plain strings (a union with the literals accepts
// exactly the same inputs, only slower); the type keeps the known words.
const openString = <const L extends ReadonlyArray<string>>(
  _literals: L,
  identifier: string
): Schema.Schema<L[number] | (string & {}), string> => Schema.String.annotations({ identifier })

/**
 * Schema of `state`.
 *
 * @since 0.1.0
 */
export const StateSchema = openString(knownStates, "GreenArrowState")
/**
 * Schema of `job_type`.
 *
 * @since 0.1.0
 */
export const JobTypeSchema = openString(knownJobTypes, "GreenArrowJobType")
/**
 * Schema of `state2`.
 *
 * @since 0.1.0
 */
export const State2Schema = openString(knownState2s, "GreenArrowState2")

// ---------------------------------------------------------------------------
// Timestamps

/**
 * Parses an ISO 8601 date-time that carries its zone (`Z` or an offset).
 * Returns undefined for anything else: a zone-less local time, or an
 * impossible date or time (`2014-02-30T10:00:00Z` is not rolled over).
 *
 * @since 0.1.0
 */
export const parseIsoDateTime = (text: string): Date | undefined => Dates.parseIsoDateTime(text, { zone: "required" })

/**
 * An ISO 8601 timestamp string (with `Z` or an offset) decoded to a `Date`; encodes as UTC ISO.
 *
 * @since 0.1.0
 */
export const Timestamp: Schema.Schema<Date, string> = Dates.DateFromIso({ zone: "required" }).annotations({
  identifier: "GreenArrowTimestamp"
})

// ---------------------------------------------------------------------------
// The record

const nullable = <A, I>(schema: Schema.Schema<A, I>) =>
  Schema.optionalWith(Schema.NullOr(schema), { default: () => null })

/** A non-negative count or identifier. */
const Count = Schema.Number.pipe(Schema.int(), Schema.nonNegative())

/**
 * One background job as the Jobs API returns it.
 *
 * @since 0.1.0
 */
export class GreenArrowJob extends Schema.Class<GreenArrowJob>("@jobstream/greenarrow/GreenArrowJob")({
  /**
   * The internal identifier of the job: a number, as the API sends it. The
   * normalized `Job.id` is its decimal text (`"42"`), like every provider's,
   * and `getJob` takes either form.
   */
  id: Count,
  /** The mailing list associated with the job. */
  mailing_list_id: nullable(Count),
  /** The job's organization. */
  organization_id: nullable(Count),
  /** The suppression list associated with the job. */
  suppression_list_id: nullable(Count),
  /** The current status word ("paused", "scheduled", …). */
  state: nullable(StateSchema),
  /** A campaign's secondary state ("onhold_autowinner", …). */
  state2: nullable(State2Schema),
  /** Whether the job is paused. */
  paused: nullable(Schema.Boolean),
  /** The job's name. */
  name: nullable(Schema.String),
  /** Numerator of the job's progress. */
  progress_value: nullable(Schema.Number.pipe(Schema.finite())),
  /** Denominator of the job's progress. */
  progress_total: nullable(Schema.Number.pipe(Schema.finite())),
  /** The kind of job ("Campaign", "SubscriberImport", …). */
  job_type: nullable(JobTypeSchema),
  /** When the job is scheduled to begin. */
  begins_at: nullable(Timestamp),
  /** When the job began. */
  started_at: nullable(Timestamp),
  /** When the job finished. */
  finished_at: nullable(Timestamp),
  /** When the job was created. */
  created_at: nullable(Timestamp),
  /** After a failure, when the job will retry. */
  retry_at: nullable(Timestamp),
  /** When the job was last changed (in the documented example, not in the field table). */
  updated_at: nullable(Timestamp)
}) {}

/**
 * The JSON shape of a job record.
 *
 * @since 0.1.0
 */
export type GreenArrowJobEncoded = typeof GreenArrowJob.Encoded

// ---------------------------------------------------------------------------
// Normalization

/**
 * The normalized status of a GreenArrow state. `paused: true` wins over the
 * state word; unknown states are "unknown".
 *
 * @since 0.1.0
 */
export const statusOf = (state: string | null, paused: boolean | null): Job.Status => {
  if (paused === true) return "paused"
  switch (state?.toLowerCase()) {
    case "scheduled":
    case "idle":
    case "pending":
      return "pending"
    case "active":
    case "sending":
    case "downloading":
    case "splitting":
    case "importing":
      return "running"
    case "paused":
      return "paused"
    case "finished":
      return "succeeded"
    case "failed":
      return "failed"
    case "cancelled":
    case "canceled":
      return "canceled"
    default:
      return "unknown"
  }
}

/**
 * Maps a record to the normalized job (pure). `raw` is the record itself.
 *
 * @since 0.1.0
 */
export const toJob = (record: GreenArrowJob): Job.Job => ({
  // Built whole (not through `Job.make`, which would copy an input object): one object per job;
  // the dates are the record's own `Date`s, parsed once when the record was decoded.
  provider,
  id: String(record.id),
  name: record.name,
  type: record.job_type,
  status: statusOf(record.state, record.paused),
  providerStatus: record.state ?? "",
  createdAt: record.created_at,
  startedAt: record.started_at,
  finishedAt: record.finished_at,
  progress: record.progress_value === null && record.progress_total === null
    ? null
    : { done: record.progress_value ?? 0, total: record.progress_total },
  raw: record
})
