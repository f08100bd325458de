/**
 * The GreenArrow Studio v2 Jobs API client.
 *
 * - Authenticates with HTTP Basic: `base64("<organizationId>:<apiKey>")`, or an
 *   already-encoded key (newer Studio versions show it this way) used verbatim.
 * - Lists jobs as a `Stream`, following `page_token` (default; contiguous
 *   pages, as the docs recommend) or 0-based page numbers fetched
 *   `concurrency` at a time in order. A response without pagination keys (an
 *   old server) is the whole listing. A server that stops moving forward (a
 *   token already followed, a repeated page, an endless token) ends the
 *   stream with a `PaginationError`.
 * - Every failure is a typed `ApiError`. A `success: false` envelope maps
 *   by its `error_code` (and the HTTP status); the code is kept as the
 *   error's `providerCode`, read back typed by {@link errorCodeOf}.
 *
 * Construction follows the Effect convention: `make(options)`,
 * `layer(options)` and `layerConfig(config)`, where `config` defaults to
 * {@link config}, which reads the `GREENARROW_*` variables.
 *
 * @since 0.1.0
 * @module
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { AllJobs, Provider, type ApiError, type ClientOptions, HttpTransport, type Job, type Resume, RetryPolicy } from "@jobstream/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { type GreenArrowJob, provider, toJob } from "./GreenArrowJob.js"
import { type ArrayEncoding, type JobsQuery, maxPerPage, type OrganizationScope } from "./GreenArrowQuery.js"
import { mapError, readErrorBody } from "./internal/envelope.js"
import type { JobsPage } from "./internal/envelope.js"
import * as Listing from "./internal/listing.js"
import * as OptionChecks from "./internal/options.js"

export {
  /** The GreenArrow `error_code` an error carries (its `providerCode`), typed. @since 0.1.0 */
  type ErrorCode,
  /** Reads back the `error_code` of a GreenArrow error (undefined for another provider's). @since 0.1.0 */
  errorCodeOf,
  /** One page of the listing with its pagination keys (what `page` returns). @since 0.1.0 */
  type JobsPage,
  /** The documented `error_code`s. @since 0.1.0 */
  knownErrorCodes
} from "./internal/envelope.js"
export type { PageRequest } from "./internal/listing.js"

/**
 * Credentials.
 *
 * @since 0.1.0
 */
export type Auth =
  /** Organization id and API key; sent as `Basic base64("<organizationId>:<apiKey>")`. */
  | { readonly _tag: "Key"; readonly organizationId: string | number; readonly apiKey: Redacted.Redacted<string> }
  /** An already-encoded key, sent as `Basic <encoded>` (a leading "Basic " is tolerated). */
  | { readonly _tag: "Encoded"; readonly encoded: Redacted.Redacted<string> }

/**
 * Client settings. Besides these, the options every client shares
 * (`ClientOptions.Transport`): `retryPolicy` (default: core's
 * `RetryPolicy.defaultPolicy`), `timeout`, `deadline` (per page request),
 * `maxBodyBytes`, `transformClient`.
 *
 * @since 0.1.0
 */
export interface Options extends ClientOptions.Transport {
  /** The Studio host, e.g. "https://studio.example.com" (a trailing "/ga/api/v2" is tolerated). */
  readonly baseUrl: string
  readonly auth: Auth
  /** Page size (`per_page`) when the query sets no `perPage`, 1..2000. Default 2000 (the endpoint's default and maximum). */
  readonly pageSize?: number | undefined
  /** "token" (default): follow `page_token`. "pages": 0-based page numbers, `concurrency` at a time. */
  readonly pagination?: "token" | "pages" | undefined
  /** Pages in flight at once in "pages" mode. Default 4. */
  readonly concurrency?: number | undefined
  /**
   * Most pages one listing reads (a query's `maxPages` wins); when the server
   * still names more, the stream fails with a `PaginationError`
   * ("max-pages"). Default: core's `Paginate.defaultMaxPages` (10,000) in
   * token mode, no limit in pages mode (bounded by `num_pages`).
   */
  readonly maxPages?: number | undefined
  /** How multi-valued filters are spelled. Default "brackets" (`state[]=a&state[]=b`). */
  readonly arrayEncoding?: ArrayEncoding | undefined
}

/**
 * The service.
 *
 * @since 0.1.0
 */
export interface Service {
  /** Every job matching the query, across all pages, in server order. */
  readonly jobs: (query?: JobsQuery) => Stream.Stream<GreenArrowJob, ApiError.ApiError>
  /** The same jobs, normalized. */
  readonly normalizedJobs: (query?: JobsQuery) => Stream.Stream<Job.Job, ApiError.ApiError>
  /**
   * One job by id. The API has no get-by-id endpoint, so this walks the
   * listing (`which: "all"` in the given scope) and stops at the first match;
   * `NotFound` when the listing does not contain it.
   */
  readonly getJob: (
    id: number | string,
    options?: { readonly scope?: OrganizationScope | undefined }
  ) => Effect.Effect<GreenArrowJob, ApiError.ApiError>
  /**
   * `jobs(query)` from a position (a page number, or a page token; undefined:
   * the start), each job with the page it came from: for `Resume.forEach`.
   *
   * @since 0.2.0
   */
  readonly jobsFrom: (
    from: Resume.Position | undefined,
    query?: JobsQuery
  ) => Stream.Stream<Resume.Positioned<GreenArrowJob>, ApiError.ApiError>
  /** One page, with its pagination keys, for callers that page by hand. */
  readonly page: (query: JobsQuery | undefined, at: Listing.PageRequest) => Effect.Effect<JobsPage, ApiError.ApiError>
}

/**
 * The client tag.
 *
 * @since 0.1.0
 */
export class GreenArrowClient extends Context.Tag("@jobstream/greenarrow/GreenArrowClient")<GreenArrowClient, Service>() {}

/**
 * The defaults of every optional setting, in one place.
 *
 * @since 0.2.0
 */
export const defaults = {
  pageSize: maxPerPage,
  pagination: "token",
  concurrency: 4,
  arrayEncoding: "brackets",
  retryPolicy: RetryPolicy.defaultPolicy,
  timeout: HttpTransport.defaultTimeout,
  maxBodyBytes: HttpTransport.defaultMaxBodyBytes
} as const

/**
 * Builds the client over the `HttpClient` in context. Every option is checked
 * first: a bad one (a base URL that is not plain http(s), an empty key, an
 * encoded key that is not base64 of "<organization id>:<key>", `pageSize`
 * outside 1..2000, a zero timeout, …) fails with a `ConfigError` naming the
 * option, and nothing is sent.
 *
 * @since 0.1.0
 */
export const make = (options: Options): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const settings = yield* OptionChecks.resolve(options, defaults)
    const transport = yield* HttpTransport.make({
      ...settings.transport,
      retryPolicy: settings.transport.retryPolicy ?? defaults.retryPolicy,
      provider,
      baseUrl: settings.baseUrl,
      readErrorBody,
      mapError,
      secretHeaders: ["authorization"],
      // Besides the Authorization header (and what it encodes), replaced wherever a server might echo it.
      secrets: [settings.secret]
    })
    const listing = Listing.make(transport, settings)
    return { ...listing, normalizedJobs: (query) => Stream.map(listing.jobs(query), toJob) } satisfies Service
  })

const layers = Provider.layers(GreenArrowClient, make)

/**
 * The client as a Layer; fails with a `ConfigError` naming the option when an option is invalid.
 *
 * @since 0.1.0
 */
export const layer: (options: Options) => Layer.Layer<GreenArrowClient, ConfigError.ConfigError, HttpClient.HttpClient> = layers.layer

/**
 * The environment variables {@link config} reads.
 *
 * @since 0.2.0
 */
export const variables = OptionChecks.variables

/**
 * The options from the environment:
 * - `GREENARROW_BASE_URL` (required).
 * - `GREENARROW_API_KEY` (required, secret): the key as Studio shows it. Its
 *   meaning depends on its own form only. An encoded key (base64 of
 *   `"<organization id>:<key>"`) is sent as it is, and
 *   `GREENARROW_ORGANIZATION_ID`, if set, must name the same organization. Any
 *   other value is a plain key, and `GREENARROW_ORGANIZATION_ID` is required
 *   to encode it.
 * - `GREENARROW_PER_PAGE` (the `pageSize` option: an integer 1..2000, default
 *   2000), `GREENARROW_PAGINATION` ("token" | "pages", default "token"),
 *   `GREENARROW_TIMEOUT` (a duration, e.g. "10 seconds"), all optional.
 *
 * Each variable is checked as it is read: one that is missing, empty or
 * blank, or malformed is a `ConfigError` whose path is the variable's name.
 * To change other options, map it: `Config.map(config, (o) => ({ ...o, pagination: "pages" }))`.
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
): Layer.Layer<GreenArrowClient, ConfigError.ConfigError, HttpClient.HttpClient> => layers.layerConfig(options)

/**
 * This provider as a source for `AllJobs.layer` from @jobstream/core: every
 * job, normalized, with the default query.
 *
 * @since 0.1.0
 */
export const source: Effect.Effect<AllJobs.Source, never, GreenArrowClient> = AllJobs.sourceOf(GreenArrowClient, provider)
