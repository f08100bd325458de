/**
 * The fast path of `GreenArrowEnvelope.decodePage`: one synchronous pass over
 * a parsed listing that checks the envelope and every job exactly as the
 * `Envelope` and `GreenArrowJob` Schemas do, and builds the same values
 * (`GreenArrowJob` instances, timestamps as `Date`s parsed once, straight to
 * epoch milliseconds) without the Schema machinery.
 *
 * It only ever answers with what the Schemas would give. On anything it is
 * not certain of — a value the Schemas refuse, `success: false` (an error to
 * classify), a key holding `undefined` or inherited from a prototype — it
 * answers `undefined` and the caller decodes with the Schemas, which give the
 * value or the precise error. Property tests (`test/FastPage.test.ts`) hold
 * the two to the same answers.
 *
 * @internal
 */
import { Dates, FastDecode } from "@jobstream/core"
import type { JobsPage } from "./envelope.js"
import { GreenArrowJob } from "../GreenArrowJob.js"

const zoneRequired = { zone: "required" } as const

type Unsure = FastDecode.Unsure
const unsure: Unsure = FastDecode.unsure
const { field, isRecord } = FastDecode

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0

// `nullable(X)` in GreenArrowJob: absent or null → null, otherwise X.
const count = (v: unknown): number | null | Unsure => (v === undefined || v === null ? null : isCount(v) ? v : unsure)
const text = (v: unknown): string | null | Unsure => (v === undefined || v === null ? null : typeof v === "string" ? v : unsure)
const flag = (v: unknown): boolean | null | Unsure => (v === undefined || v === null ? null : typeof v === "boolean" ? v : unsure)
const finite = (v: unknown): number | null | Unsure =>
  v === undefined || v === null ? null : typeof v === "number" && Number.isFinite(v) ? v : unsure
const timestamp = (v: unknown): Date | null | Unsure => {
  if (v === undefined || v === null) return null
  if (typeof v !== "string") return unsure
  const millis = Dates.isoMillis(v, zoneRequired)
  return Number.isNaN(millis) ? unsure : new Date(millis)
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/**
 * One job, or `unsure`. The instance is made as the Schema's class makes it
 * (its prototype, then the decoded fields in the class's order), without the
 * class constructor's copies of the fields and its pass over their defaults,
 * which every field here already has.
 */
export const job = (input: unknown): GreenArrowJob | Unsure => {
  if (!isRecord(input)) return unsure
  const id = field(input, "id")
  if (!isCount(id)) return unsure
  const mailingListId = count(field(input, "mailing_list_id"))
  const organizationId = count(field(input, "organization_id"))
  const suppressionListId = count(field(input, "suppression_list_id"))
  const state = text(field(input, "state"))
  const state2 = text(field(input, "state2"))
  const paused = flag(field(input, "paused"))
  const name = text(field(input, "name"))
  const progressValue = finite(field(input, "progress_value"))
  const progressTotal = finite(field(input, "progress_total"))
  const jobType = text(field(input, "job_type"))
  if (
    mailingListId === unsure || organizationId === unsure || suppressionListId === unsure || state === unsure ||
    state2 === unsure || paused === unsure || name === unsure || progressValue === unsure || progressTotal === unsure ||
    jobType === unsure
  ) return unsure
  const beginsAt = timestamp(field(input, "begins_at"))
  const startedAt = timestamp(field(input, "started_at"))
  const finishedAt = timestamp(field(input, "finished_at"))
  const createdAt = timestamp(field(input, "created_at"))
  const retryAt = timestamp(field(input, "retry_at"))
  const updatedAt = timestamp(field(input, "updated_at"))
  if (
    beginsAt === unsure || startedAt === unsure || finishedAt === unsure || createdAt === unsure || retryAt === unsure ||
    updatedAt === unsure
  ) return unsure
  const out = Object.create(GreenArrowJob.prototype) as Mutable<GreenArrowJob>
  out.id = id
  out.mailing_list_id = mailingListId
  out.organization_id = organizationId
  out.suppression_list_id = suppressionListId
  out.state = state
  out.state2 = state2
  out.paused = paused
  out.name = name
  out.progress_value = progressValue
  out.progress_total = progressTotal
  out.job_type = jobType
  out.begins_at = beginsAt
  out.started_at = startedAt
  out.finished_at = finishedAt
  out.created_at = createdAt
  out.retry_at = retryAt
  out.updated_at = updatedAt
  return out
}

// `optional(NullOr(X))` in the envelope: absent stays absent (undefined), null stays null.
const optionalCount = (v: unknown): number | null | undefined | Unsure =>
  v === undefined || v === null ? v : isCount(v) ? v : unsure
const optionalText = (v: unknown): string | null | undefined | Unsure =>
  v === undefined || v === null || typeof v === "string" ? v : unsure

/** A `success: true` listing (envelope and jobs), or undefined: decode with the Schemas. */
export const jobsPage = (json: unknown): JobsPage | undefined => {
  if (!isRecord(json)) return undefined
  if (field(json, "success") !== true) return undefined
  for (const key of ["error_code", "error_message"]) {
    if (optionalText(field(json, key)) === unsure) return undefined
  }
  const page = optionalCount(field(json, "page"))
  const perPage = optionalCount(field(json, "per_page"))
  const numRecords = optionalCount(field(json, "num_records"))
  const numPages = optionalCount(field(json, "num_pages"))
  const pageToken = optionalText(field(json, "page_token"))
  const nextPageToken = optionalText(field(json, "next_page_token"))
  if (
    page === unsure || perPage === unsure || numRecords === unsure || numPages === unsure || pageToken === unsure ||
    nextPageToken === unsure
  ) return undefined
  const data = field(json, "data")
  if (!Array.isArray(data)) return undefined
  const jobs: Array<GreenArrowJob> = []
  for (let i = 0; i < data.length; i++) {
    const decoded = job(data[i])
    if (decoded === unsure) return undefined
    jobs.push(decoded)
  }
  return {
    jobs,
    page: page ?? undefined,
    perPage: perPage ?? undefined,
    numRecords: numRecords ?? undefined,
    numPages: numPages ?? undefined,
    nextPageToken
  }
}
