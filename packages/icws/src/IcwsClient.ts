/**
 * The ICWS data-extractor client: list (streamed, newest first), look up,
 * submit, cancel, await and watch extraction jobs. Every call goes through an
 * {@link IcwsSession.IcwsSession}, so it carries the CSRF token and cookies,
 * and a 401 reconnects and retries (see the session for the bounds).
 *
 * Submitting is not idempotent (a repeated POST creates a second job), so
 * `submitJob` is retried only when the request provably did not create a
 * job: the connection was refused (nothing was sent), or the server turned it
 * away with 429 or 503. After an ambiguous failure — a timeout, a connection
 * reset after the request went out — it fails with `OutcomeUnknown`: the job
 * may exist; list the jobs before submitting again.
 *
 * `awaitJob` fails with `JobFailed`/`JobCanceled` (carrying the server's
 * `errorInfo`) when the job ends that way, and never polls for longer than
 * its `timeout` (default one hour).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import {
  AllJobs,
  ApiError,
  ClientOptions as ClientOptionChecks,
  HttpTransport,
  Job,
  Outcome,
  Paginate,
  Validation
} from "@jobstream/core"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as IcwsJob from "./IcwsJob.js"
import * as IcwsSession from "./IcwsSession.js"
import * as Awaiting from "./internal/awaiting.js"
import * as OptionChecks from "./internal/options.js"

/** Client settings on top of the session's. */
export interface ClientOptions {
  /** `jobCount` of each list request when the query sets none. Default 100. */
  readonly pageSize?: number
  /**
   * Most list pages one `jobs()` walk reads; when a full page still names a
   * next cursor, the stream fails with a `PaginationError` ("max-pages").
   * Default: core's `Paginate.defaultMaxPages` (10,000).
   */
  readonly maxPages?: number
}

/** Everything `make`/`layer` need. */
export interface Options extends IcwsSession.Options, ClientOptions {}

/** Options of `submitJob`. */
export interface SubmitOptions {
  /**
   * Which failures of the POST are retried (with the session's retry policy):
   * - "safe" (default): only those where the request provably created no job —
   *   connection refused, 429, 503. An ambiguous failure (timeout, reset after
   *   sending) fails with `OutcomeUnknown`, without a second POST.
   * - "none" (or `false`): nothing is retried.
   * - "all" (or `true`): everything the policy retries, ambiguous failures
   *   included — accepting that the job may be created twice.
   */
  readonly retry?: "safe" | "none" | "all" | boolean
}

/** How `awaitJob` polls. */
export interface AwaitOptions {
  /** When to poll again (its output is ignored). Default {@link defaultPollSchedule}. */
  readonly schedule?: Schedule.Schedule<unknown, IcwsJob.JobStatus>
  /** The longest the wait may take, polls included. Default {@link defaultAwaitTimeout} (1 hour). */
  readonly timeout?: Duration.DurationInput
}

/** The default `pageSize`. */
export const defaultPageSize = 100

/** The default bound of `awaitJob` (and of the default polling of `watchJob`): one hour. */
export const defaultAwaitTimeout: Duration.Duration = Duration.hours(1)

/** The default polling schedule of `awaitJob`/`watchJob`: every 2 seconds, for at most an hour. */
export const defaultPollSchedule: Schedule.Schedule<number> = Schedule.spaced("2 seconds").pipe(
  Schedule.upTo(defaultAwaitTimeout)
)

/** The client service. */
export interface Service {
  /** The session the client uses. */
  readonly session: IcwsSession.Service
  /**
   * Every job, newest first, following the `fromJobId` cursor. Stops when a
   * page is shorter than `jobCount`. Jobs a page repeats from the page before
   * are dropped; a page of nothing but jobs already read, or one bringing back
   * the first page, or more than `maxPages` pages, fail the stream with a
   * `PaginationError`.
   */
  readonly jobs: (query?: IcwsJob.JobsQuery) => Stream.Stream<IcwsJob.JobRecord, ApiError.ApiError>
  /** `jobs` mapped to the normalized job. */
  readonly normalizedJobs: (query?: IcwsJob.JobsQuery) => Stream.Stream<Job.Job, ApiError.ApiError>
  /** One job (`GET …/data-extractor/jobs/{jobId}`); `mode` defaults to "all". */
  readonly getJob: (jobId: string, mode?: IcwsJob.ResponseMode) => Effect.Effect<IcwsJob.JobRecord, ApiError.ApiError>
  /**
   * Submits an extraction job; 201 `{ id }`. Retried only when no job can have
   * been created (see {@link SubmitOptions}); `OutcomeUnknown` when it may have been.
   */
  readonly submitJob: (
    config: IcwsJob.JobConfig,
    options?: SubmitOptions
  ) => Effect.Effect<IcwsJob.JobResponse, ApiError.ApiError>
  /** Cancels a queued or running job. */
  readonly cancelJob: (jobId: string) => Effect.Effect<void, ApiError.ApiError>
  /**
   * Polls the job's status until it ends, and returns the final status when it
   * finished. Fails with `JobFailed` or `JobCanceled` (with the job's
   * `errorInfo` as `providerMessage`) when it ended that way, and with a
   * `Timeout` (scope "deadline") when `timeout` (default 1 hour) passes or the
   * schedule ends first. A Schedule as second argument replaces the polling
   * schedule only.
   */
  readonly awaitJob: (
    jobId: string,
    options?: AwaitOptions | Schedule.Schedule<unknown, IcwsJob.JobStatus>
  ) => Effect.Effect<IcwsJob.JobStatus, ApiError.ApiError>
  /**
   * Polls the job's status on `schedule` and emits it each time the state
   * changes (the first poll always emits); ends after a terminal state (which
   * it emits, whatever it is), or when the schedule ends — the default one
   * after an hour.
   */
  readonly watchJob: (
    jobId: string,
    schedule?: Schedule.Schedule<unknown, IcwsJob.JobStatus>
  ) => Stream.Stream<IcwsJob.JobStatus, ApiError.ApiError>
}

/** The client as a service. */
export class IcwsClient extends Context.Tag("@jobstream/icws/IcwsClient")<IcwsClient, Service>() {}

/** Maps a data-extractor job to the normalized job (see `IcwsJob.toJob`). */
export const toJob: (record: IcwsJob.JobRecord) => Job.Job = IcwsJob.toJob

// ---------------------------------------------------------------------------

const invalid = (operation: string, problems: ReadonlyArray<ApiError.Problem>) =>
  ApiError.invalidRequest(IcwsJob.provider, operation, problems)

const isJsonLike = (type: string): boolean =>
  type === "" || type === IcwsJob.mediaType || type === "application/json" || type.endsWith("+json")

/** A `decode` that checks the media type, then parses and decodes the JSON body. */
const decodeIcws = <A, I>(schema: Schema.Schema<A, I, never>) => {
  const decode = HttpTransport.decodeJson(schema)
  return (raw: HttpTransport.RawResponse, where: ApiError.Where): Effect.Effect<A, ApiError.DecodeError> => {
    const type = HttpTransport.mediaType(raw)
    if (!isJsonLike(type)) {
      return Effect.fail(
        ApiError.DecodeError.fromBody(where, raw, { format: "body", issue: `expected ${IcwsJob.mediaType}, got ${type}` })
      )
    }
    return decode(raw, where)
  }
}

const decodeJobs = decodeIcws(IcwsJob.Jobs)
const decodeRecord = decodeIcws(IcwsJob.JobRecord)
const decodeJobResponse = decodeIcws(IcwsJob.JobResponse)

/**
 * The session part of a path as errors show it when the session id is not
 * at hand: the placeholder every other ICWS error shows in its place.
 */
const sessionPathForErrors = "/icws/<redacted>"

/** The list path as errors show it. */
const listPathForErrors = `${sessionPathForErrors}/data-extractor/jobs`

const decodeStatus = (raw: HttpTransport.RawResponse, where: ApiError.Where) =>
  Effect.flatMap(decodeRecord(raw, where), (record) =>
    record.jobStatus === undefined
      ? Effect.fail(ApiError.DecodeError.fromBody(where, raw, { format: "schema", issue: "the job has no jobStatus" }))
      : Effect.succeed(record.jobStatus))

const encodeConfig = Schema.encodeUnknownEither(IcwsJob.JobConfig, { errors: "all", onExcessProperty: "error" })

const checkJobId = (operation: string, jobId: unknown): Effect.Effect<string, ApiError.InvalidRequest> => {
  const problem = Validation.nonBlank(jobId)
  return problem === undefined
    ? Effect.succeed(jobId as string)
    : Effect.fail(invalid(operation, [{ parameter: "jobId", message: problem }]))
}

/** Checks a job configuration beyond its shape; every problem, by parameter. */
const configProblems = (config: IcwsJob.JobConfig): ReadonlyArray<ApiError.Problem> => {
  const problems: Array<ApiError.Problem> = []
  const blank = (parameter: string, value: string) => {
    const problem = Validation.nonBlank(value)
    if (problem !== undefined) problems.push({ parameter, message: problem })
  }
  blank("name", config.name)
  blank("submittedUserId", config.submittedUserId)
  const sources = [
    ...(config.tables?.tableList ?? []).map((source, i) => [`tables.tableList[${i}]`, source] as const),
    ...(config.views?.viewList ?? []).map((source, i) => [`views.viewList[${i}]`, source] as const)
  ]
  for (const [at, source] of sources) {
    blank(`${at}.name`, source.name)
    source.column.forEach((c, j) => blank(`${at}.column[${j}].name`, c.name))
  }
  if (
    config.startTimeFilter !== undefined && config.endTimeFilter !== undefined &&
    config.startTimeFilter.getTime() > config.endTimeFilter.getTime()
  ) {
    problems.push({
      parameter: "startTimeFilter",
      message: `${config.startTimeFilter.toISOString()} is after endTimeFilter ${config.endTimeFilter.toISOString()}`
    })
  }
  return problems
}

/** Builds the client over an existing session. */
export const fromSession = (session: IcwsSession.Service, options: ClientOptions = {}): Service => {
  const pageSize = options.pageSize ?? defaultPageSize
  const maxPages = options.maxPages ?? Paginate.defaultMaxPages

  const jobs = (query: IcwsJob.JobsQuery = {}): Stream.Stream<IcwsJob.JobRecord, ApiError.ApiError> =>
    Stream.suspend(() => {
      const decoded = IcwsJob.validateQuery(query)
      if (Either.isLeft(decoded)) return Stream.fail(invalid("listJobs", decoded.left))
      // `make` and `layerFromSession` check it; `fromSession` trusts its caller, so check again here.
      const size = Validation.integer(pageSize, { min: 1, max: OptionChecks.maxJobCount })
      if (size !== undefined) return Stream.fail(invalid("listJobs", [{ parameter: "pageSize", message: size }]))
      const pages = Validation.integer(maxPages, { min: 1, max: Number.MAX_SAFE_INTEGER })
      if (pages !== undefined) return Stream.fail(invalid("listJobs", [{ parameter: "maxPages", message: pages }]))
      const mode = decoded.right.mode ?? "status"
      const jobCount = decoded.right.jobCount ?? pageSize
      const params = (from: string | undefined) =>
        HttpClientRequest.appendUrlParams({
          jobCount: String(jobCount),
          jobsResponseMode: mode,
          ...(from === undefined ? {} : { fromJobId: from })
        })
      // The next cursor is the last (oldest) job of a full page; a short page
      // is the end. Core's Paginate.cursor drops jobs repeated from recent
      // pages (a server that includes the cursor job again) and ends the walk
      // with a PaginationError when a page only repeats jobs already read (a
      // server ignoring fromJobId), brings back the first page (a list that
      // starts over), or after `maxPages` pages.
      const fetchPage = (from: string | undefined) =>
        session.execute((credential) => ({
          operation: "listJobs",
          request: session.request(credential, "GET", "/data-extractor/jobs").pipe(params(from)),
          decode: decodeJobs
        })).pipe(
          Effect.flatMap((page) => {
            const all = page.jobList
            const last = all.length > 0 ? IcwsJob.recordId(all[all.length - 1]!) : undefined
            const full = all.length >= jobCount
            const result = { items: all, next: full ? last : undefined }
            return full && last === undefined
              ? Effect.as(
                Effect.logWarning("ICWS job list: the last job of a full page has no id; the list stops there"),
                result
              )
              : Effect.succeed(result)
          })
        )
      return Paginate.cursor<IcwsJob.JobRecord, string, ApiError.ApiError, never>({
        fetch: fetchPage,
        key: IcwsJob.recordId,
        // The session id is not known here (nor wanted in errors): "-" stands for it.
        where: (from) => session.transport.where("listJobs", HttpClientRequest.get(listPathForErrors).pipe(params(from))),
        redact: (text) => session.transport.redact(text),
        maxPages
      })
    })

  const getJob = (jobId: string, mode: IcwsJob.ResponseMode = "all") =>
    Effect.gen(function*() {
      const id = yield* checkJobId("getJob", jobId)
      const modeProblem = Validation.oneOf(mode, IcwsJob.ResponseMode.literals)
      if (modeProblem !== undefined) return yield* invalid("getJob", [{ parameter: "mode", message: modeProblem }])
      return yield* session.execute((credential) => ({
        operation: "getJob",
        request: session.request(credential, "GET", `/data-extractor/jobs/${encodeURIComponent(id)}`).pipe(
          HttpClientRequest.setUrlParam("jobsResponseMode", mode)
        ),
        decode: decodeRecord
      }))
    })

  const getStatus = (jobId: string) =>
    session.execute((credential) => ({
      operation: "getJobStatus",
      request: session.request(credential, "GET", `/data-extractor/jobs/${encodeURIComponent(jobId)}`).pipe(
        HttpClientRequest.setUrlParam("jobsResponseMode", "status")
      ),
      decode: decodeStatus
    }))

  const submitJob = (config: IcwsJob.JobConfig, submitOptions: SubmitOptions = {}) =>
    Effect.gen(function*() {
      const encoded = encodeConfig(config)
      if (Either.isLeft(encoded)) return yield* invalid("submitJob", ApiError.problemsOf(encoded.left))
      const problems = configProblems(config)
      if (problems.length > 0) return yield* invalid("submitJob", problems)
      const body = JSON.stringify(encoded.right)
      const retry = submitOptions.retry === true ? "all" : submitOptions.retry === false ? "none" : submitOptions.retry ?? "safe"
      return yield* session.execute((credential) => ({
        operation: "submitJob",
        request: session.request(credential, "POST", "/data-extractor/jobs").pipe(
          HttpClientRequest.bodyText(body, `${IcwsJob.mediaType};charset=utf-8`)
        ),
        idempotent: false,
        retryNonIdempotent: retry !== "none",
        ...(retry === "safe" ? { retryPolicy: Schedule.whileInput(session.retryPolicy, Outcome.notProcessed) } : {}),
        decode: decodeJobResponse
      })).pipe(
        // Only the POST's own failures; a failed login sent no job.
        Effect.mapError((error) => (error.operation === "submitJob" ? Outcome.outcomeUnknown(error) : error))
      )
    })

  const cancelJob = (jobId: string) =>
    Effect.flatMap(checkJobId("cancelJob", jobId), (id) =>
      session.execute((credential) => ({
        operation: "cancelJob",
        request: session.request(credential, "DELETE", `/data-extractor/jobs/${encodeURIComponent(id)}`),
        decode: () => Effect.void
      })))

  const watchJob = (
    jobId: string,
    schedule: Schedule.Schedule<unknown, IcwsJob.JobStatus> = defaultPollSchedule
  ): Stream.Stream<IcwsJob.JobStatus, ApiError.ApiError> =>
    Stream.unwrap(Effect.map(checkJobId("watchJob", jobId), (id) => Awaiting.watch(getStatus(id), schedule)))

  const awaitJob = (jobId: string, options?: AwaitOptions | Schedule.Schedule<unknown, IcwsJob.JobStatus>) =>
    Effect.flatMap(checkJobId("awaitJob", jobId), (id) =>
      Awaiting.awaitEnd(
        id,
        options,
        { schedule: defaultPollSchedule, timeout: defaultAwaitTimeout },
        session.transport.where(
          "awaitJob",
          HttpClientRequest.get(`${sessionPathForErrors}/data-extractor/jobs/${encodeURIComponent(id)}`)
        ),
        getStatus(id)
      ))

  return {
    session,
    jobs,
    normalizedJobs: (query) => Stream.map(jobs(query), IcwsJob.toJob),
    getJob,
    submitJob,
    cancelJob,
    awaitJob,
    watchJob
  }
}

/**
 * Builds a client with its own session (logged out when the scope closes).
 * Every option (the session's and `pageSize`, 1..10000) is checked first; a
 * bad one fails with a `ConfigError` naming it, and nothing is sent.
 */
export const make = (options: Options): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    // Both sets of options at once, so every problem is reported together.
    const { client } = yield* ClientOptionChecks.all({
      session: OptionChecks.resolveSession(options, IcwsSession.defaults),
      client: OptionChecks.resolveClient(options, defaultPageSize)
    })
    const session = yield* IcwsSession.make(options)
    return fromSession(session, client)
  })

/** The client over an `IcwsSession` already in context (to share one session); a bad `pageSize` is a `ConfigError`. */
export const layerFromSession = (
  options: ClientOptions = {}
): Layer.Layer<IcwsClient, ConfigError.ConfigError, IcwsSession.IcwsSession> =>
  Layer.effect(
    IcwsClient,
    Effect.gen(function*() {
      const client = yield* OptionChecks.resolveClient(options, defaultPageSize)
      const session = yield* IcwsSession.IcwsSession
      return fromSession(session, client)
    })
  )

/**
 * The client together with its scoped session: the session connects on the
 * first call and logs out when the layer is released. Only `HttpClient` is
 * left to provide. A bad option is a `ConfigError` naming it.
 */
export const layer = (
  options: Options
): Layer.Layer<IcwsClient | IcwsSession.IcwsSession, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerFromSession(options).pipe(Layer.provideMerge(IcwsSession.layer(options)))

/**
 * Like {@link layer}, configured from `ICWS_BASE_URL`, `ICWS_USER`,
 * `ICWS_PASSWORD`, `ICWS_APPLICATION_NAME` and `ICWS_LANGUAGE` (see
 * `IcwsSession.config`); `overrides` win. A variable that is missing, blank or
 * malformed is a `ConfigError` naming it.
 */
export const layerConfig = (
  overrides: Partial<Options> = {}
): Layer.Layer<IcwsClient | IcwsSession.IcwsSession, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerFromSession(overrides).pipe(Layer.provideMerge(IcwsSession.layerConfig(overrides)))

/**
 * This provider as a source for `AllJobs.layer` from @jobstream/core: every
 * job, normalized, with the default query.
 */
export const source: Effect.Effect<AllJobs.Source, never, IcwsClient> = Effect.map(IcwsClient, (client) => ({
  provider: "icws",
  jobs: client.normalizedJobs()
}))
