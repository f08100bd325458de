/**
 * The ICWS client's operations over a session: the job list (core's
 * `Paginate.cursor` over `fromJobId`), lookup, submit (retried only when no
 * job can have been created), cancel, await and watch.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ApiError, HttpTransport, Outcome, Paginate, Resume, Validation } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type { AwaitOptions, Service, SubmitOptions } from "../IcwsClient.js"
import * as IcwsJob from "../IcwsJob.js"
import * as IcwsQuery from "../IcwsQuery.js"
import type * as IcwsSession from "../IcwsSession.js"
import * as Awaiting from "./awaiting.js"

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

/** The client's operations over a session (the listing options already checked, or checked again here). */
export const make = (session: IcwsSession.Service, options: { readonly pageSize: number; readonly maxPages: number | undefined }): Service => {
  const pageSize = options.pageSize
  const maxPages = options.maxPages ?? Paginate.defaultMaxPages

  // The walk, starting at `start` (a `fromJobId`; undefined: the newest
  // jobs); `emit` gives each page's items their final shape.
  const walk = <A>(
    query: IcwsQuery.JobsQuery,
    start: string | undefined,
    emit: Resume.Emit<IcwsJob.JobRecord, A>
  ): Stream.Stream<A, ApiError.ApiError> =>
    Stream.suspend(() => {
      const decoded = IcwsQuery.validate(query)
      if (Either.isLeft(decoded)) return Stream.fail(invalid("listJobs", decoded.left))
      // `make` and `layerFromSession` check it; `fromSession` trusts its caller, so check again here.
      const size = Validation.integer(pageSize, { min: 1, max: IcwsQuery.maxJobCount })
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
          decode: decodeJobs,
          items: (page: IcwsJob.Jobs) => page.jobList.length
        })).pipe(
          Effect.flatMap((page) => {
            const all = page.jobList
            const last = all.length > 0 ? IcwsJob.recordId(all[all.length - 1]!) : undefined
            const full = all.length >= jobCount
            const next = full ? last : undefined
            const at = from === undefined ? Resume.first : Resume.cursor(from)
            const result = { items: emit.items(all, at, next === undefined ? undefined : Resume.cursor(next)), next }
            return full && last === undefined
              ? Effect.as(
                Effect.logWarning("ICWS job list: the last job of a full page has no id; the list stops there"),
                result
              )
              : Effect.succeed(result)
          })
        )
      return Paginate.cursor<A, string, ApiError.ApiError, never>({
        fetch: (from) => fetchPage(from ?? start),
        key: emit.key,
        // The session id is not known here (nor wanted in errors): "-" stands for it.
        where: (from) => session.transport.where("listJobs", HttpClientRequest.get(listPathForErrors).pipe(params(from ?? start))),
        redact: (text) => session.transport.redact(text),
        maxPages
      })
    })

  const jobs = (query: IcwsQuery.JobsQuery = {}): Stream.Stream<IcwsJob.JobRecord, ApiError.ApiError> =>
    walk(query, undefined, Resume.plain(IcwsJob.recordId))

  // Resumable: a `Cursor` position is a `fromJobId`; anything else starts at the newest jobs.
  const jobsFrom = (
    from: Resume.Position | undefined,
    query: IcwsQuery.JobsQuery = {}
  ): Stream.Stream<Resume.Positioned<IcwsJob.JobRecord>, ApiError.ApiError> =>
    walk(query, from?._tag === "Cursor" ? from.cursor : undefined, Resume.tagged(IcwsJob.recordId))

  const getJob = (jobId: string, mode: IcwsQuery.ResponseMode = "all") =>
    Effect.gen(function*() {
      const id = yield* checkJobId("getJob", jobId)
      const modeProblem = Validation.oneOf(mode, IcwsQuery.ResponseMode.literals)
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
    schedule: Schedule.Schedule<unknown, IcwsJob.JobStatus> = Awaiting.defaultPollSchedule
  ): Stream.Stream<IcwsJob.JobStatus, ApiError.ApiError> =>
    Stream.unwrap(Effect.map(checkJobId("watchJob", jobId), (id) => Awaiting.watch(getStatus(id), schedule)))

  const awaitJob = (jobId: string, options?: AwaitOptions | Schedule.Schedule<unknown, IcwsJob.JobStatus>) =>
    Effect.flatMap(checkJobId("awaitJob", jobId), (id) =>
      Awaiting.awaitEnd(
        id,
        options,
        { schedule: Awaiting.defaultPollSchedule, timeout: Awaiting.defaultAwaitTimeout },
        session.transport.where(
          "awaitJob",
          HttpClientRequest.get(`${sessionPathForErrors}/data-extractor/jobs/${encodeURIComponent(id)}`)
        ),
        getStatus(id)
      ))

  return {
    session,
    jobs,
    jobsFrom,
    normalizedJobs: (query) => Stream.map(jobs(query), IcwsJob.toJob),
    getJob,
    submitJob,
    cancelJob,
    awaitJob,
    watchJob
  }
}

