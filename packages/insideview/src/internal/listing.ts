/**
 * The Bulk Jobs List operations (`listJobs`, `jobs`, `getJob`) over a
 * transport and a way to authorize requests.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ApiError, type HttpTransport, Paginate, Resume, Validation } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { type BulkJob, type BulkJobsPage, provider } from "../InsideViewJob.js"
import * as InsideViewQuery from "../InsideViewQuery.js"
import * as Codec from "./codec.js"

/** Runs a request with the current token (re-logging in after a 401 when it can). */
export interface Authorizer {
  <A>(f: (token: Redacted.Redacted<string>) => Effect.Effect<A, ApiError.ApiError>): Effect.Effect<A, ApiError.ApiError>
}

/** What the operations need. */
export interface ListingOptions {
  readonly transport: HttpTransport.Service
  readonly authorized: Authorizer
  readonly format: "json" | "xml"
  readonly concurrency: number
  readonly pageSize: number
  readonly maxPages: number | undefined
  readonly listEncoding: InsideViewQuery.ListEncoding
}

/** The list operations. */
export interface Listing {
  readonly listJobs: (query?: InsideViewQuery.JobsQuery) => Effect.Effect<BulkJobsPage, ApiError.ApiError>
  readonly jobs: (query?: InsideViewQuery.JobsQuery) => Stream.Stream<BulkJob, ApiError.ApiError>
  readonly getJob: (jobId: string) => Effect.Effect<BulkJob, ApiError.ApiError>
  /** `jobs` from a page (a `Page` position; anything else starts at `query.page`), each job with its page. */
  readonly jobsFrom: (
    from: Resume.Position | undefined,
    query?: InsideViewQuery.JobsQuery
  ) => Stream.Stream<Resume.Positioned<BulkJob>, ApiError.ApiError>
}

const listPath = "/api/v1/admin/jobs"

/** Builds the operations. */
export const make = (options: ListingOptions): Listing => {
  const { authorized, concurrency, listEncoding, maxPages, transport } = options
  const accept = options.format === "json" ? "application/json" : "application/xml"
  const decodePage = Codec.decodePage(options.format)

  const listRequest = (q: InsideViewQuery.JobsQuery) =>
    HttpClientRequest.get(listPath).pipe(
      HttpClientRequest.setUrlParams(InsideViewQuery.toUrlParams(q, listEncoding)),
      HttpClientRequest.setHeader("Accept", accept)
    )

  const fetchPage = (operation: string, q: InsideViewQuery.JobsQuery) => {
    const request = listRequest(q)
    return authorized((token) =>
      transport.execute({
        operation,
        request: HttpClientRequest.setHeader(request, "accessToken", Redacted.value(token)),
        decode: decodePage,
        items: (page: BulkJobsPage) => page.bulkJobs.length
      })
    )
  }

  const validated = (operation: string, query: unknown): Effect.Effect<InsideViewQuery.JobsQuery, ApiError.InvalidRequest> =>
    Either.match(InsideViewQuery.validate(query), {
      onLeft: (problems) => Effect.fail(ApiError.invalidRequest(provider, operation, problems)),
      onRight: Effect.succeed
    })

  const listJobs = (query?: InsideViewQuery.JobsQuery) =>
    Effect.flatMap(validated("listJobs", query), (q) => fetchPage("listJobs", q))

  // Pages by number from `query.page` (default 1). The page count is
  // re-read from every page's `totalResults` (a growing list is followed to
  // its new end); without a total the walk goes on while pages are full.
  // Core's Paginate drops jobs repeated by a shifting list (by `jobId`) and
  // ends a walk that stops moving forward with a PaginationError.
  // `emit` makes what the stream emits from a page's jobs (the jobs, or the
  // jobs tagged with their page for `jobsFrom`); `from` overrides the start.
  const walkWith = <A>(
    operation: string,
    query: InsideViewQuery.JobsQuery | undefined,
    emit: Resume.Emit<BulkJob, A>,
    from?: number
  ) =>
    Stream.unwrap(Effect.map(validated(operation, query), (q) => {
      const pageSize = q.resultsPerPage ?? options.pageSize
      const at = (page: number): InsideViewQuery.JobsQuery => ({ ...q, page, resultsPerPage: pageSize })
      return Paginate.numbered<A, ApiError.ApiError, never>({
        firstPage: from ?? q.page ?? 1,
        pageBase: 1,
        pageSize,
        concurrency,
        maxPages,
        key: emit.key,
        where: (page) => transport.where(operation, listRequest(at(page))),
        fetch: (page) =>
          Effect.map(fetchPage(operation, at(page)), (p) => ({
            items: emit.items(p.bulkJobs, Resume.page(page), Resume.page(page + 1)),
            total: p.totalResults
          }))
      })
    }))

  const jobKey = (job: BulkJob) => job.jobId
  const walk = (operation: string, query: InsideViewQuery.JobsQuery | undefined) => walkWith(operation, query, Resume.plain(jobKey))

  // The same walk with each job tagged with its page; the last job of a page
  // names the next one, so a checkpoint taken there resumes past the page.
  const jobsFrom = (from: Resume.Position | undefined, query: InsideViewQuery.JobsQuery | undefined) =>
    walkWith("jobs", query, Resume.tagged(jobKey), from?._tag === "Page" ? Math.max(1, from.page) : undefined)

  const getJob = (jobId: string) =>
    Effect.gen(function*() {
      if (typeof jobId !== "string" || jobId.trim() === "") {
        return yield* ApiError.invalidRequest(provider, "getJob", [
          { parameter: "jobId", message: Validation.nonBlank(jobId) ?? "must be a non-empty string" }
        ])
      }
      const found = yield* walk("getJob", undefined).pipe(Stream.filter((job) => job.jobId === jobId), Stream.runHead)
      if (Option.isSome(found)) return found.value
      return yield* ApiError.notInListing(
        transport.where("getJob", listRequest({})),
        `no job with id ${JSON.stringify(jobId)} in the bulk jobs list`
      )
    })

  return { listJobs, jobs: (query) => walk("jobs", query), getJob, jobsFrom }
}
