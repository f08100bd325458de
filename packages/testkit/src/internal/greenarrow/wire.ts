/**
 * The GreenArrow simulator's wire: keys from `Authorization`, routes, filters
 * and pagination (keyset tokens and page numbers, with the configured ways
 * of misbehaving). Each step answers its part or the failure to report.
 * Internal to `GreenArrowSimulator`.
 */
import type { GreenArrowSimJob, GreenArrowSimKey, GreenArrowSimOptions, TokenMode } from "../../GreenArrowSimulator.js"
import { finishedStates } from "./data.js"

/** A failure to report: HTTP status, `error_code`, `error_message`. */
export interface Failure {
  readonly httpStatus: number
  readonly code: string
  readonly message: string
}

/** A keyset token: "after job id N", with an optional nonce that makes it a different string. */
export const encodeToken = (afterId: number, nonce?: number): string =>
  Buffer.from(`after:${afterId}${nonce === undefined ? "" : `:${nonce}`}`, "utf8").toString("base64url")
export const decodeToken = (token: string): number | undefined => {
  const match = /^after:(\d+)(?::\d+)?$/.exec(Buffer.from(token, "base64url").toString("utf8"))
  return match === null ? undefined : Number(match[1])
}

export const parseTime = (text: string): number | undefined => {
  if (/^\d+$/.test(text)) return Number(text) * 1000
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : ms
}

export const standardHeaders = (index: number): Record<string, string> => ({
  "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
  Pragma: "no-cache",
  Expires: "Fri, 01 Jan 1990 00:00:00 GMT",
  "X-UA-Compatible": "IE=Edge",
  "Set-Cookie": `_session_id=${index.toString(16).padStart(32, "0")}; path=/; HttpOnly`,
  "X-Request-Id": index.toString(16).padStart(32, "0"),
  "X-Runtime": "0.025540"
})

export const decodeBasic = (header: string | undefined): { org: string; key: string } | undefined => {
  if (header === undefined) return undefined
  const match = /^Basic\s+(\S+)$/i.exec(header.trim())
  if (match === null) return undefined
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0) return undefined
  return { org: decoded.slice(0, colon), key: decoded.slice(colon + 1) }
}


/** A failure. */
export const fail = (httpStatus: number, code: string, message: string): Failure => ({ httpStatus, code, message })

/** Whether a step answered a failure. */
export const isFailure = (u: unknown): u is Failure => typeof u === "object" && u !== null && "httpStatus" in u

/** The key an `Authorization` header names, if the simulator accepts it. */
export const keyOf = (header: string | undefined, keys: ReadonlyArray<GreenArrowSimKey>): GreenArrowSimKey | undefined => {
  const credentials = decodeBasic(header)
  return credentials === undefined
    ? undefined
    : keys.find((k) => String(k.organizationId) === credentials.org && k.apiKey === credentials.key)
}

/** Which jobs a route shows to a key, and whether it lists all or only unfinished ones. */
export const route = (
  path: string,
  key: GreenArrowSimKey,
  jobs: ReadonlyArray<GreenArrowSimJob>,
  keys: ReadonlyArray<GreenArrowSimKey>
): { readonly which: string; readonly visible: (job: GreenArrowSimJob) => boolean } | Failure => {
  const own = /^\/ga\/api\/v2\/jobs\/(all|unfinished)$/.exec(path)
  const onAll = /^\/ga\/api\/v2\/jobs\/(all|unfinished)_on_all_organizations$/.exec(path)
  const byOrg = /^\/ga\/api\/v2\/organizations\/([^/]+)\/jobs\/(all|unfinished)$/.exec(path)
  if (own !== null) {
    return {
      which: own[1]!,
      visible: key.role === "system_admin" ? () => true : (job) => job.organization_id === key.organizationId
    }
  }
  if (onAll !== null) {
    return key.role !== "system_admin"
      ? fail(403, "not_authorized", "this endpoint requires a system administrator API key")
      : { which: onAll[1]!, visible: () => true }
  }
  if (byOrg === null) return fail(404, "not_found", "no such route")
  const orgId = Number(decodeURIComponent(byOrg[1]!))
  const known = jobs.some((j) => j.organization_id === orgId) || keys.some((k) => k.organizationId === orgId)
  if (!Number.isInteger(orgId) || !known) return fail(404, "not_found", "organization not found")
  if (key.role !== "system_admin" && orgId !== key.organizationId) {
    return fail(403, "not_authorized", "not authorized for this organization")
  }
  return { which: byOrg[2]!, visible: (job) => job.organization_id === orgId }
}

/** Reads a multi-valued filter the way the server is configured to. */
export const listParam = (
  query: URLSearchParams,
  name: string,
  arrayParams: "brackets" | "repeat" | "comma"
): ReadonlyArray<string> | undefined => {
  const bracketed = query.getAll(`${name}[]`)
  const all = query.getAll(name)
  switch (arrayParams) {
    case "brackets":
      if (bracketed.length > 0) return bracketed
      return all.length === 0 ? undefined : [all[all.length - 1]!]
    case "repeat":
      return all.length === 0 ? undefined : all
    case "comma":
      return all.length === 0 ? undefined : all[all.length - 1]!.split(",")
  }
}

/** The filter of a query (time filters, `state`, `job_type`) on top of the route's. */
export const filter = (
  q: URLSearchParams,
  arrayParams: "brackets" | "repeat" | "comma",
  which: string,
  visible: (job: GreenArrowSimJob) => boolean
): ((job: GreenArrowSimJob) => boolean) | Failure => {
  const timeFilters: Array<[keyof GreenArrowSimJob, "after" | "before", number]> = []
  for (const field of ["begins_at", "finished_at"] as const) {
    for (const side of ["after", "before"] as const) {
      const raw = q.get(`${field}__${side}`)
      if (raw === null) continue
      const ms = parseTime(raw)
      if (ms === undefined) {
        return fail(400, "invalid_request", `${field}__${side} must be a UNIX integer timestamp or ISO-8601 datetime string`)
      }
      timeFilters.push([field, side, ms])
    }
  }
  const states = listParam(q, "state", arrayParams)
  const types = listParam(q, "job_type", arrayParams)
  return (job) => {
    if (!visible(job)) return false
    if (which === "unfinished" && finishedStates.has(job.state)) return false
    if (states !== undefined && !states.includes(job.state)) return false
    if (types !== undefined && !types.includes(job.job_type)) return false
    for (const [field, side, ms] of timeFilters) {
      const value = job[field]
      if (typeof value !== "string") return false
      const at = Date.parse(value)
      if (side === "after" ? !(at > ms) : !(at < ms)) return false
    }
    return true
  }
}

const intParam = (query: URLSearchParams, name: string): number | undefined | Failure => {
  const raw = query.get(name)
  if (raw === null || raw === "") return undefined
  if (!/^\d+$/.test(raw)) return fail(400, "invalid_request", `${name} must be a non-negative integer`)
  return Number(raw)
}

/** How pages are cut and tokens handed out. */
export interface Paging {
  readonly defaultPerPage: number
  readonly pageFault: GreenArrowSimOptions["pageFault"]
  readonly noTokens: boolean
  readonly tokenMode: TokenMode
  /** A fresh number, to make a token a different string. */
  readonly nonce: () => number
}

/** The envelope fields of one page of `selected` (jobs in id order), or the failure. */
export const page = (
  q: URLSearchParams,
  selected: ReadonlyArray<GreenArrowSimJob>,
  paging: Paging
): Record<string, unknown> | Failure => {
  const perPage = intParam(q, "per_page")
  if (isFailure(perPage)) return perPage
  const size = perPage ?? paging.defaultPerPage
  if (size < 1) return fail(400, "invalid_request", "per_page must be at least 1")
  if (size > 2000) return fail(400, "requested_too_many", "per_page must not be more than 2000")
  const number = intParam(q, "page")
  if (isFailure(number)) return number
  const token = q.get("page_token")
  if (token !== null && number !== undefined) return fail(400, "invalid_request", "page and page_token must not be combined")
  let slice: ReadonlyArray<GreenArrowSimJob>
  const position: Record<string, unknown> = {}
  let after: number | undefined
  if (token !== null && !paging.noTokens) {
    after = decodeToken(token)
    if (after === undefined) return fail(400, "invalid_request", "page_token is not valid")
    const from = after
    slice = selected.filter((j) => j.id > from).slice(0, size)
    position["page_token"] = token
  } else {
    const asked = number ?? 0
    const fault = paging.pageFault
    const n = fault === undefined ? asked : fault === "ignore-page" ? 0 : Math.min(asked, fault.stuckAt)
    slice = selected.slice(n * size, n * size + size)
    position["page"] = n
  }
  const last = slice[slice.length - 1]
  const more = last !== undefined && selected.some((j) => j.id > last.id)
  const normal = more && last !== undefined ? encodeToken(last.id) : null
  const next = ((): string | null => {
    switch (paging.tokenMode) {
      case "normal":
        return normal
      case "stuck":
        return encodeToken(0)
      case "cycle": {
        // From the third page on, point back at the second page.
        const index = last === undefined ? -1 : selected.indexOf(slice[0]!)
        const endOfFirst = selected[size - 1]
        return index >= 2 * size && endOfFirst !== undefined ? encodeToken(endOfFirst.id) : normal
      }
      case "repeat":
        return after === undefined ? normal : encodeToken(after, paging.nonce())
      case "endless":
        return normal ?? encodeToken(last?.id ?? after ?? 0, paging.nonce())
    }
  })()
  return {
    ...position,
    per_page: size,
    num_records: selected.length,
    num_pages: Math.ceil(selected.length / size),
    data: slice,
    ...(paging.noTokens ? {} : { next_page_token: next })
  }
}
