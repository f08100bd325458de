/**
 * The InsideView Bulk Jobs client.
 *
 * - `listJobs(query)`: one page of `GET /api/v1/admin/jobs`.
 * - `jobs(query)`: every job across pages, as a Stream; pages after the first
 *   are fetched `concurrency` at a time (default 4) and emitted in order; the
 *   page count is re-read from every page, and a server that stops moving
 *   forward ends the stream with a `PaginationError` (core's `Paginate.numbered`).
 * - `normalizedJobs(query)`, `getJob(id)`.
 * - `usage(query)`: the account's API usage and credits
 *   (`GET /api/v1/admin/usage`, see `InsideViewUsage`).
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
 * Construction follows the Effect convention: `make(options)`,
 * `layer(options)` and `layerConfig(config)`, where `config` defaults to
 * {@link config}, which reads the `INSIDEVIEW_*` variables.
 *
 * @since 0.1.0
 * @module
 */
import * as HttpClient from "@effect/platform/HttpClient"
import {
  AllJobs,
  type ApiError,
  type ClientOptions,
  HttpTransport,
  type Job,
  Provider,
  type RateLimit,
  type Resume,
  RetryPolicy
} from "@jobstream/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Codec from "./internal/codec.js"
import * as Listing from "./internal/listing.js"
import * as Login from "./internal/login.js"
import * as OptionChecks from "./internal/options.js"
import * as Usage from "./internal/usage.js"
import * as InsideViewJob from "./InsideViewJob.js"
import type * as InsideViewQuery from "./InsideViewQuery.js"
import type * as InsideViewUsage from "./InsideViewUsage.js"

/**
 * How the client authenticates.
 *
 * @since 0.1.0
 */
export type Auth =
  | { readonly _tag: "Token"; readonly accessToken: Redacted.Redacted<string> }
  | { readonly _tag: "Credentials"; readonly clientId: string; readonly clientSecret: Redacted.Redacted<string> }

/**
 * Constructors of {@link Auth}.
 *
 * @since 0.1.0
 */
export const Auth = {
  /** A token sent as is in the `accessToken` header. */
  token: (accessToken: Redacted.Redacted<string>): Auth => ({ _tag: "Token", accessToken }),
  /** Client credentials, exchanged for a token at the token endpoint. */
  credentials: (clientId: string, clientSecret: Redacted.Redacted<string>): Auth => ({
    _tag: "Credentials",
    clientId,
    clientSecret
  })
} as const

/**
 * Client options. Besides these, the options every client shares
 * (`ClientOptions.Transport`): `retryPolicy` (replaces the policy
 * altogether; then `rateLimitWait`/`maxRetryAfter` are ignored), `timeout`,
 * `deadline`, `maxBodyBytes`, `transformClient`.
 *
 * @since 0.1.0
 */
export interface Options extends ClientOptions.Transport {
  readonly auth: Auth
  /** Default "https://api.insideview.com". */
  readonly baseUrl?: string | undefined
  /**
   * Scheme and host of the login service (a base, not the token URL): the
   * token endpoint is `{authBaseUrl}/Auth/login/v1/token.json`. Default
   * "https://login.insideview.com". A value that already ends with
   * `/Auth/login/v1/token(.json)` is taken as the token URL itself.
   */
  readonly authBaseUrl?: string | undefined
  /** The token endpoint's full URL; wins over `authBaseUrl`. */
  readonly tokenUrl?: string | undefined
  /**
   * Where the login sends the client credentials: "auto" (default) a form
   * body, falling back once to the documented query parameters when the
   * server answers 400/415 to it and remembering what worked; "body" or
   * "query" to pin one form.
   */
  readonly credentialsIn?: Login.CredentialsIn | undefined
  /** Re-logins after 401s within one request (a newer token rejected too). Default 2. */
  readonly maxRelogins?: number | undefined
  /** Response format asked for with `Accept`. Default "json" (XML is fully supported). */
  readonly format?: "json" | "xml" | undefined
  /** Page requests in flight at once while streaming. Default 4. */
  readonly concurrency?: number | undefined
  /** Page size (`resultsPerPage`) of `jobs()` when the query sets none, 1..50. Default 50 (the maximum). */
  readonly pageSize?: number | undefined
  /**
   * Most pages one `jobs()` walk reads; when the list goes on past them the
   * stream fails with a `PaginationError` ("max-pages"). Default: no limit
   * (the walk is bounded by `totalResults` and by core's progress checks).
   */
  readonly maxPages?: number | undefined
  /** How `jobStatuses`/`jobTypes` are sent. Default "comma". */
  readonly listEncoding?: InsideViewQuery.ListEncoding | undefined
  /** What to do on a 429 without `Retry-After`: "fail" (default) or wait this long and retry. */
  readonly rateLimitWait?: "fail" | Duration.DurationInput | undefined
  /** Longest `Retry-After` honoured; a longer one surfaces as `RateLimited`. Default 60 s. */
  readonly maxRetryAfter?: Duration.DurationInput | undefined
  /**
   * The longest time before `expirationTime` a token is replaced; a token
   * living less than ten times this is replaced at 90 % of its life. Default 5 minutes.
   */
  readonly tokenRefreshMargin?: Duration.DurationInput | undefined
}

/**
 * The service.
 *
 * @since 0.1.0
 */
export interface Service {
  readonly format: "json" | "xml"
  /** One page of the list. */
  readonly listJobs: (query?: InsideViewQuery.JobsQuery) => Effect.Effect<InsideViewJob.BulkJobsPage, ApiError.ApiError>
  /** Every job matching the query, across pages (starting at `query.page`, default 1). */
  readonly jobs: (query?: InsideViewQuery.JobsQuery) => Stream.Stream<InsideViewJob.BulkJob, ApiError.ApiError>
  /** `jobs` mapped with `InsideViewJob.toJob`. */
  readonly normalizedJobs: (query?: InsideViewQuery.JobsQuery) => Stream.Stream<Job.Job, ApiError.ApiError>
  /**
   * `jobs(query)` starting at a page (a `Resume.Position` of kind "Page"),
   * each job with the page it came from: for `Resume.forEach`.
   *
   * @since 0.2.0
   */
  readonly jobsFrom: (
    from: Resume.Position | undefined,
    query?: InsideViewQuery.JobsQuery
  ) => Stream.Stream<Resume.Positioned<InsideViewJob.BulkJob>, ApiError.ApiError>
  /** Finds one job by id in the list (there is no generic per-job endpoint); `NotFound` when absent. */
  readonly getJob: (jobId: string) => Effect.Effect<InsideViewJob.BulkJob, ApiError.ApiError>
  /**
   * The account's usage and credits for a period (`GET /api/v1/admin/usage`);
   * `period`, `start` and `end` are required and checked like the list's.
   *
   * @since 0.2.0
   */
  readonly usage: (query: InsideViewUsage.UsageQuery) => Effect.Effect<InsideViewUsage.Usage, ApiError.ApiError>
  /** Logins started so far (always 0 with a fixed token). */
  readonly logins: Effect.Effect<number>
}

/**
 * The client tag.
 *
 * @since 0.1.0
 */
export class InsideViewClient extends Context.Tag("@jobstream/insideview/InsideViewClient")<
  InsideViewClient,
  Service
>() {}

/**
 * The defaults of every optional setting, in one place.
 *
 * @since 0.1.0
 */
export const defaults = {
  baseUrl: "https://api.insideview.com",
  authBaseUrl: "https://login.insideview.com",
  credentialsIn: "auto",
  maxRelogins: 2,
  format: "json",
  concurrency: 4,
  pageSize: 50,
  listEncoding: "comma",
  rateLimitWait: "fail",
  maxRetryAfter: RetryPolicy.defaults.maxRetryAfter,
  tokenRefreshMargin: Duration.minutes(5),
  timeout: HttpTransport.defaultTimeout,
  maxBodyBytes: HttpTransport.defaultMaxBodyBytes
} as const

/**
 * Settings for a client-side rate limiter from InsideView's documented
 * throttling (reference §1.5): requests are counted per token over
 * five-minute periods, an account that goes over is locked out for a full
 * period, and the lock-out covers every token of the account. The per-period
 * number is not documented; public clients hold themselves to 1,000 per five
 * minutes, so the default keeps a margin below that: 900 per 5 minutes
 * and 1 second (the extra second absorbs the gap between when a request is
 * sent and when the server counts it). A 429 pauses the account for
 * 5 minutes, the documented lock-out. Use it with `RateLimit.make` and pass
 * the limiter to every client of the account:
 *
 * ```ts
 * const limiter = yield* RateLimit.make(InsideViewClient.rateLimitDefaults)
 * const client = yield* InsideViewClient.make({ auth, rateLimit: limiter })
 * ```
 *
 * @since 0.2.0
 */
export const rateLimitDefaults: RateLimit.Options = {
  limit: 900,
  window: Duration.sum(Duration.minutes(5), Duration.seconds(1)),
  lockout: Duration.minutes(5)
}

/**
 * Builds the client. Every option is checked first: a bad one (an empty
 * secret, a base URL that is not plain http(s), a page size outside 1..50, a
 * zero timeout, …) fails with a `ConfigError` naming the option, and nothing
 * is sent.
 *
 * @since 0.1.0
 */
export const make = (
  options: Options
): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const o = yield* OptionChecks.resolve(options, defaults)
    const transport = yield* HttpTransport.make({
      ...o.transport,
      retryPolicy: o.transport.retryPolicy ??
        RetryPolicy.make({ rateLimitFallback: o.rateLimitWait, maxRetryAfter: o.maxRetryAfter }),
      provider: InsideViewJob.provider,
      baseUrl: o.baseUrl,
      readErrorBody: Codec.readErrorBody,
      secretHeaders: ["accesstoken"],
      secretParams: ["clientId", "clientSecret"],
      // Replaced wherever a server might echo them, on every call.
      secrets: o.auth._tag === "Token" ? [o.auth.accessToken] : [o.auth.clientSecret]
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
    const { authorized, logins } = yield* Login.authorize({
      transport,
      auth: o.auth,
      tokenUrl: Login.resolveTokenUrl(o),
      credentialsIn: o.credentialsIn,
      tokenRefreshMargin: o.tokenRefreshMargin,
      maxRelogins: o.maxRelogins
    })
    const listing = Listing.make({ ...o, transport, authorized })
    return {
      ...listing,
      format: o.format,
      normalizedJobs: (query) => Stream.map(listing.jobs(query), InsideViewJob.toJob),
      usage: Usage.make({ transport, authorized, format: o.format }),
      logins
    } satisfies Service
  })

const layers = Provider.layers(InsideViewClient, make)

/**
 * The client as a Layer; fails with a `ConfigError` naming the option when an option is invalid.
 *
 * @since 0.1.0
 */
export const layer: (options: Options) => Layer.Layer<InsideViewClient, ConfigError.ConfigError, HttpClient.HttpClient> = layers.layer

/**
 * The environment variables {@link config} reads.
 *
 * @since 0.2.0
 */
export const variables = OptionChecks.variables

/**
 * The options from the environment:
 * - `INSIDEVIEW_ACCESS_TOKEN`, or `INSIDEVIEW_CLIENT_ID` + `INSIDEVIEW_CLIENT_SECRET`.
 *   The rule: when `INSIDEVIEW_ACCESS_TOKEN` is set the token is used and the
 *   client-credential variables are not read; otherwise both of those are
 *   required.
 * - optional `INSIDEVIEW_BASE_URL`, `INSIDEVIEW_AUTH_BASE_URL`,
 *   `INSIDEVIEW_TOKEN_URL` and `INSIDEVIEW_FORMAT` ("json" | "xml").
 *
 * Each variable is checked as it is read: one that is missing, empty or
 * blank, or malformed (a base URL that is not plain http(s), an unknown
 * format) is a `ConfigError` whose path is the variable's name. To change
 * other options, map it: `Config.map(config, (o) => ({ ...o, timeout: "5 seconds" }))`.
 *
 * @since 0.2.0
 */
export const config: Config.Config<Options> = OptionChecks.config

/**
 * The client from a configuration (the Effect convention: each option a
 * `Config`, or one `Config` of them all), by default {@link config}. Values
 * that did not come through {@link config}'s checks are checked by `make`,
 * under their option names.
 *
 * @since 0.1.0
 */
export const layerConfig = (
  options: Config.Config.Wrap<Options> = config
): Layer.Layer<InsideViewClient, ConfigError.ConfigError, HttpClient.HttpClient> => layers.layerConfig(options)

/**
 * This provider as a source for `AllJobs.layer` from @jobstream/core: every
 * job, normalized, with the default query.
 *
 * @since 0.1.0
 */
export const source: Effect.Effect<AllJobs.Source, never, InsideViewClient> = AllJobs.sourceOf(InsideViewClient, InsideViewJob.provider)
