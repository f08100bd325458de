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
 * the token endpoint (`POST {authBaseUrl}/Auth/login/v1/token.json`, or
 * `tokenUrl`), sent in a form body by default (see `credentialsIn`). The token
 * is cached until its `expirationTime`, replaced ahead of it by
 * min(`tokenRefreshMargin`, 10 % of its lifetime); a 401 leads to a shared
 * re-login and a retry, up to `maxRelogins` per request. The token travels only
 * in the `accessToken` header and the secret only in the login call.
 *
 * 429: InsideView locks the whole account for five minutes and documents no
 * `Retry-After`. By default a `Retry-After`, when sent and no longer than
 * `maxRetryAfter` (60 s), is honoured; without one the `RateLimited` error
 * surfaces at once. `rateLimitWait: Duration` waits that long instead.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { AllJobs, ApiError, HttpTransport, Job, Paginate, RetryPolicy, Session, Validation } from "@jobstream/core"
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
import * as OptionChecks from "./internal/options.js"
import * as Login from "./internal/login.js"
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
  /**
   * Scheme and host of the login service (a base, not the token URL): the
   * token endpoint is `{authBaseUrl}/Auth/login/v1/token.json`. Default
   * "https://login.insideview.com". A value that already ends with
   * `/Auth/login/v1/token(.json)` is taken as the token URL itself.
   */
  readonly authBaseUrl?: string
  /** The token endpoint's full URL; wins over `authBaseUrl`. */
  readonly tokenUrl?: string
  /**
   * Where the login sends the client credentials: "auto" (default) a form
   * body, falling back once to the documented query parameters when the
   * server answers 400/415 to it and remembering what worked; "body" or
   * "query" to pin one form.
   */
  readonly credentialsIn?: Login.CredentialsIn
  /** Re-logins after 401s within one request (a newer token rejected too). Default 2. */
  readonly maxRelogins?: number
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
  /**
   * The longest time before `expirationTime` a token is replaced; a token
   * living less than ten times this is replaced at 90 % of its life. Default 5 minutes.
   */
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
  /** Logins started so far (always 0 with a fixed token). */
  readonly logins: Effect.Effect<number>
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
  tokenRefreshMargin: Duration.minutes(5),
  credentialsIn: "auto",
  maxRelogins: 2
} as const

const listPath = "/api/v1/admin/jobs"
const provider = BulkJob.provider

/** Runs a request with the current token (re-logging in once after a 401 when it can). */
interface Authorizer {
  <A>(f: (token: Redacted.Redacted<string>) => Effect.Effect<A, ApiError.ApiError>): Effect.Effect<A, ApiError.ApiError>
}

/**
 * Builds the client. Every option is checked first: a bad one (an empty
 * secret, a base URL that is not plain http(s), a page size outside 1..50, a
 * zero timeout, …) fails with a `ConfigError` naming the option, and nothing
 * is sent.
 */
export const make = (
  options: Options
): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const resolved = yield* OptionChecks.resolve(options, defaults)
    const format = resolved.format
    const accept = format === "json" ? "application/json" : "application/xml"
    const concurrency = resolved.concurrency
    const defaultPerPage = resolved.resultsPerPage
    const listEncoding = resolved.listEncoding
    const tokenUrl = Login.resolveTokenUrl({ tokenUrl: resolved.tokenUrl, authBaseUrl: resolved.authBaseUrl })
    const maxPages = resolved.maxPages
    const retryPolicy = options.retryPolicy ?? RetryPolicy.make({
      rateLimitFallback: resolved.rateLimitWait,
      ...(resolved.maxRetryAfter !== undefined ? { maxRetryAfter: resolved.maxRetryAfter } : {})
    })

    const transport = yield* HttpTransport.make({
      provider,
      baseUrl: resolved.baseUrl,
      readErrorBody: Codec.readErrorBody,
      secretHeaders: ["accesstoken"],
      secretParams: ["clientId", "clientSecret"],
      // Replaced wherever a server might echo them, on every call.
      secrets: options.auth._tag === "Token" ? [options.auth.accessToken] : [options.auth.clientSecret],
      retryPolicy,
      ...(resolved.timeout !== undefined ? { timeout: resolved.timeout } : {}),
      ...(resolved.deadline !== undefined ? { deadline: resolved.deadline } : {}),
      ...(resolved.maxBodyBytes !== undefined ? { maxBodyBytes: resolved.maxBodyBytes } : {}),
      ...(options.transformClient !== undefined ? { transformClient: options.transformClient } : {})
    }).pipe(
      // Every InsideView request carries a secret: the token header, or the
      // client secret in the login's form body — which the transport cannot
      // see. The platform's own span keeps the raw request (body included) in
      // the error it ends with, so it is off for all of them; the transport's
      // spans, with redacted URLs, cover every call.
      Effect.provideServiceEffect(
        HttpClient.HttpClient,
        Effect.map(HttpClient.HttpClient, (client) => HttpClient.withTracerDisabledWhen(client, () => true))
      )
    )

    // --- authentication -----------------------------------------------------

    const auth = resolved.auth
    let authorized: Authorizer
    let logins: Effect.Effect<number> = Effect.succeed(0)
    if (auth._tag === "Token") {
      const token = auth.accessToken
      authorized = (f) => f(token)
    } else {
      const session = yield* Session.make<Login.Credential, ApiError.ApiError, never>({
        acquire: Login.makeLogin({
          transport,
          tokenUrl,
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          credentialsIn: resolved.credentialsIn
        }),
        expiresAt: (c) => c.expiresAt,
        refreshAhead: resolved.tokenRefreshMargin,
        maxRelogins: resolved.maxRelogins
      })
      authorized = (f) => session.withCredential((c) => f(c.token))
      logins = session.acquisitions
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
      Either.match(JobsQuery.validate(query), {
        onLeft: (problems) => Effect.fail(ApiError.invalidRequest(provider, operation, problems)),
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
          return yield* ApiError.invalidRequest(provider, "getJob", [
            { parameter: "jobId", message: Validation.nonBlank(jobId) ?? "must be a non-empty string" }
          ])
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
      getJob,
      logins
    } satisfies Service
  })

/** The client as a Layer; fails with a `ConfigError` naming the option when an option is invalid. */
export const layer = (options: Options): Layer.Layer<InsideViewClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(InsideViewClient, make(options))

/** The environment variables {@link layerConfig} reads. */
export const variables = OptionChecks.variables

/**
 * The client configured from the environment:
 * - `INSIDEVIEW_ACCESS_TOKEN`, or `INSIDEVIEW_CLIENT_ID` + `INSIDEVIEW_CLIENT_SECRET`.
 *   The rule: when `INSIDEVIEW_ACCESS_TOKEN` is set the token is used and the
 *   client-credential variables are not read; otherwise both of those are
 *   required.
 * - optional `INSIDEVIEW_BASE_URL`, `INSIDEVIEW_AUTH_BASE_URL`,
 *   `INSIDEVIEW_TOKEN_URL` and `INSIDEVIEW_FORMAT` ("json" | "xml").
 *
 * A variable that is missing, empty or blank, or malformed (a base URL that
 * is not plain http(s), an unknown format) is a `ConfigError` whose path is
 * the variable's name. Fields of `overrides` take precedence (and are checked
 * under their option names).
 */
export const layerConfig = (
  overrides: Partial<Options> = {}
): Layer.Layer<InsideViewClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(
    InsideViewClient,
    Effect.gen(function*() {
      const env = yield* OptionChecks.settingsFromEnv
      const auth = overrides.auth ?? (yield* OptionChecks.authFromEnv)
      const fromEnv: Partial<Options> = {
        ...Option.match(env.baseUrl, { onNone: () => ({}), onSome: (baseUrl) => ({ baseUrl }) }),
        ...Option.match(env.authBaseUrl, { onNone: () => ({}), onSome: (authBaseUrl) => ({ authBaseUrl }) }),
        ...Option.match(env.tokenUrl, { onNone: () => ({}), onSome: (tokenUrl) => ({ tokenUrl }) }),
        ...Option.match(env.format, { onNone: () => ({}), onSome: (format) => ({ format }) })
      }
      return yield* make({ ...fromEnv, ...overrides, auth })
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
