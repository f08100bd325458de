/**
 * The GreenArrow listing: one page, every page by token or by number (core's
 * `Paginate`), and `getJob` as a scan of the listing.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ApiError, type HttpTransport, Paginate, Resume, Validation } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { type GreenArrowJob, provider } from "../GreenArrowJob.js"
import type { JobsQuery, OrganizationScope, Resolved as Query } from "../GreenArrowQuery.js"
import { resolve as resolveQuery } from "../GreenArrowQuery.js"
import { decodePage, type JobsPage } from "./envelope.js"
import type { Resolved } from "./options.js"

/**
 * Where a page starts: the first page, a page token, or a page number.
 *
 * @since 0.1.0
 */
export type PageRequest =
  | { readonly _tag: "First" }
  | { readonly _tag: "Token"; readonly token: string }
  | { readonly _tag: "Number"; readonly page: number }

/** The listing operations. */
export interface Listing {
  readonly jobs: (query?: JobsQuery) => Stream.Stream<GreenArrowJob, ApiError.ApiError>
  readonly getJob: (
    id: number | string,
    options?: { readonly scope?: OrganizationScope | undefined }
  ) => Effect.Effect<GreenArrowJob, ApiError.ApiError>
  readonly page: (query: JobsQuery | undefined, at: PageRequest) => Effect.Effect<JobsPage, ApiError.ApiError>
  readonly jobsFrom: (
    from: Resume.Position | undefined,
    query?: JobsQuery
  ) => Stream.Stream<Resume.Positioned<GreenArrowJob>, ApiError.ApiError>
}

const isSinglePage = (page: JobsPage) =>
  page.nextPageToken === undefined && page.numPages === undefined && page.numRecords === undefined

/** Builds the operations over a transport and the checked options. */
export const make = (transport: HttpTransport.Service, settings: Resolved): Listing => {
  const queryDefaults = { perPage: settings.pageSize, arrayEncoding: settings.arrayEncoding }

  const prepare = (operation: string, query: unknown): Effect.Effect<Query, ApiError.InvalidRequest> =>
    Either.match(resolveQuery(query, queryDefaults), {
      onLeft: (problems) => Effect.fail(ApiError.invalidRequest(provider, operation, problems)),
      onRight: Effect.succeed
    })

  /** The request for one page, without credentials (also what errors show). */
  const pageRequest = (query: Query, at: PageRequest) => {
    const paging: Array<readonly [string, string]> = [["per_page", String(query.perPage)]]
    if (at._tag === "Token") paging.push(["page_token", at.token])
    if (at._tag === "Number") paging.push(["page", String(at.page)])
    return HttpClientRequest.get(query.path).pipe(
      HttpClientRequest.setUrlParams([...query.params, ...paging]),
      HttpClientRequest.acceptJson
    )
  }

  const fetchPage = (operation: string, query: Query, at: PageRequest) =>
    Effect.suspend(() => {
      const request = HttpClientRequest.setHeader(pageRequest(query, at), "authorization", Redacted.value(settings.authorization))
      return transport.execute({ operation, request, decode: decodePage, items: (page: JobsPage) => page.jobs.length })
    })

  // What a walk emits for each page: the jobs themselves (`jobs()`), or each
  // job tagged with its page (`jobsFrom`, resumable).
  const jobKey = (job: GreenArrowJob) => String(job.id)
  type Emit<A> = Resume.Emit<GreenArrowJob, A>

  // Both walks are core's: they drop ids repeated by the server and end a
  // walk that stops moving forward (a token already followed, a page
  // repeating the one before, an empty page naming a next token, the page
  // limit) with a PaginationError. `start` is the request that got `first`.
  const byTokens = <A>(emit: Emit<A>, operation: string, query: Query, start: PageRequest, first: JobsPage) => {
    const firstAt = start._tag === "Token" ? Resume.cursor(start.token) : Resume.first
    return Paginate.cursor<A, string, ApiError.ApiError, never>({
      fetch: (token) =>
        Effect.map(
          token === undefined ? Effect.succeed(first) : fetchPage(operation, query, { _tag: "Token", token }),
          (page) => {
            const next = page.nextPageToken
            const at = token === undefined ? firstAt : Resume.cursor(token)
            return { items: emit.items(page.jobs, at, next === undefined || next === null ? undefined : Resume.cursor(next)), next }
          }
        ),
      key: emit.key,
      where: (token) => transport.where(operation, pageRequest(query, token === undefined ? start : { _tag: "Token", token })),
      redact: (text) => transport.redact(text),
      maxPages: query.maxPages ?? settings.maxPages ?? Paginate.defaultMaxPages
    })
  }

  // Page numbers: the counts (`num_pages`, else `num_records`) are re-read
  // from every page, so jobs added during the walk are followed.
  const byNumbers = <A>(emit: Emit<A>, operation: string, query: Query, start: PageRequest, first: JobsPage) => {
    const firstNumber = first.page ?? (start._tag === "Number" ? start.page : 0)
    return Paginate.numbered<A, ApiError.ApiError, never>({
      fetch: (n) =>
        Effect.map(
          n === firstNumber ? Effect.succeed(first) : fetchPage(operation, query, { _tag: "Number", page: n }),
          (page) => ({ items: emit.items(page.jobs, Resume.page(n), Resume.page(n + 1)), total: page.numRecords, pages: page.numPages })
        ),
      key: emit.key,
      where: (n) => transport.where(operation, pageRequest(query, { _tag: "Number", page: n })),
      pageSize: first.perPage !== undefined && first.perPage > 0 ? first.perPage : query.perPage,
      firstPage: firstNumber,
      pageBase: 0,
      concurrency: settings.concurrency,
      maxPages: query.maxPages ?? settings.maxPages
    })
  }

  // One listing, from the start or from a resume position: a `Page` position
  // walks by number from there, a `Cursor` by token from there.
  const walk = <A>(emit: Emit<A>, operation: string, input: unknown, from: Resume.Position | undefined) =>
    Stream.unwrap(
      Effect.gen(function*() {
        const query = yield* prepare(operation, input)
        const byNumber = settings.pagination === "pages" || from?._tag === "Page"
        const start: PageRequest = from?._tag === "Page"
          ? { _tag: "Number", page: from.page }
          : from?._tag === "Cursor"
          ? { _tag: "Token", token: from.cursor }
          : byNumber
          ? { _tag: "Number", page: 0 }
          : { _tag: "First" }
        const first = yield* fetchPage(operation, query, start)
        if (isSinglePage(first)) {
          yield* Effect.logDebug("greenarrow: response has no pagination keys; treating it as the whole listing")
          const at = start._tag === "Number" ? Resume.page(start.page) : start._tag === "Token" ? Resume.cursor(start.token) : Resume.first
          return Stream.fromIterable(emit.items(first.jobs, at, undefined))
        }
        // A server that reports page counts but no tokens is walked by page number even in token mode,
        // rather than silently stopping after the first page.
        return byNumber || first.nextPageToken === undefined
          ? byNumbers(emit, operation, query, start, first)
          : byTokens(emit, operation, query, start, first)
      })
    )

  const listing = (operation: string, input: unknown): Stream.Stream<GreenArrowJob, ApiError.ApiError> =>
    walk(Resume.plain(jobKey), operation, input, undefined)

  const jobsFrom = (from: Resume.Position | undefined, input: unknown) => walk(Resume.tagged(jobKey), "listJobs", input, from)

  const getJob = (id: number | string, options?: { readonly scope?: OrganizationScope | undefined }) =>
    Effect.gen(function*() {
      const wanted = String(id).trim()
      if (!/^\d+$/.test(wanted)) {
        return yield* ApiError.invalidRequest(provider, "getJob", [
          { parameter: "id", message: `${Validation.quote(id)} is not a job id (a whole number ≥ 0)` }
        ])
      }
      const query: JobsQuery = { which: "all", scope: options?.scope }
      const prepared = yield* prepare("getJob", query)
      const found = yield* listing("getJob", query).pipe(
        Stream.filter((job) => String(job.id) === String(Number(wanted))),
        Stream.runHead
      )
      if (Option.isSome(found)) return found.value
      return yield* ApiError.notInListing(
        transport.where("getJob", HttpClientRequest.get(prepared.path)),
        `job ${wanted} is not in the listing (the API has no get-by-id endpoint)`
      )
    })

  const page = (query: JobsQuery | undefined, at: PageRequest) =>
    Effect.flatMap(prepare("listJobsPage", query), (prepared) => fetchPage("listJobsPage", prepared, at))

  return { jobs: (query) => listing("listJobs", query), getJob, page, jobsFrom }
}
