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
 * - Every failure is a typed `ApiError`: see `GreenArrowEnvelope` for how
 *   `success: false` envelopes map.
 *
 * @since 0.1.0
 */
import { AllJobs, ApiError, ClientOptions, HttpTransport, Job, Paginate, Validation } from "@jobstream/core"
import type * as RetryPolicy from "@jobstream/core/RetryPolicy"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import type { JobsPage } from "./GreenArrowEnvelope.js"
import { decodePage, mapError, readErrorBody } from "./GreenArrowEnvelope.js"
import type { GreenArrowJob } from "./GreenArrowJob.js"
import { provider, toJob } from "./GreenArrowJob.js"
import type { ArrayEncoding, JobsQuery, Resolved, Scope } from "./GreenArrowQuery.js"
import { resolve } from "./GreenArrowQuery.js"
import * as OptionChecks from "./internal/options.js"

/** Credentials. */
export type Auth =
  /** Organization id and API key; sent as `Basic base64("<organizationId>:<apiKey>")`. */
  | { readonly _tag: "Key"; readonly organizationId: string | number; readonly apiKey: Redacted.Redacted<string> }
  /** An already-encoded key, sent as `Basic <encoded>` (a leading "Basic " is tolerated). */
  | { readonly _tag: "Encoded"; readonly encoded: Redacted.Redacted<string> }

/** Client settings. */
export interface Options {
  /** The Studio host, e.g. "https://studio.example.com" (a trailing "/ga/api/v2" is tolerated). */
  readonly baseUrl: string
  readonly auth: Auth
  /** Page size, 1..2000. Default 2000 (the Jobs endpoint's own default and maximum). */
  readonly perPage?: number
  /** "token" (default): follow `page_token`. "pages": 0-based page numbers, `concurrency` at a time. */
  readonly pagination?: "token" | "pages"
  /** Pages in flight at once in "pages" mode. Default 4. */
  readonly concurrency?: number
  /**
   * Most pages one listing reads (a query's `maxPages` wins); when the server
   * still names more, the stream fails with a `PaginationError`
   * ("max-pages"). Default: core's `Paginate.defaultMaxPages` (10,000) in
   * token mode, no limit in pages mode (bounded by `num_pages`).
   */
  readonly maxPages?: number
  /** How multi-valued filters are spelled. Default "brackets" (`state[]=a&state[]=b`). */
  readonly arrayEncoding?: ArrayEncoding
  /** Retry policy for each page request. Default: core's `RetryPolicy.defaultPolicy`. */
  readonly retryPolicy?: RetryPolicy.RetryPolicy
  /** Per-attempt timeout. Default 30 s. */
  readonly timeout?: Duration.DurationInput
  /** Overall time for one page request including retries. Default: none. */
  readonly deadline?: Duration.DurationInput
  /** Largest response body accepted, in bytes (a typed DecodeError beyond it). Default 32 MiB. */
  readonly maxBodyBytes?: number
  /** Last chance to adjust the underlying HttpClient (proxies, extra headers, …). */
  readonly transformClient?: (client: HttpClient.HttpClient) => HttpClient.HttpClient
}

/** Where a page starts: the first page, a page token, or a page number. */
export type PageRequest =
  | { readonly _tag: "First" }
  | { readonly _tag: "Token"; readonly token: string }
  | { readonly _tag: "Number"; readonly page: number }

/** The service. */
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
    options?: { readonly scope?: Scope }
  ) => Effect.Effect<GreenArrowJob, ApiError.ApiError>
  /** One page, with its pagination keys, for callers that page by hand. */
  readonly page: (query: JobsQuery | undefined, at: PageRequest) => Effect.Effect<JobsPage, ApiError.ApiError>
}

/** The client tag. */
export class GreenArrowClient extends Context.Tag("@jobstream/greenarrow/GreenArrowClient")<GreenArrowClient, Service>() {}

/**
 * Builds the client over the `HttpClient` in context. Every option is checked
 * first: a bad one (a base URL that is not plain http(s), an empty key, an
 * encoded key that is not base64 of "<organization id>:<key>", `perPage`
 * outside 1..2000, a zero timeout, …) fails with a `ConfigError` naming the
 * option, and nothing is sent.
 */
export const make = (options: Options): Effect.Effect<Service, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const settings = yield* OptionChecks.resolve(options)
    const transport = yield* HttpTransport.make({
      provider,
      baseUrl: settings.baseUrl,
      readErrorBody,
      mapError,
      secretHeaders: ["authorization"],
      // Besides the Authorization header (and what it encodes), replaced wherever a server might echo them.
      secrets: options.auth._tag === "Key" ? [options.auth.apiKey] : [options.auth.encoded],
      ...(settings.retryPolicy !== undefined ? { retryPolicy: settings.retryPolicy } : {}),
      ...(settings.timeout !== undefined ? { timeout: settings.timeout } : {}),
      ...(settings.deadline !== undefined ? { deadline: settings.deadline } : {}),
      ...(settings.maxBodyBytes !== undefined ? { maxBodyBytes: settings.maxBodyBytes } : {}),
      ...(settings.transformClient !== undefined ? { transformClient: settings.transformClient } : {})
    })
    const pagination = settings.pagination
    const concurrency = settings.concurrency
    const defaults = { perPage: settings.perPage, arrayEncoding: settings.arrayEncoding }
    const maxPages = settings.maxPages ?? Paginate.defaultMaxPages

    const prepare = (operation: string, query: unknown): Effect.Effect<Resolved, ApiError.InvalidRequest> =>
      Either.match(resolve(query, defaults), {
        onLeft: (problems) => Effect.fail(ApiError.invalidRequest(provider, operation, problems)),
        onRight: Effect.succeed
      })

    /** The request for one page, without credentials (also what errors show). */
    const pageRequest = (query: Resolved, at: PageRequest) => {
      const paging: Array<readonly [string, string]> = [["per_page", String(query.perPage)]]
      if (at._tag === "Token") paging.push(["page_token", at.token])
      if (at._tag === "Number") paging.push(["page", String(at.page)])
      return HttpClientRequest.get(query.path).pipe(
        HttpClientRequest.setUrlParams([...query.params, ...paging]),
        HttpClientRequest.acceptJson
      )
    }

    const fetchPage = (operation: string, query: Resolved, at: PageRequest) =>
      Effect.suspend(() => {
        const request = HttpClientRequest.setHeader(
          pageRequest(query, at),
          "authorization",
          Redacted.value(settings.authorization)
        )
        return transport.execute({ operation, request, decode: decodePage })
      })

    // Both walks are core's: they drop ids repeated by the server and end a
    // walk that stops moving forward (a token already followed, a page
    // repeating the one before, an empty page naming a next token, the page
    // limit) with a PaginationError.
    const byTokens = (operation: string, resolved: Resolved, first: JobsPage): Stream.Stream<GreenArrowJob, ApiError.ApiError> =>
      Paginate.cursor<GreenArrowJob, string, ApiError.ApiError, never>({
        fetch: (token) =>
          Effect.map(
            token === undefined ? Effect.succeed(first) : fetchPage(operation, resolved, { _tag: "Token", token }),
            (page) => ({ items: page.jobs, next: page.nextPageToken })
          ),
        key: (job) => String(job.id),
        where: (token) =>
          transport.where(operation, pageRequest(resolved, token === undefined ? { _tag: "First" } : { _tag: "Token", token })),
        redact: (text) => transport.redact(text),
        maxPages: resolved.maxPages ?? maxPages
      })

    // Page numbers: the counts (`num_pages`, else `num_records`) are re-read
    // from every page, so jobs added during the walk are followed.
    const byNumbers = (operation: string, resolved: Resolved, first: JobsPage): Stream.Stream<GreenArrowJob, ApiError.ApiError> => {
      const pageSize = first.perPage !== undefined && first.perPage > 0 ? first.perPage : resolved.perPage
      const firstNumber = first.page ?? 0
      const limit = resolved.maxPages ?? settings.maxPages
      return Paginate.numbered<GreenArrowJob, ApiError.ApiError, never>({
        fetch: (n) =>
          Effect.map(
            n === firstNumber ? Effect.succeed(first) : fetchPage(operation, resolved, { _tag: "Number", page: n }),
            (page) => ({ items: page.jobs, total: page.numRecords, pages: page.numPages })
          ),
        key: (job) => String(job.id),
        where: (n) => transport.where(operation, pageRequest(resolved, { _tag: "Number", page: n })),
        pageSize,
        firstPage: firstNumber,
        pageBase: 0,
        concurrency,
        ...(limit !== undefined ? { maxPages: limit } : {})
      })
    }

    const isSinglePage = (page: JobsPage) =>
      page.nextPageToken === undefined && page.numPages === undefined && page.numRecords === undefined

    const listing = (operation: string, query: unknown): Stream.Stream<GreenArrowJob, ApiError.ApiError> =>
      Stream.unwrap(
        Effect.gen(function*() {
          const resolved = yield* prepare(operation, query)
          const first = yield* fetchPage(
            operation,
            resolved,
            pagination === "pages" ? { _tag: "Number", page: 0 } : { _tag: "First" }
          )
          if (isSinglePage(first)) {
            yield* Effect.logDebug("greenarrow: response has no pagination keys; treating it as the whole listing")
            return Stream.fromIterable(first.jobs)
          }
          // A server that reports page counts but no tokens is walked by page number even in token mode,
          // rather than silently stopping after the first page.
          if (pagination === "pages" || first.nextPageToken === undefined) return byNumbers(operation, resolved, first)
          return byTokens(operation, resolved, first)
        })
      )

    const jobs = (query?: JobsQuery) => listing("listJobs", query)

    const normalizedJobs = (query?: JobsQuery) => Stream.map(listing("listJobs", query), toJob)

    const getJob = (id: number | string, opts?: { readonly scope?: Scope }) =>
      Effect.gen(function*() {
        const wanted = String(id).trim()
        if (!/^\d+$/.test(wanted)) {
          return yield* ApiError.invalidRequest(provider, "getJob", [
            { parameter: "id", message: `${Validation.quote(id)} is not a job id (a whole number ≥ 0)` }
          ])
        }
        const query: JobsQuery = { which: "all", ...(opts?.scope !== undefined ? { scope: opts.scope } : {}) }
        const resolved = yield* prepare("getJob", query)
        const found = yield* listing("getJob", query).pipe(
          Stream.filter((job) => String(job.id) === String(Number(wanted))),
          Stream.runHead
        )
        if (Option.isSome(found)) return found.value
        const where = transport.where("getJob", HttpClientRequest.get(resolved.path))
        return yield* Effect.fail(
          new ApiError.NotFound({
            ...where,
            status: 404,
            providerMessage: `job ${wanted} is not in the listing (the API has no get-by-id endpoint)`
          })
        )
      })

    const page = (query: JobsQuery | undefined, at: PageRequest) =>
      Effect.flatMap(prepare("listJobsPage", query), (resolved) => fetchPage("listJobsPage", resolved, at))

    return { jobs, normalizedJobs, getJob, page } satisfies Service
  })

/** The client as a Layer; fails with a `ConfigError` naming the option when an option is invalid. */
export const layer = (options: Options): Layer.Layer<GreenArrowClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(GreenArrowClient, make(options))

/** Defaults of the optional settings, spelled out. */
export const defaults = OptionChecks.defaults

/** The environment variables {@link layerConfig} reads. */
export const variables = OptionChecks.variables

/**
 * The client configured from the environment:
 * - `GREENARROW_BASE_URL` (required).
 * - `GREENARROW_API_KEY` (required, secret): the key as Studio shows it. Its
 *   meaning depends on its own form only. An encoded key (base64 of
 *   `"<organization id>:<key>"`) is sent as it is, and
 *   `GREENARROW_ORGANIZATION_ID`, if set, must name the same organization. Any
 *   other value is a plain key, and `GREENARROW_ORGANIZATION_ID` is required
 *   to encode it.
 * - `GREENARROW_PER_PAGE` (optional integer 1..2000, default 2000),
 *   `GREENARROW_PAGINATION` ("token" | "pages", default "token"),
 *   `GREENARROW_TIMEOUT` (optional duration, e.g. "10 seconds").
 *
 * A variable that is missing, empty or blank, or malformed is a `ConfigError`
 * whose path is the variable's name. `overrides` win over the environment
 * (and are checked under their option names).
 */
export const layerConfig = (
  overrides: Partial<Options> = {}
): Layer.Layer<GreenArrowClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    GreenArrowClient,
    Effect.gen(function*() {
      const baseUrl = overrides.baseUrl ?? (yield* ClientOptions.env.baseUrl(OptionChecks.variables.baseUrl))
      const auth = overrides.auth ?? (yield* OptionChecks.authFromEnv)
      const env = yield* OptionChecks.settingsFromEnv
      return yield* make({
        baseUrl,
        auth,
        ...Option.match(env.perPage, { onNone: () => ({}), onSome: (perPage) => ({ perPage }) }),
        ...Option.match(env.pagination, { onNone: () => ({}), onSome: (pagination) => ({ pagination }) }),
        ...Option.match(env.timeout, { onNone: () => ({}), onSome: (timeout) => ({ timeout }) }),
        ...overrides
      })
    })
  )

/**
 * This provider as a source for `AllJobs.layer` from @jobstream/core: every
 * job, normalized, with the default query.
 */
export const source: Effect.Effect<AllJobs.Source, never, GreenArrowClient> = Effect.map(GreenArrowClient, (client) => ({
  provider: "greenarrow",
  jobs: client.normalizedJobs()
}))
