/**
 * The InsideView simulator's data: the documented texts and codes, the
 * seeded jobs, and the list as it changes during a walk (kept newest first,
 * listed in the configured order, filtered selections cached until it
 * changes). Internal to `InsideViewSimulator`.
 */
import type { InsideViewJob } from "../../InsideViewSimulator.js"
import * as Seed from "../../Seed.js"

/**
 * The documented error messages.
 *
 * @since 0.1.0
 */
export const messages = {
  badRequest: "Invalid query parameter(s).",
  unauthorized: "Unauthorized Error - Cannot use API's without setting a valid accessToken in header.",
  methodNotAllowed: "Method Not Allowed - Your are not allowed to access this API.",
  throttled: "Request is throttled.",
  notFound: "Invalid ID, record not found.",
  badCredentials: "Invalid client credentials.",
  contentTypeMissing: "The Content-Type mandatory header is not provided."
} as const

/**
 * Numeric job type code → the `jobType` strings the simulator files under it (assumption).
 *
 * @since 0.1.0
 */
export const jobTypesByCode: Readonly<Record<string, ReadonlyArray<string>>> = {
  "1": ["targetCompanyDetails", "companies"],
  "2": ["targetContactDetails", "contacts", "contact"],
  "3": ["enrich"],
  "4": ["targetLookup"],
  "5": ["newContactDetails"]
}

/**
 * Numeric job status code → `jobStatus` string.
 *
 * @since 0.1.0
 */
export const jobStatusByCode: Readonly<Record<string, string>> = {
  "-1": "notFound",
  "0": "failed",
  "1": "accepted",
  "2": "processing",
  "3": "finished",
  "4": "aborted"
}

const seededTypes: ReadonlyArray<string> = [
  "targetCompanyDetails", "targetCompanyDetails", "targetLookup", "targetContactDetails", "targetContactDetails",
  "contacts", "companies", "enrich", "enrich", "contact", "newContactDetails", "targetCompanySearchAsyncExport",
  "familyTree", "techProfileFetch"
]
const seededStatuses: ReadonlyArray<string> = [
  "finished", "finished", "finished", "finished", "finished", "finished", "finished", "failed", "aborted",
  "accepted", "processing"
]

export const dayMillis = 86_400_000
/** The newest seeded job is created on this day; older ones go back one day every few jobs. */
export const newestDay = Date.UTC(2016, 11, 31)

export const makeJob = (r: Seed.Rng, createdDate: string): InsideViewJob => {
  const jobStatus = Seed.pick(r, seededStatuses)
  const job: InsideViewJob = {
    jobId: Seed.id(r, 20, "abcdefghijklmnopqrstuv0123456789"),
    jobType: Seed.pick(r, seededTypes),
    jobStatus,
    createdDate
  }
  return jobStatus === "accepted" ? job : { ...job, creditsConsumed: Seed.int(r, 0, 500) }
}

export const isoDay = (millis: number): string => new Date(millis).toISOString().slice(0, 10)

/**
 * The deterministic dataset, newest first (about 12 jobs a day).
 *
 * @since 0.1.0
 */
export const insideViewJobs = (count: number, seed: number): ReadonlyArray<InsideViewJob> =>
  Seed.dataset(count, seed, (index, r) => makeJob(r, isoDay(newestDay - Math.floor(index / 12) * dayMillis)))

/**
 * Formats an instant the way the token endpoint does: "Tue, Jul 21, 2015 09:08:17 PM GMT".
 *
 * @since 0.1.0
 */
export const formatExpirationTime = (millis: number): string => {
  const d = new Date(millis)
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
  const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
  const two = (n: number) => String(n).padStart(2, "0")
  const h24 = d.getUTCHours()
  const h12 = h24 % 12 === 0 ? 12 : h24 % 12
  return `${days[d.getUTCDay()]}, ${months[d.getUTCMonth()]} ${two(d.getUTCDate())}, ${d.getUTCFullYear()} ` +
    `${two(h12)}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${h24 < 12 ? "AM" : "PM"} GMT`
}


/** The list: its jobs and how they change. */
export interface JobList {
  /** Newest first. */
  readonly jobs: () => ReadonlyArray<InsideViewJob>
  /** In list order, filtered by `keep` (cached per `key` until the list changes). */
  readonly select: (key: string | undefined, keep: (job: InsideViewJob) => boolean) => ReadonlyArray<InsideViewJob>
  readonly addJobs: (n: number) => ReadonlyArray<InsideViewJob>
  readonly removeJobs: (n: number) => ReadonlyArray<InsideViewJob>
  readonly removeOldestJobs: (n: number) => ReadonlyArray<InsideViewJob>
  /** Changes one job's `jobStatus`; false when there is no such job. */
  readonly setJobStatus: (jobId: string, status: string) => boolean
}

/** A list starting with `initial` (newest first), listed newest or oldest first. */
export const jobList = (initial: ReadonlyArray<InsideViewJob>, seed: number, oldestFirst: boolean): JobList => {
  let jobs: ReadonlyArray<InsideViewJob> = initial
  let added = 0
  // The filtered list per filter, kept until the jobs change: a walk asks
  // the same filter for every page, and refiltering tens of thousands of jobs
  // per request would make the simulator, not the client, the bottleneck.
  let selections = new Map<string, ReadonlyArray<InsideViewJob>>()
  let selectionsOf: ReadonlyArray<InsideViewJob> | undefined
  let listed: ReadonlyArray<InsideViewJob> = jobs
  const select = (key: string | undefined, keep: (job: InsideViewJob) => boolean): ReadonlyArray<InsideViewJob> => {
    if (selectionsOf !== jobs) {
      selections = new Map()
      selectionsOf = jobs
      listed = oldestFirst ? jobs.slice().reverse() : jobs
    }
    if (key === undefined) return listed
    const cached = selections.get(key)
    if (cached !== undefined) return cached
    const fresh = listed.filter(keep)
    selections.set(key, fresh)
    return fresh
  }
  return {
    jobs: () => jobs,
    select,
    addJobs: (n) => {
      const newest = jobs[0]?.createdDate ?? isoDay(newestDay)
      const day = Date.parse(`${newest}T00:00:00Z`) + dayMillis
      const fresh = Array.from({ length: n }, (_, i) => makeJob(Seed.rng(Seed.derive(seed + 1, added + i)), isoDay(day)))
      added += n
      jobs = [...fresh.reverse(), ...jobs]
      return fresh
    },
    removeJobs: (n) => {
      const removed = jobs.slice(0, n)
      jobs = jobs.slice(n)
      return removed
    },
    setJobStatus: (jobId, status) => {
      const at = jobs.findIndex((j) => j.jobId === jobId)
      if (at < 0) return false
      jobs = jobs.map((j, i) => (i === at ? { ...j, jobStatus: status } : j))
      return true
    },
    removeOldestJobs: (n) => {
      const keep = Math.max(0, jobs.length - n)
      const removed = jobs.slice(keep)
      jobs = jobs.slice(0, keep)
      return removed
    }
  }
}
