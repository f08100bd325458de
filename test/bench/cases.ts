/**
 * The measured cases of `pnpm bench`, each a pair run against the same
 * simulator: the library (`normalizedJobs()` of the provider's client,
 * counted) and a plain loop — `fetch` + `JSON.parse` (or fast-xml-parser) —
 * that builds the same normalized `Job` objects with no schema, no retry and
 * no error mapping. Both return the number of jobs they built.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type { Job } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { InsideViewClient } from "@jobstream/insideview"
import { GreenArrowSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { XMLParser } from "fast-xml-parser"
import type { SimSpec } from "./sim-server.js"

export type CaseName = "insideview-json" | "insideview-xml" | "greenarrow-json"

export interface Case {
  readonly name: CaseName
  readonly label: string
  readonly pageSize: number
  readonly sim: (jobs: number, latencyMillis: number) => SimSpec
  /** The library: every job of the listing, normalized. */
  readonly library: (url: string, concurrency: number) => Promise<number>
  /** The control: the same jobs with fetch, `workers` page loops at once. */
  readonly plain: (url: string, workers: number) => Promise<number>
}

export const token = "sim-fixed-token"
export const pageSize = 50

const count = <A, E>(stream: Stream.Stream<A, E>) => Stream.runCount(stream)

// ---------------------------------------------------------------------------
// InsideView

const insideViewLibrary = (format: "json" | "xml") => (url: string, concurrency: number): Promise<number> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const client = yield* InsideViewClient.make({
        baseUrl: url,
        authBaseUrl: url,
        auth: InsideViewClient.Auth.token(Redacted.make(token)),
        format,
        concurrency,
        pageSize
      })
      return yield* count(client.normalizedJobs())
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
  )

// fast-xml-parser as anyone would first use it (default options), told only that `bulkJob` is a list.
const plainXml = new XMLParser({ isArray: (name) => name === "bulkJob" })

const insideViewStatus = (word: string): Job.Status => {
  switch (word.toLowerCase()) {
    case "accepted":
      return "pending"
    case "processing":
      return "running"
    case "finished":
      return "succeeded"
    case "failed":
      return "failed"
    case "aborted":
      return "canceled"
    default:
      return "unknown"
  }
}

interface PlainInsideViewJob {
  readonly jobId: string
  readonly jobType?: string
  readonly jobStatus: string
  readonly createdDate?: string
  readonly creditsConsumed?: number | string
}

const insideViewJob = (r: PlainInsideViewJob): Job.Job => ({
  provider: "insideview",
  id: String(r.jobId),
  name: null,
  type: r.jobType ?? null,
  status: insideViewStatus(r.jobStatus),
  providerStatus: r.jobStatus,
  createdAt: r.createdDate === undefined ? null : new Date(r.createdDate),
  startedAt: null,
  finishedAt: null,
  progress: null,
  raw: r
})

/** Runs `get(page)` for the first page, then the rest with `workers` loops; counts what `get` built. */
const pagesWith = async (
  workers: number,
  get: (page: number) => Promise<{ readonly jobs: ReadonlyArray<Job.Job>; readonly pages: number }>,
  first = 1
): Promise<number> => {
  const head = await get(first)
  let built = head.jobs.length
  let next = first + 1
  const last = first + head.pages - 1
  const worker = async () => {
    while (next <= last) {
      const { jobs } = await get(next++)
      built += jobs.length
    }
  }
  await Promise.all(Array.from({ length: workers }, worker))
  return built
}

const insideViewPlain = (format: "json" | "xml") => (url: string, workers: number): Promise<number> =>
  pagesWith(workers, async (page) => {
    const response = await fetch(`${url}/api/v1/admin/jobs?page=${page}&resultsPerPage=${pageSize}`, {
      headers: { accept: format === "json" ? "application/json" : "application/xml", accesstoken: token }
    })
    const text = await response.text()
    if (response.status !== 200) throw new Error(`plain fetch: page ${page} answered ${response.status}`)
    let records: ReadonlyArray<PlainInsideViewJob>
    let total: number
    if (format === "json") {
      const body = JSON.parse(text) as { bulkJobs: Array<PlainInsideViewJob>; totalResults: string }
      records = body.bulkJobs
      total = Number(body.totalResults)
    } else {
      const doc = plainXml.parse(text) as { bulkJobs: { bulkJob?: Array<PlainInsideViewJob>; totalResults: number } }
      records = doc.bulkJobs.bulkJob ?? []
      total = Number(doc.bulkJobs.totalResults)
    }
    return { jobs: records.map(insideViewJob), pages: Math.ceil(total / pageSize) }
  })

// ---------------------------------------------------------------------------
// GreenArrow

const sysAdmin = GreenArrowSimulator.defaultKeys.find((k) => k.role === "system_admin")!

const greenArrowLibrary = (url: string): Promise<number> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const client = yield* GreenArrowClient.make({
        baseUrl: url,
        auth: { _tag: "Key", organizationId: sysAdmin.organizationId, apiKey: Redacted.make(sysAdmin.apiKey) },
        pageSize
      })
      return yield* count(client.normalizedJobs())
    }).pipe(Effect.provide(FetchHttpClient.layer))
  )

interface PlainGreenArrowJob {
  readonly id: number
  readonly state: string | null
  readonly paused: boolean | null
  readonly name: string | null
  readonly job_type: string | null
  readonly progress_value: number | null
  readonly progress_total: number | null
  readonly created_at: string | null
  readonly started_at: string | null
  readonly finished_at: string | null
}

const greenArrowStatus = (state: string | null, paused: boolean | null): Job.Status => {
  if (paused === true) return "paused"
  switch (state?.toLowerCase()) {
    case "scheduled":
    case "idle":
    case "pending":
      return "pending"
    case "active":
    case "sending":
    case "downloading":
    case "splitting":
    case "importing":
      return "running"
    case "paused":
      return "paused"
    case "finished":
      return "succeeded"
    case "failed":
      return "failed"
    case "cancelled":
    case "canceled":
      return "canceled"
    default:
      return "unknown"
  }
}

const date = (text: string | null): Date | null => (text === null ? null : new Date(text))

const greenArrowJob = (r: PlainGreenArrowJob): Job.Job => ({
  provider: "greenarrow",
  id: String(r.id),
  name: r.name,
  type: r.job_type,
  status: greenArrowStatus(r.state, r.paused),
  providerStatus: r.state ?? "",
  createdAt: date(r.created_at),
  startedAt: date(r.started_at),
  finishedAt: date(r.finished_at),
  progress: r.progress_value === null && r.progress_total === null
    ? null
    : { done: r.progress_value ?? 0, total: r.progress_total },
  raw: r
})

const greenArrowPlain = async (url: string): Promise<number> => {
  const authorization = `Basic ${Buffer.from(`${sysAdmin.organizationId}:${sysAdmin.apiKey}`).toString("base64")}`
  let built = 0
  let pageToken: string | null = null
  for (let pages = 0; pages < 100_000; pages++) {
    const q: string = pageToken === null ? "" : `&page_token=${encodeURIComponent(pageToken)}`
    const response = await fetch(`${url}/ga/api/v2/jobs/all?per_page=${pageSize}${q}`, {
      headers: { accept: "application/json", authorization }
    })
    const text = await response.text()
    if (response.status !== 200) throw new Error(`plain fetch: GreenArrow answered ${response.status}`)
    const body = JSON.parse(text) as { data: Array<PlainGreenArrowJob>; next_page_token: string | null }
    built += body.data.map(greenArrowJob).length
    if (body.next_page_token === null || body.data.length === 0) return built
    pageToken = body.next_page_token
  }
  throw new Error("plain fetch: GreenArrow listing did not end")
}

// ---------------------------------------------------------------------------

export const cases: ReadonlyArray<Case> = [
  {
    name: "insideview-json",
    label: "InsideView JSON",
    pageSize,
    sim: (jobs, latencyMillis) => ({ kind: "insideview", jobs, latencyMillis }),
    library: insideViewLibrary("json"),
    plain: insideViewPlain("json")
  },
  {
    name: "insideview-xml",
    label: "InsideView XML",
    pageSize,
    sim: (jobs, latencyMillis) => ({ kind: "insideview", jobs, latencyMillis }),
    library: insideViewLibrary("xml"),
    plain: insideViewPlain("xml")
  },
  {
    name: "greenarrow-json",
    label: "GreenArrow JSON",
    pageSize,
    sim: (jobs, latencyMillis) => ({ kind: "greenarrow-fast", jobs, latencyMillis }),
    // The token walk is sequential (one page at a time, read-ahead 1): concurrency does not apply.
    library: (url) => greenArrowLibrary(url),
    plain: (url) => greenArrowPlain(url)
  }
]

export const caseOf = (name: CaseName): Case => {
  const found = cases.find((c) => c.name === name)
  if (found === undefined) throw new Error(`no bench case ${name}`)
  return found
}
