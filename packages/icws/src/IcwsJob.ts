/**
 * Schemas of the ICWS data-extractor resources (feature `data-extractor`
 * version 2): job status, job configuration, the list envelope, the submit
 * answer, the error body, and the mapping to the normalized `Job` of
 * `@jobstream/core`. The list query is `IcwsQuery`.
 *
 * Dates: ICWS writes UTC timestamps either in the extended form
 * (`2014-07-03T13:37:00Z`) or in the compact one (`20140703T133700Z`), with
 * optional fractions of a second. Both decode to a `Date`; encoding writes the
 * extended form with milliseconds.
 *
 * @since 0.1.0
 * @module
 */
import { Job } from "@jobstream/core"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as IcwsQuery from "./IcwsQuery.js"

/**
 * The media type ICWS uses for its JSON bodies.
 *
 * @since 0.1.0
 */
export const mediaType = "application/vnd.inin.icws+json"

/**
 * The provider name carried by errors and normalized jobs.
 *
 * @since 0.1.0
 */
export const provider = "icws"

// ---------------------------------------------------------------------------
// Dates

const datePattern = /^(\d{4})(-?)(\d{2})\2(\d{2})T(\d{2})(:?)(\d{2})(?:\6(\d{2})(?:\.(\d{1,9}))?)?Z$/

/**
 * Parses an ICWS UTC timestamp in either form. Returns undefined when the text
 * is not one of them or names an impossible instant (month 13, 31 February…).
 *
 * @since 0.1.0
 */
export const parseDateTime = (text: string): Date | undefined => {
  const m = datePattern.exec(text)
  if (m === null) return undefined
  const [year, month, day, hour, minute] = [m[1], m[3], m[4], m[5], m[7]].map(Number) as [
    number,
    number,
    number,
    number,
    number
  ]
  const second = m[8] === undefined ? 0 : Number(m[8])
  const millis = m[9] === undefined ? 0 : Math.floor(Number(`0.${m[9]}`) * 1000)
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis)
  const d = new Date(ms)
  // Date.UTC rolls over out-of-range fields; a rolled value means bad input.
  if (
    d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day ||
    d.getUTCHours() !== hour || d.getUTCMinutes() !== minute || d.getUTCSeconds() !== second
  ) return undefined
  return d
}

/**
 * An ICWS timestamp (`2014-07-03T13:37:00Z` or `20140703T133700Z`) as a `Date`.
 *
 * @since 0.1.0
 */
export const DateTime = Schema.transformOrFail(Schema.String, Schema.DateFromSelf, {
  strict: true,
  decode: (text, _, ast) => {
    const date = parseDateTime(text)
    return date === undefined
      ? ParseResult.fail(
        new ParseResult.Type(ast, text, `expected a UTC timestamp like 2014-07-03T13:37:00Z or 20140703T133700Z`)
      )
      : ParseResult.succeed(date)
  },
  encode: (date, _, ast) =>
    Number.isNaN(date.getTime())
      ? ParseResult.fail(new ParseResult.Type(ast, date, "invalid date"))
      : ParseResult.succeed(date.toISOString())
}).annotations({ identifier: "IcwsDateTime" })

/** Optional and nullable: `null` and absence both decode to "absent". */
const opt = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { nullable: true })

// ---------------------------------------------------------------------------
// State

/**
 * The job states, by name (`urn:inin.com:dataExtractor:state`).
 *
 * @since 0.1.0
 */
export const States = {
  submitted: 0,
  queued: 1,
  started: 2,
  failed: 3,
  canceled: 4,
  finished: 5
} as const

/**
 * The numeric state as it travels on the wire.
 *
 * @since 0.1.0
 */
export const State = Schema.Literal(0, 1, 2, 3, 4, 5).annotations({ identifier: "IcwsJobState" })
/**
 * The decoded type of the {@link State} schema.
 *
 * @since 0.1.0
 */
export type State = typeof State.Type

/**
 * A state's name.
 *
 * @since 0.1.0
 */
export type StateName = keyof typeof States

const names: ReadonlyArray<StateName> = ["submitted", "queued", "started", "failed", "canceled", "finished"]

/**
 * The name of a state: 2 → "started".
 *
 * @since 0.1.0
 */
export const stateName = (state: State): StateName => names[state]!

/**
 * Whether a state is final (failed, canceled or finished).
 *
 * @since 0.1.0
 */
export const isTerminalState = (state: State | undefined): boolean =>
  state === States.failed || state === States.canceled || state === States.finished

// ---------------------------------------------------------------------------
// Records

/**
 * `urn:inin.com:dataExtractor:jobStatus`.
 *
 * @since 0.1.0
 */
export const JobStatus = Schema.Struct({
  name: Schema.String,
  submittedUserId: Schema.String,
  id: Schema.String,
  submittedUserSiteId: Schema.Int,
  state: opt(State),
  submitTime: opt(DateTime),
  queuedTime: opt(DateTime),
  startedTime: opt(DateTime),
  finishedTime: opt(DateTime),
  failedTime: opt(DateTime),
  canceledTime: opt(DateTime),
  stateChangedTime: opt(DateTime),
  cancelUserId: opt(Schema.String),
  outputFolder: opt(Schema.String),
  errorInfo: opt(Schema.String)
}).annotations({ identifier: "IcwsJobStatus" })
/**
 * The decoded type of the {@link JobStatus} schema.
 *
 * @since 0.1.0
 */
export interface JobStatus extends Schema.Schema.Type<typeof JobStatus> {}

/**
 * One column of a table or view.
 *
 * @since 0.1.0
 */
export const Column = Schema.Struct({ name: Schema.String })
/**
 * The decoded type of the {@link Column} schema.
 *
 * @since 0.1.0
 */
export interface Column extends Schema.Schema.Type<typeof Column> {}

/**
 * A table (or view) to extract; names are case-insensitive on the server.
 *
 * @since 0.1.0
 */
export const Table = Schema.Struct({
  name: Schema.String,
  dateTimeFilterColumn: opt(Schema.String),
  siteIdFilterColumn: opt(Schema.String),
  column: Schema.Array(Column)
}).annotations({ identifier: "IcwsTable" })
/**
 * The decoded type of the {@link Table} schema.
 *
 * @since 0.1.0
 */
export interface Table extends Schema.Schema.Type<typeof Table> {}

/**
 * A view to extract (same shape as a table).
 *
 * @since 0.1.0
 */
export const View = Table.annotations({ identifier: "IcwsView" })
/**
 * The decoded type of the {@link View} schema.
 *
 * @since 0.1.0
 */
export interface View extends Schema.Schema.Type<typeof View> {}

/**
 * A site filter; `name` is the site ID.
 *
 * @since 0.1.0
 */
export const SiteIdFilter = Schema.Struct({ name: opt(Schema.String) })
/**
 * The decoded type of the {@link SiteIdFilter} schema.
 *
 * @since 0.1.0
 */
export interface SiteIdFilter extends Schema.Schema.Type<typeof SiteIdFilter> {}

/**
 * `urn:inin.com:dataExtractor:jobConfig`: what a job extracts; also the body of a submit.
 *
 * @since 0.1.0
 */
export const JobConfig = Schema.Struct({
  name: Schema.String,
  submittedUserId: Schema.String,
  id: opt(Schema.String),
  tables: opt(Schema.Struct({ tableList: Schema.Array(Table) })),
  views: opt(Schema.Struct({ viewList: Schema.Array(View) })),
  startTimeFilter: opt(DateTime),
  endTimeFilter: opt(DateTime),
  siteIdFilters: opt(Schema.Array(SiteIdFilter))
}).annotations({ identifier: "IcwsJobConfig" })
/**
 * The decoded type of the {@link JobConfig} schema.
 *
 * @since 0.1.0
 */
export interface JobConfig extends Schema.Schema.Type<typeof JobConfig> {}

/**
 * One job as the list and the lookup return it. Which halves are present
 * depends on the response mode: `status` fills `jobStatus`, `configuration`
 * fills `jobConfig`, `all` both.
 *
 * @since 0.1.0
 */
export const JobRecord = Schema.Struct({
  jobStatus: opt(JobStatus),
  jobConfig: opt(JobConfig)
}).annotations({ identifier: "IcwsJob" })
/**
 * The decoded type of the {@link JobRecord} schema.
 *
 * @since 0.1.0
 */
export interface JobRecord extends Schema.Schema.Type<typeof JobRecord> {}

/**
 * `urn:inin.com:dataExtractor:jobs`: one page of the list.
 *
 * @since 0.1.0
 */
export const Jobs = Schema.Struct({ jobList: Schema.Array(JobRecord) }).annotations({ identifier: "IcwsJobs" })
/**
 * The decoded type of the {@link Jobs} schema.
 *
 * @since 0.1.0
 */
export interface Jobs extends Schema.Schema.Type<typeof Jobs> {}

/**
 * `urn:inin.com:dataExtractor:jobReponse` (sic): the answer to a submit.
 *
 * @since 0.1.0
 */
export const JobResponse = Schema.Struct({ id: Schema.String }).annotations({ identifier: "IcwsJobResponse" })
/**
 * The decoded type of the {@link JobResponse} schema.
 *
 * @since 0.1.0
 */
export interface JobResponse extends Schema.Schema.Type<typeof JobResponse> {}

/**
 * The error body of every ICWS failure.
 *
 * @since 0.1.0
 */
export const ErrorBody = Schema.Struct({
  errorId: opt(Schema.String),
  message: opt(Schema.String)
})
/**
 * The decoded type of the {@link ErrorBody} schema.
 *
 * @since 0.1.0
 */
export interface ErrorBody extends Schema.Schema.Type<typeof ErrorBody> {}

// ---------------------------------------------------------------------------
// Records

/**
 * The job ID of a record (status first, then configuration), if it has one.
 *
 * @since 0.1.0
 */
export const recordId = (record: JobRecord): string | undefined => record.jobStatus?.id ?? record.jobConfig?.id

// ---------------------------------------------------------------------------
// Normalization

const normalizedStatus = (state: State | undefined): Job.Status => {
  switch (state) {
    case States.submitted:
    case States.queued:
      return "pending"
    case States.started:
      return "running"
    case States.finished:
      return "succeeded"
    case States.failed:
      return "failed"
    case States.canceled:
      return "canceled"
    default:
      return "unknown"
  }
}

/**
 * Maps a data-extractor job to the normalized job: submitted/queued →
 * pending, started → running, finished → succeeded, failed → failed,
 * canceled → canceled, no state (configuration-only records) → unknown.
 * `finishedAt` is whichever of finished/failed/canceled time the job has.
 *
 * @since 0.1.0
 */
export const toJob = (record: JobRecord): Job.Job => {
  const status = record.jobStatus
  const config = record.jobConfig
  const state = status?.state
  return Job.make({
    provider,
    id: recordId(record) ?? "",
    name: status?.name ?? config?.name ?? null,
    type: "data-extractor",
    status: normalizedStatus(state),
    providerStatus: state === undefined ? "unknown" : stateName(state),
    createdAt: status?.submitTime ?? null,
    startedAt: status?.startedTime ?? null,
    finishedAt: status?.finishedTime ?? status?.failedTime ?? status?.canceledTime ?? null,
    raw: record
  })
}

// ---------------------------------------------------------------------------
// Old names (the query moved to IcwsQuery in 0.2)

/**
 * @deprecated moved to `IcwsQuery.ResponseMode` in 0.2.
 * @since 0.1.0
 */
export const ResponseMode = IcwsQuery.ResponseMode
/**
 * @deprecated moved to `IcwsQuery.ResponseMode` in 0.2.
 *
 * @since 0.1.0
 */
export type ResponseMode = IcwsQuery.ResponseMode
/**
 * @deprecated moved to `IcwsQuery.JobsQuery` in 0.2.
 * @since 0.1.0
 */
export const JobsQuery = IcwsQuery.JobsQuery
/**
 * @deprecated moved to `IcwsQuery.JobsQuery` in 0.2.
 *
 * @since 0.1.0
 */
export type JobsQuery = IcwsQuery.JobsQuery
/**
 * @deprecated renamed `IcwsQuery.validate` in 0.2.
 * @since 0.1.0
 */
export const validateQuery = IcwsQuery.validate
