/**
 * A simulator of InsideView's Bulk Jobs List API (`GET /api/v1/admin/jobs`)
 * and of its token endpoint (`POST /Auth/login/v1/token[.json]`), served on
 * one port.
 *
 * What it reproduces, after the public reference pages:
 * - XML by default, JSON when `Accept` asks for `application/json`
 *   (`token.json` always answers JSON);
 * - the `accessToken` header: missing or unknown → 401 with the documented
 *   message; tokens are issued by the login endpoint (`grantType=cred`) with
 *   an `expirationTime` such as "Tue, Jul 21, 2015 09:08:17 PM GMT", and can
 *   be revoked or expired from the test;
 * - 400 "Invalid query parameter(s)." for bad parameters, 405 for other
 *   methods, 429 "Request is throttled." after `throttle.limit` requests in a
 *   window; the lock-out is account-wide and lasts until the window ends
 *   (5 minutes in production; configurable here);
 * - filters `period`/`start`/`end` (on `createdDate`), `jobStatuses` and
 *   `jobTypes` (numeric codes, comma-separated or repeated), `page` and
 *   `resultsPerPage` (1..50, default 10);
 * - numbers as strings in JSON, as in the documented example (configurable).
 *
 * Assumptions where the pages are silent (all documented in the package
 * README): jobs are listed newest first; the error body is
 * `{errorType, status, errorNumber, message, diagnosticCode}` (root `<error>`
 * in XML); which `jobType` strings belong to which numeric job type code.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import type { FaultRule } from "./Faults.js"
import * as Mutations from "./Mutations.js"
import * as Seed from "./Seed.js"
import { json, start, xml } from "./Server.js"
import type { Latency, RunningServer, SimRequest, SimResponse } from "./Server.js"

/** One job as the simulator stores it. */
export interface InsideViewJob {
  readonly jobId: string
  readonly jobType: string
  readonly jobStatus: string
  /** Date only ("2015-08-17"), as in the list example. */
  readonly createdDate: string
  /** Absent for jobs that never started. */
  readonly creditsConsumed?: number
}

export interface ThrottleOptions {
  /** Requests accepted per window (account-wide). */
  readonly limit: number
  /** Window and lock-out length in millis. Default 300000 (5 minutes, as documented). */
  readonly windowMillis?: number
  /** Send `Retry-After` (seconds until the lock-out ends) with 429s. InsideView does not document one. Default false. */
  readonly sendRetryAfter?: boolean
}

export interface InsideViewOptions {
  /** Number of seeded jobs. Default 16788 (the documented example's total). */
  readonly jobs?: number
  /**
   * Serve exactly these jobs (newest first) instead of seeded ones, written as
   * given — e.g. a `createdDate` the client must refuse. Overrides `jobs`.
   */
  readonly records?: ReadonlyArray<InsideViewJob>
  /** Dataset and fault seed. Default 1. */
  readonly seed?: number
  readonly latency?: Latency
  readonly faults?: ReadonlyArray<FaultRule>
  /** Serve HTTPS with this key and certificate (e.g. `Tls.selfSigned`). Default plain HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string }
  /** Client credentials accepted by the login endpoint. Default `{ clientId: "sim-client", clientSecret: "sim-secret" }`. */
  readonly credentials?: { readonly clientId: string; readonly clientSecret: string }
  /** Tokens accepted without logging in (a "fixed" token). Default `["sim-fixed-token"]`. */
  readonly staticTokens?: ReadonlyArray<string>
  /** Lifetime of issued tokens in seconds. Default 31536000 (one year, as the example token suggests). */
  readonly tokenLifetimeSeconds?: number
  /**
   * An issued token answers this many list requests, then 401 (the server
   * expired or rotated it). Default: unlimited.
   */
  readonly tokenMaxUses?: number
  /**
   * Where the token endpoint reads `clientId`/`clientSecret`/`grantType`:
   * "any" (default) the query string or a form body; "query" only the query
   * string (a form body alone → 400); "body" only an
   * `application/x-www-form-urlencoded` body (no Content-Type → 415 "The
   * Content-Type mandatory header is not provided", no parameters → 400).
   */
  readonly loginParamsIn?: "any" | "query" | "body"
  readonly throttle?: ThrottleOptions
  /** How `page`, `resultsPerPage` and `totalResults` are written in JSON. Default "string" (as in the example). */
  readonly jsonNumbers?: "string" | "number"
  /**
   * XML layout of the list. "documented" (default): the example's `<bulkJobs>`
   * root holding `<bulkJob>` items and the paging fields. "wrapped": a
   * `<bulkJobsResponse>` root holding `<bulkJobs><bulkJob>…</bulkJob></bulkJobs>`
   * and the paging fields.
   */
  readonly xmlLayout?: "documented" | "wrapped"
  /** Extra time each list request spends in the handler (for concurrency measurements). Default 0. */
  readonly handlerDelayMillis?: number
  /** Leave `totalResults` out of list pages (the XSD marks it optional). Default false. */
  readonly omitTotal?: boolean
  /**
   * Changes to the dataset applied once this many list requests have been
   * answered: `add` new jobs, `remove` the newest, `removeOldest` the oldest.
   */
  readonly mutations?: ReadonlyArray<Mutation>
  /**
   * Order of the list. "newest-first" (default, an assumption: the docs are
   * silent): new jobs appear at the front and shift every page.
   * "oldest-first": new jobs are appended at the end.
   */
  readonly order?: "newest-first" | "oldest-first"
  /** A server that misbehaves with `page` (see {@link PageFault}). */
  readonly pageFault?: PageFault
}

/** A change to the dataset during a walk (see `Mutations`). */
export type Mutation = Mutations.Mutation

/**
 * How a broken server answers `page`: "ignore-page" answers page 1 whatever
 * is asked; `{ stuckAt: n }` answers page n for every page after n.
 */
export type PageFault = "ignore-page" | { readonly stuckAt: number }

export interface InsideViewServer extends RunningServer {
  /** The current dataset, in list order (newest first unless `order` says otherwise). */
  readonly jobs: ReadonlyArray<InsideViewJob>
  /** Tokens issued by the login endpoint, oldest first. */
  readonly issuedTokens: ReadonlyArray<string>
  /** Successful logins. */
  readonly logins: number
  /** List requests answered 401 because their token had used up `tokenMaxUses`. */
  readonly exhaustedTokenRejections: number
  /** List requests that reached the handler (any outcome). */
  readonly listRequests: number
  /** Most list requests in the handler at once (meaningful with `handlerDelayMillis`). */
  readonly peakConcurrency: number
  /** Adds `n` new (newest) jobs; returns them. */
  addJobs(n: number): ReadonlyArray<InsideViewJob>
  /** Removes the `n` newest jobs; returns them. */
  removeJobs(n: number): ReadonlyArray<InsideViewJob>
  /** Removes the `n` oldest jobs; returns them. */
  removeOldestJobs(n: number): ReadonlyArray<InsideViewJob>
  /** Makes every token (issued and static) invalid: the next calls get 401. */
  revokeAllTokens(): void
  /** Marks the issued tokens as expired: they get 401 from now on. */
  expireIssuedTokens(): void
  /** Ends the current throttling window and lock-out. */
  resetThrottle(): void
}

// ---------------------------------------------------------------------------
// Documented texts

export const messages = {
  badRequest: "Invalid query parameter(s).",
  unauthorized: "Unauthorized Error - Cannot use API's without setting a valid accessToken in header.",
  methodNotAllowed: "Method Not Allowed - Your are not allowed to access this API.",
  throttled: "Request is throttled.",
  notFound: "Invalid ID, record not found.",
  badCredentials: "Invalid client credentials.",
  contentTypeMissing: "The Content-Type mandatory header is not provided."
} as const

/** Numeric job type code → the `jobType` strings the simulator files under it (assumption). */
export const jobTypesByCode: Readonly<Record<string, ReadonlyArray<string>>> = {
  "1": ["targetCompanyDetails", "companies"],
  "2": ["targetContactDetails", "contacts", "contact"],
  "3": ["enrich"],
  "4": ["targetLookup"],
  "5": ["newContactDetails"]
}

/** Numeric job status code → `jobStatus` string. */
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

const dayMillis = 86_400_000
/** The newest seeded job is created on this day; older ones go back one day every few jobs. */
const newestDay = Date.UTC(2016, 11, 31)

const makeJob = (r: Seed.Rng, createdDate: string): InsideViewJob => {
  const jobStatus = Seed.pick(r, seededStatuses)
  const job: InsideViewJob = {
    jobId: Seed.id(r, 20, "abcdefghijklmnopqrstuv0123456789"),
    jobType: Seed.pick(r, seededTypes),
    jobStatus,
    createdDate
  }
  return jobStatus === "accepted" ? job : { ...job, creditsConsumed: Seed.int(r, 0, 500) }
}

const isoDay = (millis: number): string => new Date(millis).toISOString().slice(0, 10)

/** The deterministic dataset, newest first (about 12 jobs a day). */
export const insideViewJobs = (count: number, seed: number): ReadonlyArray<InsideViewJob> =>
  Seed.dataset(count, seed, (index, r) => makeJob(r, isoDay(newestDay - Math.floor(index / 12) * dayMillis)))

/** Formats an instant the way the token endpoint does: "Tue, Jul 21, 2015 09:08:17 PM GMT". */
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

// ---------------------------------------------------------------------------
// Encoding

const escapeXml = (value: string): string =>
  value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")

const xmlProlog = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n`

const jobXml = (job: InsideViewJob): string =>
  `<bulkJob>\n<createdDate>${escapeXml(job.createdDate)}</createdDate>\n` +
  (job.creditsConsumed === undefined ? "" : `<creditsConsumed>${job.creditsConsumed}</creditsConsumed>\n`) +
  `<jobId>${escapeXml(job.jobId)}</jobId>\n<jobStatus>${escapeXml(job.jobStatus)}</jobStatus>\n` +
  `<jobType>${escapeXml(job.jobType)}</jobType>\n</bulkJob>\n`

const wantsJson = (req: SimRequest): boolean => (req.headers["accept"] ?? "").toLowerCase().includes("application/json")

const errorStatusText: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  429: "Too Many Requests"
}

const errorResponse = (
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

// ---------------------------------------------------------------------------
// Query checks

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

interface ListQuery {
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

const readQuery = (query: URLSearchParams): ListQuery | undefined => {
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

const matches = (job: InsideViewJob, q: ListQuery): boolean => {
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

// ---------------------------------------------------------------------------
// Server

const listPath = "/api/v1/admin/jobs"
const tokenPaths = new Set(["/Auth/login/v1/token", "/Auth/login/v1/token.json"])

const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis))

/** Starts the simulator. */
export const startInsideView = async (options: InsideViewOptions = {}): Promise<InsideViewServer> => {
  const seed = options.seed ?? 1
  let jobs: Array<InsideViewJob> = options.records !== undefined
    ? options.records.slice()
    : insideViewJobs(options.jobs ?? 16788, seed).slice()
  const credentials = options.credentials ?? { clientId: "sim-client", clientSecret: "sim-secret" }
  const lifetimeMillis = (options.tokenLifetimeSeconds ?? 31_536_000) * 1000
  const jsonNumbers = options.jsonNumbers ?? "string"
  const layout = options.xmlLayout ?? "documented"
  const delay = options.handlerDelayMillis ?? 0
  // The filtered list per filter, kept until the jobs change: a walk asks
  // the same filter for every page, and refiltering tens of thousands of jobs
  // per request would make the simulator, not the client, the bottleneck.
  // `jobs` is kept newest first; `listed` is the list order.
  const oldestFirst = options.order === "oldest-first"
  let selections = new Map<string, ReadonlyArray<InsideViewJob>>()
  let selectionsOf: ReadonlyArray<InsideViewJob> | undefined
  let listed: ReadonlyArray<InsideViewJob> = jobs
  const select = (q: ListQuery): ReadonlyArray<InsideViewJob> => {
    if (selectionsOf !== jobs) {
      selections = new Map()
      selectionsOf = jobs
      listed = oldestFirst ? jobs.slice().reverse() : jobs
    }
    if (q.period === undefined && q.statuses === undefined && q.types === undefined) return listed
    const key = JSON.stringify([q.period, q.start, q.end, q.statuses && [...q.statuses], q.types && [...q.types]])
    const cached = selections.get(key)
    if (cached !== undefined) return cached
    const fresh = listed.filter((job) => matches(job, q))
    selections.set(key, fresh)
    return fresh
  }

  // token → expiry (epoch millis; Infinity for static tokens)
  const tokens = new Map<string, number>()
  // issued token → list requests it has been accepted for
  const uses = new Map<string, number>()
  const maxUses = options.tokenMaxUses ?? Number.POSITIVE_INFINITY
  const paramsIn = options.loginParamsIn ?? "any"
  let exhausted = 0
  for (const t of options.staticTokens ?? ["sim-fixed-token"]) tokens.set(t, Number.POSITIVE_INFINITY)
  const issued: Array<string> = []
  const idRng = Seed.rng(Seed.derive(seed, 0x7fff_0000))
  let logins = 0
  let listRequests = 0
  let inFlight = 0
  let peak = 0
  let added = 0

  let windowStart: number | undefined
  let windowCount = 0
  let lockedUntil = 0

  const addJobs = (n: number): ReadonlyArray<InsideViewJob> => {
    const newest = jobs[0]?.createdDate ?? isoDay(newestDay)
    const day = Date.parse(`${newest}T00:00:00Z`) + dayMillis
    const fresh = Array.from({ length: n }, (_, i) =>
      makeJob(Seed.rng(Seed.derive(seed + 1, added + i)), isoDay(day)))
    added += n
    jobs = [...fresh.reverse(), ...jobs]
    return fresh
  }
  const removeJobs = (n: number): ReadonlyArray<InsideViewJob> => {
    const removed = jobs.slice(0, n)
    jobs = jobs.slice(n)
    return removed
  }
  const removeOldestJobs = (n: number): ReadonlyArray<InsideViewJob> => {
    const keep = Math.max(0, jobs.length - n)
    const removed = jobs.slice(keep)
    jobs = jobs.slice(0, keep)
    return removed
  }
  const mutate = Mutations.schedule(options.mutations, {
    add: addJobs,
    remove: removeJobs,
    removeOldest: removeOldestJobs
  })

  /** Counts an authenticated request; true when the account is locked out. */
  const locked = (now: number): boolean => {
    const throttle = options.throttle
    if (throttle === undefined) return false
    if (now < lockedUntil) return true
    const windowMillis = throttle.windowMillis ?? 300_000
    if (windowStart === undefined || now >= windowStart + windowMillis) {
      windowStart = now
      windowCount = 0
    }
    windowCount++
    if (windowCount <= throttle.limit) return false
    // Locked out until a full period has passed.
    lockedUntil = now + windowMillis
    windowStart = undefined
    return true
  }

  const handler = async (req: SimRequest): Promise<SimResponse> => {
    const asJson = wantsJson(req)
    const diagnostic = Seed.id(idRng, 20)
    if (tokenPaths.has(req.path)) {
      const jsonToken = req.path.endsWith(".json") || asJson
      if (req.method !== "POST") return errorResponse(jsonToken, 405, messages.methodNotAllowed, diagnostic)
      // Parameters are read from the query string and/or a form body, as configured.
      const contentType = req.headers["content-type"] ?? ""
      const isForm = contentType.includes("x-www-form-urlencoded")
      if (paramsIn === "body" && contentType === "") {
        return errorResponse(jsonToken, 415, messages.contentTypeMissing, diagnostic)
      }
      const params = paramsIn === "body" ? new URLSearchParams() : new URLSearchParams(req.query)
      if (paramsIn !== "query" && req.body !== "" && isForm) {
        for (const [k, v] of new URLSearchParams(req.body)) params.set(k, v)
      }
      const clientId = params.get("clientId")
      const clientSecret = params.get("clientSecret")
      const grantType = params.get("grantType")
      if (clientId === null || clientSecret === null || grantType !== "cred") {
        return errorResponse(jsonToken, 400, messages.badRequest, diagnostic)
      }
      if (clientId !== credentials.clientId || clientSecret !== credentials.clientSecret) {
        return errorResponse(jsonToken, 401, messages.badCredentials, diagnostic)
      }
      const now = Date.now()
      const token = `${Seed.id(idRng, 28, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}=.` +
        Buffer.from(JSON.stringify({ grantType: "cred", iat: String(Math.floor(now / 1000)), n: issued.length }))
          .toString("base64")
      const expiresAt = Math.floor((now + lifetimeMillis) / 1000) * 1000
      tokens.set(token, expiresAt)
      issued.push(token)
      logins++
      const details = { accessToken: token, tokenType: "bearer", expirationTime: formatExpirationTime(expiresAt) }
      if (jsonToken) return json(200, { accessTokenDetails: details })
      return xml(
        200,
        `${xmlProlog}<accessTokenDetails><accessToken>${escapeXml(token)}</accessToken>` +
          `<expirationTime>${details.expirationTime}</expirationTime><tokenType>bearer</tokenType></accessTokenDetails>`
      )
    }

    if (req.path !== listPath) return errorResponse(asJson, 404, messages.notFound, diagnostic)
    if (req.method !== "GET") return errorResponse(asJson, 405, messages.methodNotAllowed, diagnostic)

    const token = req.headers["accesstoken"]
    const expiry = token === undefined ? undefined : tokens.get(token)
    if (expiry === undefined || Date.now() >= expiry) {
      return errorResponse(asJson, 401, messages.unauthorized, diagnostic)
    }
    if (expiry !== Number.POSITIVE_INFINITY) {
      const used = (uses.get(token!) ?? 0) + 1
      uses.set(token!, used)
      if (used > maxUses) {
        exhausted++
        return errorResponse(asJson, 401, messages.unauthorized, diagnostic)
      }
    }
    const now = Date.now()
    if (locked(now)) {
      const headers: Record<string, string> = options.throttle?.sendRetryAfter === true
        ? { "Retry-After": String(Math.max(1, Math.ceil((lockedUntil - now) / 1000))) }
        : {}
      return errorResponse(asJson, 429, messages.throttled, diagnostic, headers)
    }

    listRequests++
    inFlight++
    peak = Math.max(peak, inFlight)
    try {
      if (delay > 0) await sleep(delay)
      mutate()
      const q = readQuery(req.query)
      if (q === undefined) return errorResponse(asJson, 400, messages.badRequest, diagnostic)
      const selected = select(q)
      const fault = options.pageFault
      const served = fault === undefined
        ? q.page
        : fault === "ignore-page"
        ? 1
        : Math.min(q.page, fault.stuckAt)
      const from = (served - 1) * q.resultsPerPage
      const page = selected.slice(from, from + q.resultsPerPage)
      const num = (n: number) => (jsonNumbers === "string" ? String(n) : n)
      if (asJson) {
        return json(200, {
          bulkJobs: page,
          page: num(served),
          resultsPerPage: num(q.resultsPerPage),
          ...(options.omitTotal === true ? {} : { totalResults: num(selected.length) })
        })
      }
      const items = page.map(jobXml).join("")
      const paging = `<page>${served}</page>\n<resultsPerPage>${q.resultsPerPage}</resultsPerPage>\n` +
        (options.omitTotal === true ? "" : `<totalResults>${selected.length}</totalResults>\n`)
      return xml(
        200,
        layout === "documented"
          ? `${xmlProlog}<bulkJobs>\n${items}${paging}</bulkJobs>\n`
          : `${xmlProlog}<bulkJobsResponse>\n<bulkJobs>\n${items}</bulkJobs>\n${paging}</bulkJobsResponse>\n`
      )
    } finally {
      inFlight--
    }
  }

  const server = await start({
    handler,
    seed,
    latency: options.latency,
    faults: options.faults,
    ...(options.tls === undefined ? {} : { tls: options.tls })
  })

  return Object.defineProperties(server, {
    jobs: { get: () => (oldestFirst ? jobs.slice().reverse() : jobs.slice()) },
    issuedTokens: { get: () => issued.slice() },
    logins: { get: () => logins },
    exhaustedTokenRejections: { get: () => exhausted },
    listRequests: { get: () => listRequests },
    peakConcurrency: { get: () => peak },
    addJobs: { value: addJobs },
    removeJobs: { value: removeJobs },
    removeOldestJobs: { value: removeOldestJobs },
    revokeAllTokens: { value: () => tokens.clear() },
    expireIssuedTokens: {
      value: () => {
        for (const t of issued) tokens.set(t, 0)
      }
    },
    resetThrottle: {
      value: () => {
        windowStart = undefined
        windowCount = 0
        lockedUntil = 0
      }
    }
  }) as InsideViewServer
}

/** Scoped variant of {@link startInsideView}: closed when the scope closes. */
export const makeInsideView = (options?: InsideViewOptions): Effect.Effect<InsideViewServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startInsideView(options)),
    (server) => Effect.promise(() => server.close())
  )

