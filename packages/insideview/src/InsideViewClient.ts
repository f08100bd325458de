/**
 * The InsideView Bulk Jobs client.
 *
 * - `listJobs(query)`: one page of `GET /api/v1/admin/jobs`.
 * - `jobs(query)`: every job across pages, as a Stream; pages after the first
 *   are fetched `concurrency` at a time (default 4) and emitted in order; the
 *   page count is re-read from every page, and a server that stops moving
 *   forward ends the stream with a `PaginationError` (core's `Paginate.numbered`).
 * - `normalizedJobs(query)`, `getJob(id)`.
 *
 * Authentication is a fixed access token, or client credentials exchanged at
 * `POST {authBaseUrl}/Auth/login/v1/token.json`; the token is cached until
 * its `expirationTime` (refreshed `tokenRefreshMargin` ahead) and a 401 leads
 * to one shared re-login and one retry. The token travels only in the
 * `accessToken` header and the secret only in the login call.
 *
 * 429: InsideView locks the whole account for five minutes and documents no
 * `Retry-After`. By default a `Retry-After`, when sent and no longer than
 * `maxRetryAfter` (60 s), is honoured; without one the `RateLimited` error
 * surfaces at once. `rateLimitWait: Duration` waits that long instead.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { AllJobs, ApiError, HttpTransport, Job, Paginate, RetryPolicy, Session } from "@jobstream/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as BulkJob from "./BulkJob.js"
import * as Codec from "./internal/codec.js"
import * as JobsQuery from "./JobsQuery.js"

/** How the client authenticates. */
export type Auth =
  | { readonly _tag: "Token"; readonly accessToken: Redacted.Redacted<string> }
  | { readonly _tag: "Credentials"; readonly clientId: string; readonly clientSecret: Redacted.Redacted<string> }

/** Constructors of {@link Auth}. */
export const Auth = {
  token: (accessToken: Redacted.Redacted<string>): Auth => ({ _tag: "Token", accessToken }),
  credentials: (clientId: string, clientSecret: Redacted.Redacted<string>): Auth => ({
    _tag: "Credentials",
    clientId,
    clientSecret
  })
} as const

/** Client options. */
export interface Options {
  readonly auth: Auth
  /** Default "https://api.insideview.com". */
  readonly baseUrl?: string
  /** Default "https://login.insideview.com". */
  readonly authBaseUrl?: string
  /** Response format asked for with `Accept`. Default "json" (XML is fully supported). */
  readonly format?: "json" | "xml"
  /** Page requests in flight at once while streaming. Default 4. */
  readonly concurrency?: number
  /** Page size used by `jobs()` when the query sets none. Default 50 (the maximum). */
  readonly resultsPerPage?: number
  /**
   * Most pages one `jobs()` walk reads; when the list goes on past them the
   * stream fails with a `PaginationError` ("max-pages"). Default: no limit
   * (the walk is bounded by `totalResults` and by core's progress checks).
   */
  readonly maxPages?: number
  /** How `jobStatuses`/`jobTypes` are sent. Default "comma". */
  readonly listEncoding?: JobsQuery.ListEncoding
  /** Replaces the retry policy altogether (then `rateLimitWait`/`maxRetryAfter` are ignored). */
  readonly retryPolicy?: RetryPolicy.RetryPolicy
  /** What to do on a 429 without `Retry-After`: "fail" (default) or wait this long and retry. */
  readonly rateLimitWait?: "fail" | Duration.DurationInput
  /** Longest `Retry-After` honoured; a longer one surfaces as `RateLimited`. Default 60 s. */
  readonly maxRetryAfter?: Duration.DurationInput
  /** Per-attempt timeout. Default 30 s. */
  readonly timeout?: Duration.DurationInput
  /** Overall time for one call including retries. Default none. */
  readonly deadline?: Duration.DurationInput
  /** Largest response body accepted, in bytes (a typed DecodeError beyond it). Default 32 MiB. */
  readonly maxBodyBytes?: number
  /** How long before `expirationTime` a token is replaced. Default 5 minutes. */
  readonly tokenRefreshMargin?: Duration.DurationInput
  /** Last chance to adjust the underlying HttpClient. */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

/** The service. */
export interface Service {
  readonly format: "json" | "xml"
  /** One page of the list. */
  readonly listJobs: (query?: JobsQuery.JobsQuery) => Effect.Effect<BulkJob.BulkJobsPage, ApiError.ApiError>
  /** Every job matching the query, across pages (starting at `query.page`, default 1). */
  readonly jobs: (query?: JobsQuery.JobsQuery) => Stream.Stream<BulkJob.BulkJob, ApiError.ApiError>
  /** `jobs` mapped with `BulkJob.toJob`. */
  readonly normalizedJobs: (query?: JobsQuery.JobsQuery) => Stream.Stream<Job.Job, ApiError.ApiError>
  /** Finds one job by id in the list (there is no generic per-job endpoint); `NotFound` when absent. */
  readonly getJob: (jobId: string) => Effect.Effect<BulkJob.BulkJob, ApiError.ApiError>
}

/** The client tag. */
export class InsideViewClient extends Context.Tag("@jobstream/insideview/InsideViewClient")<
  InsideViewClient,
  Service
>() {}

/** Defaults, spelled out. */
export const defaults = {
  baseUrl: "https://api.insideview.com",
  authBaseUrl: "https://login.insideview.com",
  format: "json",
  concurrency: 4,
  resultsPerPage: 50,
  listEncoding: "comma",
  rateLimitWait: "fail",
  tokenRefreshMargin: Duration.minutes(5)
} as const

const listPath = "/api/v1/admin/jobs"
const provider = BulkJob.provider

/** Runs a request with the current token (re-logging in once after a 401 when it can). */
interface Authorizer {
  <A>(f: (token: Redacted.Redacted<string>) => Effect.Effect<A, ApiError.ApiError>): Effect.Effect<A, ApiError.ApiError>
}

interface Credential {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: number | undefined
}

/** Builds the client. */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const format = options.format ?? defaults.format
    const accept = format === "json" ? "application/json" : "application/xml"
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? defaults.concurrency))
    const defaultPerPage = Math.min(
      JobsQuery.maxResultsPerPage,
      Math.max(1, Math.floor(options.resultsPerPage ?? defaults.resultsPerPage))
    )
    const listEncoding = options.listEncoding ?? defaults.listEncoding
    const maxPages = options.maxPages
    const maxPagesIssue = maxPages === undefined || (Number.isInteger(maxPages) && maxPages >= 1)
      ? undefined
      : `maxPages must be a positive integer, got ${maxPages}`
    const authBaseUrl = (options.authBaseUrl ?? defaults.authBaseUrl).replace(/\/+$/, "")
    const retryPolicy = options.retryPolicy ?? RetryPolicy.make({
      rateLimitFallback: options.rateLimitWait ?? defaults.rateLimitWait,
      ...(options.maxRetryAfter !== undefined ? { maxRetryAfter: options.maxRetryAfter } : {})
    })

    const transport = yield* HttpTransport.make({
      provider,
      baseUrl: options.baseUrl ?? defaults.baseUrl,
      readErrorBody: Codec.readErrorBody,
      secretHeaders: ["accesstoken"],
      secretParams: ["clientId", "clientSecret"],
      retryPolicy,
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
      ...(options.transformClient !== undefined ? { transformClient: options.transformClient } : {})
    })

    // --- authentication -----------------------------------------------------

    const auth = options.auth
    const login = (clientId: string, clientSecret: Redacted.Redacted<string>): Effect.Effect<Credential, ApiError.ApiError> =>
      transport.execute({
        operation: "login",
        request: HttpClientRequest.post(`${authBaseUrl}/Auth/login/v1/token.json`).pipe(
          HttpClientRequest.setUrlParams({ clientId, clientSecret: Redacted.value(clientSecret), grantType: "cred" }),
          HttpClientRequest.acceptJson
        ),
        // Asking for another token has no side effect worth protecting.
        idempotent: true,
        decode: Codec.decodeToken
      }).pipe(
        Effect.flatMap((details) => {
          const expiresAt = Codec.parseExpirationTime(details.expirationTime)
          const credential: Credential = { token: Redacted.make(details.accessToken), expiresAt }
          return expiresAt === undefined
            ? Effect.as(
              Effect.logWarning("insideview: token expirationTime missing or unreadable; relying on 401 to renew").pipe(
                Effect.annotateLogs({ expirationTime: details.expirationTime ?? "<absent>" })
              ),
              credential
            )
            : Effect.succeed(credential)
        })
      )

    let authorized: Authorizer
    if (auth._tag === "Token") {
      const token = auth.accessToken
      authorized = (f) => f(token)
    } else {
      const session = yield* Session.make<Credential, ApiError.ApiError, never>({
        acquire: login(auth.clientId, auth.clientSecret),
        expiresAt: (c) => c.expiresAt,
        refreshAhead: options.tokenRefreshMargin ?? defaults.tokenRefreshMargin
      })
      authorized = (f) => session.withCredential((c) => f(c.token))
    }

    // --- requests -------------------------------------------------------------

    const listRequest = (q: JobsQuery.JobsQuery) =>
      HttpClientRequest.get(listPath).pipe(
        HttpClientRequest.setUrlParams(JobsQuery.toUrlParams(q, listEncoding)),
        HttpClientRequest.setHeader("Accept", accept)
      )

    const decodePage = Codec.decodePage(format)

    const fetchPage = (operation: string, q: JobsQuery.JobsQuery) => {
      const request = listRequest(q)
      return authorized((token) =>
        transport.execute({
          operation,
          request: HttpClientRequest.setHeader(request, "accessToken", Redacted.value(token)),
          decode: decodePage
        })
      )
    }

    const validated = (operation: string, query: unknown): Effect.Effect<JobsQuery.JobsQuery, ApiError.InvalidRequest> =>
      Either.match(JobsQuery.validate(query ?? {}), {
        onLeft: (issue) => Effect.fail(new ApiError.InvalidRequest({ provider, operation, issue })),
        onRight: Effect.succeed
      })

    const listJobs = (query?: JobsQuery.JobsQuery) =>
      Effect.flatMap(validated("listJobs", query), (q) => fetchPage("listJobs", q))

    // Pages by number from `query.page` (default 1). The page count is
    // re-read from every page's `totalResults` (a growing list is followed to
    // its new end); without a total the walk goes on while pages are full.
    // Core's Paginate drops jobs repeated by a shifting list (by `jobId`) and
    // ends a walk that stops moving forward with a PaginationError.
    const jobsFor = (operation: string, query: JobsQuery.JobsQuery | undefined) =>
      Stream.unwrap(Effect.map(validated(operation, query), (q) => {
        if (maxPagesIssue !== undefined) {
          return Stream.fail(new ApiError.InvalidRequest({ provider, operation, issue: maxPagesIssue }))
        }
        const pageSize = q.resultsPerPage ?? defaultPerPage
        const at = (page: number): JobsQuery.JobsQuery => ({ ...q, page, resultsPerPage: pageSize })
        return Paginate.numbered<BulkJob.BulkJob, ApiError.ApiError, never>({
          firstPage: q.page ?? 1,
          pageBase: 1,
          pageSize,
          concurrency,
          ...(maxPages !== undefined ? { maxPages } : {}),
          key: (job) => job.jobId,
          where: (page) => transport.where(operation, listRequest(at(page))),
          fetch: (page) => Effect.map(fetchPage(operation, at(page)), (p) => ({ items: p.bulkJobs, total: p.totalResults }))
        })
      }))

    const jobs = (query?: JobsQuery.JobsQuery) => jobsFor("jobs", query)

    const getJob = (jobId: string) =>
      Effect.gen(function*() {
        if (typeof jobId !== "string" || jobId.trim() === "") {
          return yield* new ApiError.InvalidRequest({ provider, operation: "getJob", issue: "jobId must be a non-empty string" })
        }
        const found = yield* jobsFor("getJob", undefined).pipe(
          Stream.filter((job) => job.jobId === jobId),
          Stream.runHead
        )
        if (Option.isSome(found)) return found.value
        const where = transport.where("getJob", listRequest({}))
        return yield* new ApiError.NotFound({
          ...where,
          status: 404,
          providerMessage: `no job with id ${JSON.stringify(jobId)} in the bulk jobs list`
        })
      })

    return {
      format,
      listJobs,
      jobs,
      normalizedJobs: (query) => Stream.map(jobs(query), BulkJob.toJob),
      getJob
    } satisfies Service
  })

/** The client as a Layer. */
export const layer = (options: Options): Layer.Layer<InsideViewClient, never, HttpClient.HttpClient> =>
  Layer.scoped(InsideViewClient, make(options))

const authConfig: Config.Config<Auth> = Config.redacted("INSIDEVIEW_ACCESS_TOKEN").pipe(
  Config.map(Auth.token),
  Config.orElse(() =>
    Config.all({
      clientId: Config.string("INSIDEVIEW_CLIENT_ID"),
      clientSecret: Config.redacted("INSIDEVIEW_CLIENT_SECRET")
    }).pipe(Config.map(({ clientId, clientSecret }) => Auth.credentials(clientId, clientSecret)))
  )
)

/**
 * The client configured from the environment:
 * `INSIDEVIEW_ACCESS_TOKEN`, or `INSIDEVIEW_CLIENT_ID` + `INSIDEVIEW_CLIENT_SECRET`
 * (a token wins when both are set); optional `INSIDEVIEW_BASE_URL`,
 * `INSIDEVIEW_AUTH_BASE_URL` and `INSIDEVIEW_FORMAT` ("json" | "xml").
 * Fields of `overrides` take precedence.
 */
export const layerConfig = (
  overrides: Partial<Options> = {}
): Layer.Layer<InsideViewClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(
    InsideViewClient,
    Effect.gen(function*() {
      const env = yield* Config.all({
        baseUrl: Config.option(Config.string("INSIDEVIEW_BASE_URL")),
        authBaseUrl: Config.option(Config.string("INSIDEVIEW_AUTH_BASE_URL")),
        format: Config.withDefault(Config.literal("json", "xml")("INSIDEVIEW_FORMAT"), defaults.format)
      })
      const auth = overrides.auth ?? (yield* authConfig)
      return yield* make({
        ...Option.match(env.baseUrl, { onNone: () => ({}), onSome: (baseUrl) => ({ baseUrl }) }),
        ...Option.match(env.authBaseUrl, { onNone: () => ({}), onSome: (authBaseUrl) => ({ authBaseUrl }) }),
        format: env.format,
        ...overrides,
        auth
      })
    })
  )

/**
 * This provider as a source for `AllJobs.layer` from @jobstream/core: every
 * job, normalized, with the default query.
 */
export const source: Effect.Effect<AllJobs.Source, never, InsideViewClient> = Effect.map(InsideViewClient, (client) => ({
  provider: "insideview",
  jobs: client.normalizedJobs()
}))
