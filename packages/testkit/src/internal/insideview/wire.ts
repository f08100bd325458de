/**
 * The InsideView simulator's wire: XML and JSON bodies (pages, errors) and
 * the list query's checks and filter. Internal to `InsideViewSimulator`.
 */
import type { InsideViewJob } from "../../InsideViewSimulator.js"
import { json, xml } from "../../Server.js"
import type { SimRequest, SimResponse } from "../../Server.js"
import { isoDay, jobStatusByCode, jobTypesByCode } from "./data.js"

export const escapeXml = (value: string): string =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")

export const xmlProlog = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n`

export const jobXml = (job: InsideViewJob): string =>
  `<bulkJob>\n<createdDate>${escapeXml(job.createdDate)}</createdDate>\n` +
  (job.creditsConsumed === undefined ? "" : `<creditsConsumed>${job.creditsConsumed}</creditsConsumed>\n`) +
  `<jobId>${escapeXml(job.jobId)}</jobId>\n<jobStatus>${escapeXml(job.jobStatus)}</jobStatus>\n` +
  `<jobType>${escapeXml(job.jobType)}</jobType>\n</bulkJob>\n`

export const wantsJson = (req: SimRequest): boolean => (req.headers["accept"] ?? "").toLowerCase().includes("application/json")

const errorStatusText: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  429: "Too Many Requests"
}

export const errorResponse = (
  asJson: boolean,
  status: number,
  message: string,
  diagnostic: string,
  headers?: Record<string, string>
): SimResponse => {
  const body = {
    errorType: errorStatusText[status] ?? "Error",
    status,
    errorNumber: `${status}-1`,
    message,
    diagnosticCode: diagnostic
  }
  if (asJson) return json(status, body, headers)
  return xml(
    status,
    `${xmlProlog}<error><errorType>${body.errorType}</errorType><status>${status}</status>` +
      `<errorNumber>${body.errorNumber}</errorNumber><message>${escapeXml(message)}</message>` +
      `<diagnosticCode>${diagnostic}</diagnosticCode></error>`,
    headers
  )
}

const periodFormats: Record<string, RegExp> = {
  day: /^\d{4}-\d{2}-\d{2}$/,
  month: /^\d{4}-\d{2}$/,
  year: /^\d{4}$/
}

const realDate = (value: string, period: string): boolean => {
  if (!periodFormats[period]!.test(value)) return false
  const [y, m = "01", d = "01"] = value.split("-")
  const date = new Date(`${y}-${m}-${d}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && isoDay(date.getTime()) === `${y}-${m}-${d}`
}

/** Reads a list parameter sent comma-separated, repeated, or both. */
const listParam = (query: URLSearchParams, name: string): ReadonlyArray<string> | undefined => {
  const all = query.getAll(name)
  if (all.length === 0) return undefined
  return all.flatMap((v) => v.split(",")).map((v) => v.trim())
}

export interface ListQuery {
  readonly period?: string
  readonly start?: string
  readonly end?: string
  readonly statuses?: ReadonlySet<string>
  readonly types?: ReadonlySet<string>
  readonly page: number
  readonly resultsPerPage: number
}

const intParam = (query: URLSearchParams, name: string, fallback: number, min: number, max: number) => {
  const raw = query.get(name)
  if (raw === null) return fallback
  if (!/^\d+$/.test(raw)) return undefined
  const n = Number(raw)
  return n >= min && n <= max ? n : undefined
}

export const readQuery = (query: URLSearchParams): ListQuery | undefined => {
  const period = query.get("period") ?? undefined
  const start = query.get("start") ?? undefined
  const end = query.get("end") ?? undefined
  if (period !== undefined && periodFormats[period] === undefined) return undefined
  if ((start !== undefined || end !== undefined) && period === undefined) return undefined
  if (start !== undefined && !realDate(start, period!)) return undefined
  if (end !== undefined && !realDate(end, period!)) return undefined
  if (start !== undefined && end !== undefined && start > end) return undefined
  const statusCodes = listParam(query, "jobStatuses")
  if (statusCodes !== undefined && statusCodes.some((c) => jobStatusByCode[c] === undefined)) return undefined
  const typeCodes = listParam(query, "jobTypes")
  if (typeCodes !== undefined && typeCodes.some((c) => jobTypesByCode[c] === undefined)) return undefined
  const page = intParam(query, "page", 1, 1, Number.MAX_SAFE_INTEGER)
  const resultsPerPage = intParam(query, "resultsPerPage", 10, 1, 50)
  if (page === undefined || resultsPerPage === undefined) return undefined
  return {
    ...(period !== undefined ? { period } : {}),
    ...(start !== undefined ? { start } : {}),
    ...(end !== undefined ? { end } : {}),
    ...(statusCodes !== undefined ? { statuses: new Set(statusCodes.map((c) => jobStatusByCode[c]!)) } : {}),
    ...(typeCodes !== undefined ? { types: new Set(typeCodes.flatMap((c) => jobTypesByCode[c]!)) } : {}),
    page,
    resultsPerPage
  }
}

export const matches = (job: InsideViewJob, q: ListQuery): boolean => {
  if (q.period !== undefined) {
    const length = q.period === "day" ? 10 : q.period === "month" ? 7 : 4
    const at = job.createdDate.slice(0, length)
    if (q.start !== undefined && at < q.start) return false
    if (q.end !== undefined && at > q.end) return false
  }
  if (q.statuses !== undefined && !q.statuses.has(job.jobStatus)) return false
  if (q.types !== undefined && !q.types.has(job.jobType)) return false
  return true
}


/** The cache key of a query's filters (undefined when it filters nothing). */
export const filterKey = (q: ListQuery): string | undefined =>
  q.period === undefined && q.statuses === undefined && q.types === undefined
    ? undefined
    : JSON.stringify([q.period, q.start, q.end, q.statuses && [...q.statuses], q.types && [...q.types]])

/** How a page is written. */
export interface PageFormat {
  readonly asJson: boolean
  readonly jsonNumbers: "string" | "number"
  readonly layout: "documented" | "wrapped"
  readonly omitTotal: boolean
}

/** One page of the list, in JSON or in XML (either layout). */
export const pageResponse = (
  format: PageFormat,
  page: ReadonlyArray<InsideViewJob>,
  served: number,
  resultsPerPage: number,
  total: number
): SimResponse => {
  const num = (n: number) => (format.jsonNumbers === "string" ? String(n) : n)
  if (format.asJson) {
    return json(200, {
      bulkJobs: page,
      page: num(served),
      resultsPerPage: num(resultsPerPage),
      ...(format.omitTotal ? {} : { totalResults: num(total) })
    })
  }
  const items = page.map(jobXml).join("")
  const paging = `<page>${served}</page>\n<resultsPerPage>${resultsPerPage}</resultsPerPage>\n` +
    (format.omitTotal ? "" : `<totalResults>${total}</totalResults>\n`)
  return xml(
    200,
    format.layout === "documented"
      ? `${xmlProlog}<bulkJobs>\n${items}${paging}</bulkJobs>\n`
      : `${xmlProlog}<bulkJobsResponse>\n<bulkJobs>\n${items}</bulkJobs>\n${paging}</bulkJobsResponse>\n`
  )
}
