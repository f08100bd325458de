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
import { AllJobs, ApiError, HttpTransport, Job, Paginate } from "@jobstream/core"
import type * as RetryPolicy from "@jobstream/core/RetryPolicy"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
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
import { checkPerPage, maxPerPage, resolve } from "./GreenArrowQuery.js"

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

/** Builds the `Authorization` value; only called while building a request. */
const authorization = (auth: Auth): Either.Either<string, string> => {
  switch (auth._tag) {
    case "Key": {
      const org = String(auth.organizationId).trim()
      if (org === "" || org.includes(":")) {
        return Either.left("auth.organizationId must be non-empty and must not contain \":\"")
      }
      const key = Redacted.value(auth.apiKey)
      if (key === "") return Either.left("auth.apiKey must not be empty")
      return Either.right(`Basic ${Encoding.encodeBase64(`${org}:${key}`)}`)
    }
    case "Encoded": {
      const encoded = Redacted.value(auth.encoded).trim().replace(/^basic\s+/i, "")
      if (encoded === "") return Either.left("auth.encoded must not be empty")
      if (/\s/.test(encoded)) return Either.left("auth.encoded must not contain whitespace")
      return Either.right(`Basic ${encoded}`)
    }
  }
}

/** Problems with the options themselves, reported by every call (make cannot fail). */
const optionsIssue = (options: Options): string | undefined => {
  const perPage = checkPerPage(options.perPage ?? maxPerPage)
  if (perPage !== undefined) return perPage
  const concurrency = options.concurrency ?? 4
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) {
    return `concurrency must be a positive integer, got ${concurrency}`
  }
  if (options.maxPages !== undefined && !(Number.isInteger(options.maxPages) && options.maxPages >= 1)) {
    return `maxPages must be a positive integer, got ${options.maxPages}`
  }
  const pagination = options.pagination ?? "token"
  if (pagination !== "token" && pagination !== "pages") return `pagination must be "token" or "pages"`
  const encoding = options.arrayEncoding ?? "brackets"
  if (encoding !== "brackets" && encoding !== "repeat" && encoding !== "comma") {
    return `arrayEncoding must be "brackets", "repeat" or "comma"`
  }
  const auth = authorization(options.auth)
  return Either.isLeft(auth) ? auth.left : undefined
}

/** Builds the client over the `HttpClient` in context. */
export const make = (options: Options): Effect.Effect<Service, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const baseUrl = options.baseUrl.trim().replace(/\/+$/, "").replace(/\/ga\/api\/v2$/i, "")
    const transport = yield* HttpTransport.make({
      provider,
      baseUrl,
      readErrorBody,
      mapError,
      secretHeaders: ["authorization"],
      ...(options.retryPolicy !== undefined ? { retryPolicy: options.retryPolicy } : {}),
      ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
      ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {})
    })
    const pagination = options.pagination ?? "token"
    const concurrency = options.concurrency ?? 4
    const maxPages = options.maxPages ?? Paginate.defaultMaxPages
    const defaults = { perPage: options.perPage ?? maxPerPage, arrayEncoding: options.arrayEncoding ?? "brackets" }
    const setupIssue = optionsIssue(options)

    const invalid = (operation: string, issue: string) => new ApiError.InvalidRequest({ provider, operation, issue })

    const prepare = (operation: string, query: unknown): Effect.Effect<Resolved, ApiError.InvalidRequest> => {
      if (setupIssue !== undefined) return Effect.fail(invalid(operation, setupIssue))
      const resolved = resolve(query, defaults)
      return Either.isLeft(resolved) ? Effect.fail(invalid(operation, resolved.left)) : Effect.succeed(resolved.right)
    }

    /** The request for one page, without credentials (also what errors show). */
    const pageRequest = (resolved: Resolved, at: PageRequest) => {
      const paging: Array<readonly [string, string]> = [["per_page", String(resolved.perPage)]]
      if (at._tag === "Token") paging.push(["page_token", at.token])
      if (at._tag === "Number") paging.push(["page", String(at.page)])
      return HttpClientRequest.get(resolved.path).pipe(
        HttpClientRequest.setUrlParams([...resolved.params, ...paging]),
        HttpClientRequest.acceptJson
      )
    }

    const fetchPage = (operation: string, resolved: Resolved, at: PageRequest) =>
      Effect.suspend(() => {
        const header = authorization(options.auth)
        if (Either.isLeft(header)) return Effect.fail(invalid(operation, header.left))
        const request = HttpClientRequest.setHeader(pageRequest(resolved, at), "authorization", header.right)
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
        maxPages: resolved.maxPages ?? maxPages
      })

    // Page numbers: the counts (`num_pages`, else `num_records`) are re-read
    // from every page, so jobs added during the walk are followed.
    const byNumbers = (operation: string, resolved: Resolved, first: JobsPage): Stream.Stream<GreenArrowJob, ApiError.ApiError> => {
      const pageSize = first.perPage !== undefined && first.perPage > 0 ? first.perPage : resolved.perPage
      const firstNumber = first.page ?? 0
      const limit = resolved.maxPages ?? options.maxPages
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
        if (!/^\d+$/.test(wanted)) return yield* Effect.fail(invalid("getJob", `job id must be a non-negative integer, got ${JSON.stringify(String(id))}`))
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

/** The client as a Layer. */
export const layer = (options: Options): Layer.Layer<GreenArrowClient, never, HttpClient.HttpClient> =>
  Layer.effect(GreenArrowClient, make(options))

/**
 * The client configured from the environment:
 * - `GREENARROW_BASE_URL` (required)
 * - `GREENARROW_API_KEY` (required, secret)
 * - `GREENARROW_ORGANIZATION_ID` (optional): when set, the key is the plain API
 *   key and is encoded with this id; when absent, the key is taken as already
 *   encoded.
 * - `GREENARROW_PER_PAGE` (optional integer, default 2000),
 *   `GREENARROW_PAGINATION` ("token" | "pages", default "token"),
 *   `GREENARROW_TIMEOUT` (optional duration, e.g. "10 seconds").
 *
 * `overrides` win over the environment.
 */
export const layerConfig = (
  overrides: Partial<Options> = {}
): Layer.Layer<GreenArrowClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    GreenArrowClient,
    Effect.flatMap(
      Config.all({
        baseUrl: overrides.baseUrl !== undefined ? Config.succeed(overrides.baseUrl) : Config.string("GREENARROW_BASE_URL"),
        auth: overrides.auth !== undefined
          ? Config.succeed(overrides.auth)
          : Config.all({
            organizationId: Config.option(Config.string("GREENARROW_ORGANIZATION_ID")),
            apiKey: Config.redacted("GREENARROW_API_KEY")
          }).pipe(Config.map(({ apiKey, organizationId }): Auth =>
            Option.match(organizationId, {
              onNone: () => ({ _tag: "Encoded", encoded: apiKey }),
              onSome: (id) => ({ _tag: "Key", organizationId: id, apiKey })
            })
          )),
        perPage: Config.withDefault(Config.integer("GREENARROW_PER_PAGE"), maxPerPage),
        pagination: Config.withDefault(Config.literal("token", "pages")("GREENARROW_PAGINATION"), "token" as const),
        timeout: Config.option(Config.duration("GREENARROW_TIMEOUT"))
      }),
      ({ timeout, ...config }) =>
        make({
          ...config,
          ...Option.match(timeout, { onNone: () => ({}), onSome: (t) => ({ timeout: t }) }),
          ...overrides
        })
    )
  )

/**
 * This provider as a source for `AllJobs.layer` from @jobstream/core: every
 * job, normalized, with the default query.
 */
export const source: Effect.Effect<AllJobs.Source, never, GreenArrowClient> = Effect.map(GreenArrowClient, (client) => ({
  provider: "greenarrow",
  jobs: client.normalizedJobs()
}))
