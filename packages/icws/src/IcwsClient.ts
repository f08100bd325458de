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
 * Construction follows the Effect convention: `make(options)`,
 * `layer(options)` and `layerConfig(config)`, where `config` defaults to
 * {@link config}, which reads the `ICWS_*` variables.
 *
 * @since 0.1.0
 * @module
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { AllJobs, type ApiError, ClientOptions, type Job, type Resume } from "@jobstream/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import * as IcwsJob from "./IcwsJob.js"
import type * as IcwsQuery from "./IcwsQuery.js"
import * as IcwsSession from "./IcwsSession.js"
import * as Awaiting from "./internal/awaiting.js"
import * as Jobs from "./internal/jobs.js"
import * as OptionChecks from "./internal/options.js"

/**
 * The client's own settings, on top of the session's: how the job list is read.
 *
 * @since 0.2.0
 */
export interface ListingOptions {
  /** `jobCount` of each list request when the query sets none, 1..10000. Default 100. */
  readonly pageSize?: number | undefined
  /**
   * Most list pages one `jobs()` walk reads; when a full page still names a
   * next cursor, the stream fails with a `PaginationError` ("max-pages").
   * Default: core's `Paginate.defaultMaxPages` (10,000).
   */
  readonly maxPages?: number | undefined
}

/**
 * The old name of {@link ListingOptions} (it collided with core's `ClientOptions`).
 *
 * @deprecated renamed `ListingOptions` in 0.2.
 *
 * @since 0.1.0
 */
export type ClientOptions = ListingOptions

/**
 * Everything `make`/`layer` need: the session's options and the listing's.
 *
 * @since 0.1.0
 */
export interface Options extends IcwsSession.Options, ListingOptions {}

/**
 * Options of `submitJob`.
 *
 * @since 0.1.0
 */
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

/**
 * How `awaitJob` polls.
 *
 * @since 0.2.0
 */
export interface AwaitOptions {
  /** When to poll again (its output is ignored). Default {@link defaultPollSchedule}. */
  readonly schedule?: Schedule.Schedule<unknown, IcwsJob.JobStatus>
  /** The longest the wait may take, polls included. Default {@link defaultAwaitTimeout} (1 hour). */
  readonly timeout?: Duration.DurationInput
}

/**
 * The defaults of every optional setting (the session's and the listing's), in one place.
 *
 * @since 0.2.0
 */
export const defaults = { ...IcwsSession.defaults, pageSize: 100 } as const

/**
 * The default `pageSize`.
 *
 * @since 0.1.0
 */
export const defaultPageSize: number = defaults.pageSize

/**
 * The default bound of `awaitJob` (and of the default polling of `watchJob`): one hour.
 *
 * @since 0.2.0
 */
export const defaultAwaitTimeout: Duration.Duration = Awaiting.defaultAwaitTimeout

/**
 * The default polling schedule of `awaitJob`/`watchJob`: every 2 seconds, for at most an hour.
 *
 * @since 0.1.0
 */
export const defaultPollSchedule: Schedule.Schedule<number> = Awaiting.defaultPollSchedule

/**
 * The client service.
 *
 * @since 0.1.0
 */
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
  readonly jobs: (query?: IcwsQuery.JobsQuery) => Stream.Stream<IcwsJob.JobRecord, ApiError.ApiError>
  /**
   * `jobs(query)` from a position (a `Cursor` position is a `fromJobId`;
   * undefined: the newest jobs), each job with the page it came from: for
   * `Resume.forEach`.
   *
   * @since 0.2.0
   */
  readonly jobsFrom: (
    from: Resume.Position | undefined,
    query?: IcwsQuery.JobsQuery
  ) => Stream.Stream<Resume.Positioned<IcwsJob.JobRecord>, ApiError.ApiError>
  /** `jobs` mapped to the normalized job. */
  readonly normalizedJobs: (query?: IcwsQuery.JobsQuery) => Stream.Stream<Job.Job, ApiError.ApiError>
  /** One job (`GET …/data-extractor/jobs/{jobId}`); `mode` defaults to "all". */
  readonly getJob: (jobId: string, mode?: IcwsQuery.ResponseMode) => Effect.Effect<IcwsJob.JobRecord, ApiError.ApiError>
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

/**
 * The client as a service.
 *
 * @since 0.1.0
 */
export class IcwsClient extends Context.Tag("@jobstream/icws/IcwsClient")<IcwsClient, Service>() {}

/**
 * Maps a data-extractor job to the normalized job (see `IcwsJob.toJob`).
 *
 * @since 0.1.0
 */
export const toJob: (record: IcwsJob.JobRecord) => Job.Job = IcwsJob.toJob

/**
 * Builds the client over an existing session (to share one session). The
 * listing options are checked when the list is read (a bad one is an
 * `InvalidRequest` then); `layerFromSession` checks them up front.
 *
 * @since 0.1.0
 */
export const fromSession = (session: IcwsSession.Service, options: ListingOptions = {}): Service =>
  Jobs.make(session, { pageSize: options.pageSize ?? defaults.pageSize, maxPages: options.maxPages })

/**
 * Builds a client with its own session (logged out when the scope closes).
 * Every option (the session's and `pageSize`, 1..10000) is checked first; a
 * bad one fails with a `ConfigError` naming it, and nothing is sent.
 *
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    // Both sets of options at once, so every problem is reported together.
    const { listing } = yield* ClientOptions.all({
      session: OptionChecks.resolveSession(options, IcwsSession.defaults),
      listing: OptionChecks.resolveListing(options, defaults.pageSize)
    })
    const session = yield* IcwsSession.make(options)
    return Jobs.make(session, listing)
  })

/**
 * The client over an `IcwsSession` already in context (to share one session); a bad `pageSize` is a `ConfigError`.
 *
 * @since 0.1.0
 */
export const layerFromSession = (
  options: ListingOptions = {}
): Layer.Layer<IcwsClient, ConfigError.ConfigError, IcwsSession.IcwsSession> =>
  Layer.effect(
    IcwsClient,
    Effect.gen(function*() {
      const listing = yield* OptionChecks.resolveListing(options, defaults.pageSize)
      const session = yield* IcwsSession.IcwsSession
      return Jobs.make(session, listing)
    })
  )

/**
 * The client together with its scoped session: the session connects on the
 * first call and logs out when the layer is released. Only `HttpClient` is
 * left to provide. A bad option is a `ConfigError` naming it.
 *
 * @since 0.1.0
 */
export const layer = (
  options: Options
): Layer.Layer<IcwsClient | IcwsSession.IcwsSession, ConfigError.ConfigError, HttpClient.HttpClient> =>
  layerFromSession(options).pipe(Layer.provideMerge(IcwsSession.layer(options)))

/**
 * The environment variables {@link config} reads (the session's: the client reads none of its own).
 *
 * @since 0.2.0
 */
export const variables = IcwsSession.variables

/**
 * The options from the environment: `IcwsSession.config` (`ICWS_BASE_URL`,
 * `ICWS_USER`, `ICWS_PASSWORD`, …); the listing options keep their defaults.
 *
 * @since 0.2.0
 */
export const config: Config.Config<Options> = IcwsSession.config

/**
 * Like {@link layer}, from a configuration (the Effect convention: each
 * option a `Config`, or one `Config` of them all), by default {@link config}.
 * A variable that is missing, blank or malformed is a `ConfigError` naming it.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  options: Config.Config.Wrap<Options> = config
): Layer.Layer<IcwsClient | IcwsSession.IcwsSession, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(Config.unwrap(options), layer))

/**
 * This provider as a source for `AllJobs.layer` from @jobstream/core: every
 * job, normalized, with the default query.
 *
 * @since 0.1.0
 */
export const source: Effect.Effect<AllJobs.Source, never, IcwsClient> = AllJobs.sourceOf(IcwsClient, IcwsJob.provider)
