/**
 * The records of the Bulk Jobs List, as decoded from JSON or XML, and their
 * mapping to jobstream's normalized `Job`.
 *
 * Decoding is lenient where InsideView is loose: `page`, `resultsPerPage`,
 * `totalResults` and `creditsConsumed` may be numbers or numeric strings
 * (the documented example uses strings; XML always does), and
 * `creditsConsumed`, `jobType` and `createdDate` may be missing.
 * `jobType`/`jobStatus` are open strings; the known values are listed.
 *
 * @since 0.1.0
 * @module
 */
import { Dates, Job } from "@jobstream/core"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * `jobStatus` values seen in the documentation.
 *
 * @since 0.1.0
 */
export const KnownJobStatus = Schema.Literal("accepted", "processing", "finished", "failed", "aborted")
/**
 * The decoded type of the {@link KnownJobStatus} schema.
 *
 * @since 0.1.0
 */
export type KnownJobStatus = typeof KnownJobStatus.Type

/**
 * `jobType` values seen in the documentation.
 *
 * @since 0.1.0
 */
export const KnownJobType = Schema.Literal(
  "targetCompanyDetails",
  "targetContactDetails",
  "targetLookup",
  "contacts",
  "companies",
  "contact",
  "enrich",
  "targetCompanySearchAsyncExport",
  "familyTree",
  "techProfileFetch"
)
/**
 * The decoded type of the {@link KnownJobType} schema.
 *
 * @since 0.1.0
 */
export type KnownJobType = typeof KnownJobType.Type

/**
 * A job status: one of the known words, or any other string InsideView sends.
 * Decoded as a plain string (a union with the literals would accept exactly
 * the same inputs, only slower); the type keeps the known words as hints.
 *
 * @since 0.1.0
 */
export const JobStatus: Schema.Schema<JobStatus> = Schema.String.annotations({ identifier: "JobStatus" })
/**
 * A job status: one of {@link KnownJobStatus} or any other string (what {@link JobStatus} decodes to).
 *
 * @since 0.1.0
 */
export type JobStatus = KnownJobStatus | (string & {})

/**
 * A job type: one of the known words, or any other string InsideView sends (see {@link JobStatus}).
 *
 * @since 0.1.0
 */
export const JobType: Schema.Schema<JobType> = Schema.String.annotations({ identifier: "JobType" })
/**
 * A job type: one of {@link KnownJobType} or any other string (what {@link JobType} decodes to).
 *
 * @since 0.1.0
 */
export type JobType = KnownJobType | (string & {})

const integerText = /^\s*-?\d+\s*$/

/**
 * An integer sent either as a JSON number or as a string of digits (XML
 * always sends strings). One transformation, so a numeric string is not
 * first tried, and rejected, as a number.
 *
 * @since 0.1.0
 */
export const IntFromWire = Schema.transformOrFail(
  Schema.Union(Schema.Number, Schema.String),
  Schema.Int,
  {
    strict: true,
    decode: (wire, _, ast) => {
      if (typeof wire === "number") return ParseResult.succeed(wire)
      if (!integerText.test(wire)) {
        return ParseResult.fail(new ParseResult.Type(ast, wire, "expected an integer written as digits"))
      }
      const n = Number(wire)
      return Number.isSafeInteger(n)
        ? ParseResult.succeed(n)
        : ParseResult.fail(new ParseResult.Type(ast, wire, "expected a safe integer"))
    },
    encode: (n) => ParseResult.succeed(n)
  }
).annotations({ identifier: "IntFromWire" })

/**
 * `createdDate`: a calendar date (`YYYY-MM-DD`) or an ISO 8601 date-time
 * (read as UTC when it has no zone), and a real one.
 *
 * @since 0.2.0
 */
export const CreatedDate: Schema.Schema<string> = Dates.DateText({ zone: "utc-if-absent", dateOnly: true }).annotations({
  identifier: "CreatedDate"
})

/**
 * One job of the list.
 *
 * @since 0.1.0
 */
export const BulkJob = Schema.Struct({
  jobId: Schema.String.pipe(Schema.minLength(1)),
  jobType: Schema.optional(JobType),
  jobStatus: JobStatus,
  /**
   * "2015-09-08" in the list; full timestamps ("2016-09-15T03:36:05.000-07:00")
   * on other endpoints. Kept as the server's text, but it must be a real date:
   * an impossible one ("2014-02-30") fails decoding.
   */
  createdDate: Schema.optional(CreatedDate),
  creditsConsumed: Schema.optionalWith(IntFromWire, { nullable: true })
})
/**
 * The decoded type of the {@link BulkJob} schema.
 *
 * @since 0.1.0
 */
export interface BulkJob extends Schema.Schema.Type<typeof BulkJob> {}

/**
 * One page of the list.
 *
 * @since 0.1.0
 */
export const BulkJobsPage = Schema.Struct({
  bulkJobs: Schema.Array(BulkJob),
  page: Schema.optional(Schema.Number),
  resultsPerPage: Schema.optional(Schema.Number),
  /** Jobs matching the query across all pages. */
  totalResults: Schema.optional(Schema.Number)
})
/**
 * The decoded type of the {@link BulkJobsPage} schema.
 *
 * @since 0.1.0
 */
export interface BulkJobsPage extends Schema.Schema.Type<typeof BulkJobsPage> {}

/**
 * The provider name carried by normalized jobs and errors.
 *
 * @since 0.1.0
 */
export const provider = "insideview"

/**
 * InsideView's status word → normalized status.
 *
 * @since 0.1.0
 */
export const toStatus = (jobStatus: string): Job.Status => statusOfWord(jobStatus) ?? statusOfWord(jobStatus.trim().toLowerCase()) ?? "unknown"

// The words as sent (the common case, no new string), then trimmed and lower-cased.
const statusOfWord = (word: string): Job.Status | undefined => {
  switch (word) {
    case "accepted":
      return "pending"
    case "processing":
      return "running"
    case "finished":
      return "succeeded"
    case "failed":
      return "failed"
    case "aborted":
      return "canceled"
    default:
      return undefined
  }
}

/**
 * Maps a record to the normalized job (pure; `createdDate` was checked when the record was decoded).
 *
 * @since 0.1.0
 */
export const toJob = (record: BulkJob): Job.Job => ({
  // Built whole (not through `Job.make`, which would copy an input object): one object per job.
  provider,
  id: record.jobId,
  name: null,
  type: record.jobType ?? null,
  status: toStatus(record.jobStatus),
  providerStatus: record.jobStatus,
  createdAt: Job.parseDate(record.createdDate),
  startedAt: null,
  finishedAt: null,
  progress: null,
  raw: record
})
