/**
 * A simulator of InsideView's Bulk Jobs List API (`GET /api/v1/admin/jobs`),
 * of its API Usage endpoint (`GET /api/v1/admin/usage`) and of its token
 * endpoint (`POST /Auth/login/v1/token[.json]`), served on one port.
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
 * - numbers as strings in JSON, as in the documented example (configurable);
 * - the usage endpoint: `period`, `start`, `end` required (400 otherwise);
 *   `usageForAccount` counts the list and usage requests it answered, by API
 *   path and UTC day (plus `usage.rows`), `creditsForAccount` has one row:
 *   `usage.allocatedCredits` and the credits of the period's jobs. Usage
 *   requests count against the throttle like list requests.
 *
 * Assumptions where the pages are silent (all documented in the package
 * README): jobs are listed newest first; the error body is
 * `{errorType, status, errorNumber, message, diagnosticCode}` (root `<error>`
 * in XML); which `jobType` strings belong to which numeric job type code.
 *
 * @since 0.1.0
 * @module
 */
import type { Effect, Scope } from "effect"
import type { FaultRule } from "./Faults.js"
import * as Auth from "./internal/insideview/auth.js"
import * as Data from "./internal/insideview/data.js"
import * as Usage from "./internal/insideview/usage.js"
import * as Wire from "./internal/insideview/wire.js"
import { scoped, startWith } from "./internal/simulator.js"
import * as Mutations from "./Mutations.js"
import * as Seed from "./Seed.js"
import type { Latency, RunningServer, SimRequest, SimResponse } from "./Server.js"

/**
 * One job as the simulator stores it.
 *
 * @since 0.1.0
 */
export interface InsideViewJob {
  readonly jobId: string
  readonly jobType: string
  readonly jobStatus: string
  /** Date only ("2015-08-17"), as in the list example. */
  readonly createdDate: string
  /** Absent for jobs that never started. */
  readonly creditsConsumed?: number
}

/**
 * Account-wide throttling: after `limit` requests in a window, every request
 * gets 429 until the window ends.
 *
 * @since 0.1.0
 */
export interface ThrottleOptions {
  /** Requests accepted per window (account-wide). */
  readonly limit: number
  /** Window and lock-out length in millis. Default 300000 (5 minutes, as documented). */
  readonly windowMillis?: number
  /** Send `Retry-After` (seconds until the lock-out ends) with 429s. InsideView does not document one. Default false. */
  readonly sendRetryAfter?: boolean
}

/**
 * What the usage endpoint reports besides the requests it counts.
 *
 * @since 0.2.0
 */
export interface UsageOptions {
  /** Default "sim-account". */
  readonly accountId?: string
  /** Default 1,000,000. */
  readonly allocatedCredits?: number
  /** Rows of usage reported as if earlier requests had made them. */
  readonly rows?: ReadonlyArray<{ readonly api: string; readonly transactions: number; readonly date: string }>
}

/**
 * Settings of the InsideView simulator: dataset, credentials and tokens,
 * throttling, wire formats and the ways its paging can misbehave.
 *
 * @since 0.1.0
 */
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
  /** The usage endpoint's account and credits. */
  readonly usage?: UsageOptions
}

/**
 * A change to the dataset during a walk (see `Mutations`).
 *
 * @since 0.1.0
 */
export type Mutation = Mutations.Mutation

/**
 * How a broken server answers `page`: "ignore-page" answers page 1 whatever
 * is asked; `{ stuckAt: n }` answers page n for every page after n.
 *
 * @since 0.2.0
 */
export type PageFault = "ignore-page" | { readonly stuckAt: number }

/**
 * A running InsideView simulator: its dataset and tokens, and the controls a
 * test uses to change them.
 *
 * @since 0.1.0
 */
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
  /** Usage requests that reached the handler with a valid token and were not throttled. */
  readonly usageRequests: number
  /** Most list requests in the handler at once (meaningful with `handlerDelayMillis`). */
  readonly peakConcurrency: number
  /** Adds `n` new (newest) jobs; returns them. */
  addJobs(n: number): ReadonlyArray<InsideViewJob>
  /** Removes the `n` newest jobs; returns them. */
  removeJobs(n: number): ReadonlyArray<InsideViewJob>
  /** Removes the `n` oldest jobs; returns them. */
  removeOldestJobs(n: number): ReadonlyArray<InsideViewJob>
  /** Moves one job to another `jobStatus` ("processing", "finished", …); false when there is no such job. */
  setJobStatus(jobId: string, status: string): boolean
  /** Makes every token (issued and static) invalid: the next calls get 401. */
  revokeAllTokens(): void
  /** Marks the issued tokens as expired: they get 401 from now on. */
  expireIssuedTokens(): void
  /** Ends the current throttling window and lock-out. */
  resetThrottle(): void
}

export { formatExpirationTime, insideViewJobs, jobStatusByCode, jobTypesByCode, messages } from "./internal/insideview/data.js"

// ---------------------------------------------------------------------------
// Server

const listPath = "/api/v1/admin/jobs"
const usagePath = "/api/v1/admin/usage"
const tokenPaths = new Set(["/Auth/login/v1/token", "/Auth/login/v1/token.json"])

const sleep = (millis: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, millis))

/**
 * Starts the simulator.
 *
 * @since 0.1.0
 */
export const startInsideView = async (options: InsideViewOptions = {}): Promise<InsideViewServer> => {
  const seed = options.seed ?? 1
  const list = Data.jobList(
    options.records !== undefined ? options.records.slice() : Data.insideViewJobs(options.jobs ?? 16788, seed),
    seed,
    options.order === "oldest-first"
  )
  const delay = options.handlerDelayMillis ?? 0
  const idRng = Seed.rng(Seed.derive(seed, 0x7fff_0000))
  const auth = Auth.tokens(options, idRng)
  const throttle = Auth.throttle(options.throttle)
  const mutate = Mutations.schedule(options.mutations, {
    add: list.addJobs,
    remove: list.removeJobs,
    removeOldest: list.removeOldestJobs
  })
  const usage = Usage.ledger(options.usage)
  let listRequests = 0
  let usageRequests = 0
  let inFlight = 0
  let peak = 0

  const listPage = (req: SimRequest, asJson: boolean, diagnostic: string): SimResponse => {
    const q = Wire.readQuery(req.query)
    if (q === undefined) return Wire.errorResponse(asJson, 400, Data.messages.badRequest, diagnostic)
    const selected = list.select(Wire.filterKey(q), (job) => Wire.matches(job, q))
    const fault = options.pageFault
    const served = fault === undefined ? q.page : fault === "ignore-page" ? 1 : Math.min(q.page, fault.stuckAt)
    const from = (served - 1) * q.resultsPerPage
    const format = {
      asJson,
      jsonNumbers: options.jsonNumbers ?? "string",
      layout: options.xmlLayout ?? "documented",
      omitTotal: options.omitTotal === true
    } as const
    return Wire.pageResponse(format, selected.slice(from, from + q.resultsPerPage), served, q.resultsPerPage, selected.length)
  }

  const handler = async (req: SimRequest): Promise<SimResponse> => {
    const asJson = Wire.wantsJson(req)
    const diagnostic = Seed.id(idRng, 20)
    if (tokenPaths.has(req.path)) return auth.login(req, asJson, diagnostic)
    if (req.path !== listPath && req.path !== usagePath) return Wire.errorResponse(asJson, 404, Data.messages.notFound, diagnostic)
    if (req.method !== "GET") return Wire.errorResponse(asJson, 405, Data.messages.methodNotAllowed, diagnostic)
    if (auth.check(req.headers["accesstoken"]) !== "ok") {
      return Wire.errorResponse(asJson, 401, Data.messages.unauthorized, diagnostic)
    }
    const lockedFor = throttle.count(Date.now())
    if (lockedFor !== undefined) {
      const headers: Record<string, string> = options.throttle?.sendRetryAfter === true ? { "Retry-After": String(lockedFor) } : {}
      return Wire.errorResponse(asJson, 429, Data.messages.throttled, diagnostic, headers)
    }
    usage.count(req.path.slice("/api/v1/".length), Date.now())
    if (req.path === usagePath) {
      usageRequests++
      return usage.answer(req.query, asJson, list.jobs()) ?? Wire.errorResponse(asJson, 400, Data.messages.badRequest, diagnostic)
    }
    listRequests++
    inFlight++
    peak = Math.max(peak, inFlight)
    try {
      if (delay > 0) await sleep(delay)
      mutate()
      return listPage(req, asJson, diagnostic)
    } finally {
      inFlight--
    }
  }

  return startWith(options, handler, () => ({
    get jobs(): ReadonlyArray<InsideViewJob> {
      return options.order === "oldest-first" ? list.jobs().slice().reverse() : list.jobs().slice()
    },
    get issuedTokens(): ReadonlyArray<string> {
      return auth.issued()
    },
    get logins(): number {
      return auth.logins()
    },
    get exhaustedTokenRejections(): number {
      return auth.exhausted()
    },
    get listRequests(): number {
      return listRequests
    },
    get usageRequests(): number {
      return usageRequests
    },
    get peakConcurrency(): number {
      return peak
    },
    addJobs: list.addJobs,
    removeJobs: list.removeJobs,
    removeOldestJobs: list.removeOldestJobs,
    setJobStatus: list.setJobStatus,
    revokeAllTokens: auth.revokeAll,
    expireIssuedTokens: auth.expireIssued,
    resetThrottle: throttle.reset
  }))
}

/**
 * Scoped variant of {@link startInsideView}: closed when the scope closes.
 *
 * @since 0.1.0
 */
export const makeInsideView: (options?: InsideViewOptions) => Effect.Effect<InsideViewServer, never, Scope.Scope> =
  scoped(startInsideView)
