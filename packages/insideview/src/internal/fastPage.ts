/**
 * The fast path of the page decoders: one synchronous pass over a parsed
 * page (JSON or XML) that checks every field exactly as the `BulkJob` and
 * page Schemas do and builds the same values, without the Schema machinery
 * (an `Either`, a closure and an issue object per field of every job).
 *
 * It only ever answers with a value the Schemas would produce: on anything
 * it is not certain of — a value the Schemas refuse, an `undefined` held by a
 * key, a key inherited from a prototype — it answers `undefined`, and the
 * caller decodes the page with the Schemas, which give the value or the
 * precise error. Property tests (`test/FastPage.test.ts`) hold the two to
 * the same answers on generated and mutated pages.
 *
 * @internal
 */
import { Dates, FastDecode } from "@jobstream/core"
import type { BulkJob, BulkJobsPage } from "../InsideViewJob.js"

const integerText = /^\s*-?\d+\s*$/
const dateOptions = { zone: "utc-if-absent", dateOnly: true } as const

type Unsure = FastDecode.Unsure
const unsure: Unsure = FastDecode.unsure
const { field, isRecord } = FastDecode

/** `IntFromWire`: a safe integer, as a number or a string of digits. */
const intFromWire = (value: unknown): number | Unsure => {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : unsure
  if (typeof value !== "string" || !integerText.test(value)) return unsure
  const n = Number(value)
  return Number.isSafeInteger(n) ? n : unsure
}

/** One `BulkJob`, or `unsure`. Keys in the Schema's order; optional keys only when sent. */
export const bulkJob = (input: unknown): BulkJob | Unsure => {
  if (!isRecord(input)) return unsure
  const jobId = field(input, "jobId")
  const jobType = field(input, "jobType")
  const jobStatus = field(input, "jobStatus")
  const createdDate = field(input, "createdDate")
  const credits = field(input, "creditsConsumed")
  if (typeof jobId !== "string" || jobId.length === 0 || typeof jobStatus !== "string") return unsure
  if (jobType !== undefined && typeof jobType !== "string") return unsure
  if (createdDate !== undefined) {
    if (typeof createdDate !== "string" || Number.isNaN(Dates.isoMillis(createdDate, dateOptions))) return unsure
  }
  let creditsConsumed: number | undefined
  if (credits !== undefined && credits !== null) {
    const n = intFromWire(credits)
    if (n === unsure) return unsure
    creditsConsumed = n
  }
  // Built in the Schema's key order, so that printed records read the same.
  if (jobType === undefined) {
    if (createdDate === undefined) {
      return creditsConsumed === undefined ? { jobId, jobStatus } : { jobId, jobStatus, creditsConsumed }
    }
    return creditsConsumed === undefined ? { jobId, jobStatus, createdDate } : { jobId, jobStatus, createdDate, creditsConsumed }
  }
  if (createdDate === undefined) {
    return creditsConsumed === undefined ? { jobId, jobType, jobStatus } : { jobId, jobType, jobStatus, creditsConsumed }
  }
  return creditsConsumed === undefined
    ? { jobId, jobType, jobStatus, createdDate }
    : { jobId, jobType, jobStatus, createdDate, creditsConsumed }
}

/** An array of jobs, or `unsure`. */
const bulkJobs = (input: unknown, into: Array<BulkJob>): boolean => {
  if (!Array.isArray(input)) return false
  for (let i = 0; i < input.length; i++) {
    const job = bulkJob(input[i])
    if (job === unsure) return false
    into.push(job)
  }
  return true
}

type Counts = { page?: number; resultsPerPage?: number; totalResults?: number }

/** `page`, `resultsPerPage`, `totalResults` (each `IntFromWire`; `nullable`: null counts as absent). */
const counts = (input: Record<string, unknown>, nullable: boolean): Counts | Unsure => {
  const out: Counts = {}
  for (const key of ["page", "resultsPerPage", "totalResults"] as const) {
    const value = field(input, key)
    if (value === undefined || (nullable && value === null)) continue
    const n = intFromWire(value)
    if (n === unsure) return unsure
    out[key] = n
  }
  return out
}

const page = (jobs: ReadonlyArray<BulkJob>, c: Counts): BulkJobsPage => ({ bulkJobs: jobs, ...c })

/** The JSON page (`JsonPage` then `toPage` in codec.ts), or undefined: decode with the Schema. */
export const jsonPage = (json: unknown): BulkJobsPage | undefined => {
  if (!isRecord(json)) return undefined
  const c = counts(json, true)
  if (c === unsure) return undefined
  const list = field(json, "bulkJobs")
  if (list === unsure) return undefined
  const jobs: Array<BulkJob> = []
  if (list !== undefined && list !== null && !bulkJobs(list, jobs)) return undefined
  return page(jobs, c)
}

/** The XML page's root content (`XmlPage` then `toPage` in codec.ts), or undefined: decode with the Schema. */
export const xmlPage = (content: unknown): BulkJobsPage | undefined => {
  if (!isRecord(content)) return undefined
  const c = counts(content, false)
  if (c === unsure) return undefined
  const jobs: Array<BulkJob> = []
  if (!bulkJobs(field(content, "bulkJob"), jobs)) return undefined
  const nested = field(content, "bulkJobs")
  if (nested !== undefined) {
    if (!isRecord(nested) || !bulkJobs(field(nested, "bulkJob"), jobs)) return undefined
  }
  return page(jobs, c)
}
