/**
 * A simulator of the ICWS connection and data-extractor endpoints (feature
 * `data-extractor` version 2), faithful to the reference notes:
 *
 * - `POST /icws/connection` with `Accept-Language` and an
 *   `icAuthConnectionRequestSettings` body → 201 with `sessionId`/`csrfToken`
 *   in the body and in `ININ-ICWS-Session-ID`/`ININ-ICWS-CSRF-Token`, plus
 *   two `Set-Cookie` lines; bad credentials → 400; a server that is "not
 *   accepting connections" → 503 with `alternateHostList`.
 * - Every `/icws/{sessionId}/…` call needs the CSRF header and the session
 *   cookie; otherwise (or once the session is expired) → 401 with
 *   `WWW-Authenticate: ICWS realm="ICWS" location="/ICWS/connection"`.
 * - `DELETE /icws/{sessionId}/connection` ends the session (204).
 * - Jobs: list (newest first, `jobCount` default 30, `fromJobId` = the jobs
 *   before that one, `jobsResponseMode` default status), get (mode default
 *   all), submit (201 `{id}`), cancel (queued/running only; other users' jobs
 *   → 403). A job moves submitted → queued → started → finished (or failed)
 *   one step per poll of that job (after answering), or with `tick()`.
 * - Retired paths answer 410. Error bodies are `{ errorId, message }`.
 * - Bodies use `application/vnd.inin.icws+json`.
 *
 * Knobs let tests expire sessions, rotate cookies, switch to 503 with
 * alternates, change the jobs while a list is read (`mutations`), make the
 * cursor misbehave (`cursorMode`), and fix a job's outcome.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import type { FaultRule } from "./Faults.js"
import * as Mutations from "./Mutations.js"
import * as Seed from "./Seed.js"
import { start } from "./Server.js"
import type { Latency, RunningServer, SimRequest, SimResponse } from "./Server.js"

export const mediaType = "application/vnd.inin.icws+json"

/** Numeric job states (`urn:inin.com:dataExtractor:state`). */
export const State = { submitted: 0, queued: 1, started: 2, failed: 3, canceled: 4, finished: 5 } as const
export type StateValue = (typeof State)[keyof typeof State]

export interface IcwsColumn {
  name: string
}
export interface IcwsSource {
  name: string
  dateTimeFilterColumn?: string
  siteIdFilterColumn?: string
  column: Array<IcwsColumn>
}
export interface IcwsJobConfig {
  name: string
  submittedUserId: string
  id?: string
  tables?: { tableList: Array<IcwsSource> }
  views?: { viewList: Array<IcwsSource> }
  startTimeFilter?: string
  endTimeFilter?: string
  siteIdFilters?: Array<{ name?: string }>
}
export interface IcwsJobStatus {
  name: string
  submittedUserId: string
  id: string
  submittedUserSiteId: number
  state: StateValue
  submitTime?: string
  queuedTime?: string
  startedTime?: string
  failedTime?: string
  canceledTime?: string
  finishedTime?: string
  stateChangedTime?: string
  cancelUserId?: string
  outputFolder?: string
  errorInfo?: string
}
/** A job held by the simulator (mutable: the simulator moves it along). */
export interface IcwsSimJob {
  status: IcwsJobStatus
  config: IcwsJobConfig
  /** Where an active job ends up. */
  outcome: "finished" | "failed" | "canceled"
  /** The `errorInfo` a failed (or canceled) job gets. */
  errorInfo?: string
  /** Polls of this job since its last state change. */
  polls: number
}

export interface IcwsSessionRecord {
  readonly sessionId: string
  readonly csrfToken: string
  /** Cookie name → current value. */
  readonly cookies: Map<string, string>
  readonly userId: string
  readonly createdAt: number
  expired: boolean
  /** Set the next response's cookies to new values. */
  rotatePending: boolean
}

export interface IcwsOptions {
  /** Seeded jobs. Default 75. */
  readonly jobs?: number
  /** Dataset and fault seed. Default 1. */
  readonly seed?: number
  readonly latency?: Latency
  readonly faults?: ReadonlyArray<FaultRule>
  /** Accepted user → password. Default `{ agent: "s3cret-pw" }`. */
  readonly users?: Readonly<Record<string, string>>
  /** Name in `icServer` and the node cookie. Default "cic-primary". */
  readonly serverName?: string
  /** When set, every connect gets 503 with these alternates. */
  readonly alternateHostList?: ReadonlyArray<string>
  /** Put sessionId/csrfToken only in headers, not in the body. Default false. */
  readonly tokensInHeadersOnly?: boolean
  /** Polls of a job per state step. Default 1 (0 = only `tick()` moves jobs). */
  readonly pollsPerStep?: number
  /** Paths (after `/icws/{sessionId}`) that answer 410. Default `["/data-extractor/job-list"]`. */
  readonly retiredPaths?: ReadonlyArray<string>
  /**
   * Changes to the jobs during a walk, counted in list requests: `add` new
   * (newest) jobs, which appear at the front of the newest-first list;
   * `remove` the newest; `removeOldest` the oldest.
   */
  readonly mutations?: ReadonlyArray<Mutations.Mutation>
  /** How the list treats `fromJobId` (see {@link CursorMode}). Default "honor". */
  readonly cursorMode?: CursorMode
  /**
   * Serve the API under this path prefix (e.g. "/gateway", as behind a
   * reverse proxy): `/gateway/icws/…`; paths outside it answer 404. Default none.
   */
  readonly pathPrefix?: string
  /** Serve HTTPS with this key and certificate (e.g. `Tls.selfSigned`). Default plain HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string }
  /**
   * Every Nth authenticated response of a session carries a new session cookie
   * (`Set-Cookie`); requests still carrying the old one get 401. Default: never.
   */
  readonly rotateCookiesEvery?: number
}

/**
 * How the list treats `fromJobId`:
 * - "honor": the `jobCount` jobs after (older than) that job;
 * - "ignore": always the newest jobs, whatever the cursor;
 * - "inclusive": starts at that job itself (each page repeats the last one of the page before);
 * - "wrap": never ends: past the oldest job it starts again from the newest, every page full.
 */
export type CursorMode = "honor" | "ignore" | "inclusive" | "wrap"

export interface IcwsServer extends RunningServer {
  /** Jobs, oldest first (the list serves them newest first). */
  readonly jobs: ReadonlyArray<IcwsSimJob>
  /** Every session ever created, in order. */
  readonly createdSessions: ReadonlyArray<IcwsSessionRecord>
  /** Session IDs deleted with `DELETE …/connection`, in order. */
  readonly deletedSessions: ReadonlyArray<string>
  /** Sessions neither deleted nor expired. */
  readonly activeSessions: ReadonlyArray<IcwsSessionRecord>
  /** Responses that carried a rotated session cookie. */
  readonly cookieRotations: number
  /** Host entry of this server as an alternate ("127.0.0.1:port"). */
  readonly hostEntry: string
  /** Every live session answers 401 from its next call on. */
  expireSessions(): void
  /** The next response of each live session sets new cookie values (old ones then fail). */
  rotateCookies(): void
  /** Switch "not accepting connections" (503 + alternates) on, or off with undefined. */
  setAlternates(hosts: ReadonlyArray<string> | undefined): void
  /** Make the list ignore `fromJobId` (a buggy cursor): `setCursorMode("ignore")`, or "honor" with false. */
  setIgnoreCursor(ignore: boolean): void
  /** Change how the list treats `fromJobId` from now on. */
  setCursorMode(mode: CursorMode): void
  /**
   * Fix how an active job ends; a failed job gets `errorInfo` (default "The
   * extraction failed."), a canceled one is canceled by "supervisor".
   */
  setOutcome(jobId: string, outcome: "finished" | "failed" | "canceled", errorInfo?: string): void
  /** Move every active job `steps` states forward. */
  tick(steps?: number): void
  /** Make a path (after `/icws/{sessionId}`) answer 410. */
  retire(path: string): void
}

// ---------------------------------------------------------------------------

const icws = (status: number, value: unknown, headers?: Record<string, string | ReadonlyArray<string>>): SimResponse => ({
  status,
  headers: { "Content-Type": `${mediaType}; charset=utf-8`, ...headers },
  body: JSON.stringify(value)
})

const error = (status: number, errorId: string, message: string, headers?: Record<string, string>): SimResponse =>
  icws(status, { errorId, message }, headers)

const unauthorized = (message: string): SimResponse =>
  error(401, "error.request.unauthorized", message, {
    "WWW-Authenticate": `ICWS realm="ICWS" location="/ICWS/connection"`
  })

/** Writes a date in the extended or compact ICWS form. */
const formatDate = (ms: number, compact: boolean): string => {
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")
  return compact ? iso.replace(/[-:]/g, "") : iso
}

const epoch = Date.UTC(2024, 2, 1, 8, 0, 0)
const tableNames = ["IWrkgrpQueueStats", "IAgentQueueStats", "InteractionSummary", "IStatsGroup", "AgentActivityLog"]
const viewNames = ["InteractionSummaryView", "AgentActivityView"]
const userIds = ["agent", "agent", "agent", "supervisor"]

const seededJobs = (count: number, seed: number): Array<IcwsSimJob> =>
  Seed.dataset(count, seed, (index, r) => {
    const id = `${Seed.id(r, 8, "0123456789abcdef")}-${String(index + 1).padStart(5, "0")}`
    const compact = index % 2 === 1
    const submitted = epoch + index * 600_000 + Seed.int(r, 0, 59) * 1000
    const user = Seed.pick(r, userIds)
    // Older jobs are done; the newest few are still moving.
    const fromEnd = count - 1 - index
    const roll = Seed.int(r, 0, 9)
    const state: StateValue = fromEnd < 3
      ? Seed.pick(r, [State.submitted, State.queued, State.started])
      : roll < 7
      ? State.finished
      : roll < 9
      ? State.failed
      : State.canceled
    const table = Seed.pick(r, tableNames)
    const status: IcwsJobStatus = {
      name: `extract-${table.toLowerCase()}-${index + 1}`,
      submittedUserId: user,
      id,
      submittedUserSiteId: 1,
      state,
      submitTime: formatDate(submitted, compact),
      stateChangedTime: formatDate(submitted + 120_000, compact)
    }
    if (state >= State.queued) status.queuedTime = formatDate(submitted + 30_000, compact)
    if (state >= State.started) status.startedTime = formatDate(submitted + 60_000, compact)
    if (state === State.finished) {
      status.finishedTime = formatDate(submitted + 120_000, compact)
      status.outputFolder = `D:\\I3\\IC\\DataExtractor\\${id}`
    }
    if (state === State.failed) {
      status.failedTime = formatDate(submitted + 120_000, compact)
      status.errorInfo = "The database connection was lost during extraction."
    }
    if (state === State.canceled) {
      status.canceledTime = formatDate(submitted + 120_000, compact)
      status.cancelUserId = user
    }
    const config: IcwsJobConfig = {
      name: status.name,
      submittedUserId: user,
      id,
      tables: {
        tableList: [{ name: table, dateTimeFilterColumn: "dIntervalStart", column: [{ name: "cName" }] }]
      },
      startTimeFilter: formatDate(epoch - 86_400_000, false),
      endTimeFilter: formatDate(epoch, false)
    }
    if (index % 5 === 0) {
      config.views = { viewList: [{ name: Seed.pick(r, viewNames), column: [{ name: "InteractionIDKey" }] }] }
    }
    if (index % 7 === 0) config.siteIdFilters = [{ name: "1" }]
    return { status, config, outcome: roll === 0 ? "failed" : "finished", polls: 0 }
  }) as Array<IcwsSimJob>

/** A job just submitted. */
const newJob = (config: IcwsJobConfig & { readonly id: string }, now: number): IcwsSimJob => ({
  status: {
    name: config.name,
    submittedUserId: config.submittedUserId,
    id: config.id,
    submittedUserSiteId: 1,
    state: State.submitted,
    submitTime: formatDate(now, false),
    stateChangedTime: formatDate(now, false)
  },
  config,
  outcome: /fail/i.test(config.name) ? "failed" : "finished",
  polls: 0
})

const isTerminal = (state: StateValue): boolean =>
  state === State.failed || state === State.canceled || state === State.finished

/** Moves a job one state forward, stamping the time of the change. */
const step = (job: IcwsSimJob, now: number): void => {
  const s = job.status
  const at = formatDate(now, false)
  switch (s.state) {
    case State.submitted:
      s.state = State.queued
      s.queuedTime = at
      break
    case State.queued:
      s.state = State.started
      s.startedTime = at
      break
    case State.started:
      if (job.outcome === "failed") {
        s.state = State.failed
        s.failedTime = at
        s.errorInfo = job.errorInfo ?? "The extraction failed."
      } else if (job.outcome === "canceled") {
        s.state = State.canceled
        s.canceledTime = at
        s.cancelUserId = "supervisor"
        if (job.errorInfo !== undefined) s.errorInfo = job.errorInfo
      } else {
        s.state = State.finished
        s.finishedTime = at
        s.outputFolder = `D:\\I3\\IC\\DataExtractor\\${s.id}`
      }
      break
    default:
      return
  }
  s.stateChangedTime = at
  job.polls = 0
}

const parseCookies = (header: string | undefined): Map<string, string> => {
  const out = new Map<string, string>()
  if (header === undefined) return out
  for (const part of header.split(";")) {
    const eq = part.indexOf("=")
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return out
}

const modes = new Set(["configuration", "status", "all"])

const render = (job: IcwsSimJob, mode: string) => {
  const out: Record<string, unknown> = {}
  if (mode === "status" || mode === "all") {
    out["jobStatus"] = { __type: "urn:inin.com:dataExtractor:jobStatus", ...job.status }
  }
  if (mode === "configuration" || mode === "all") {
    out["jobConfig"] = { __type: "urn:inin.com:dataExtractor:jobConfig", ...job.config }
  }
  return out
}

const validSource = (s: unknown): boolean => {
  if (typeof s !== "object" || s === null) return false
  const o = s as Record<string, unknown>
  return typeof o["name"] === "string" && Array.isArray(o["column"])
}

/** Starts the ICWS simulator. */
export const startIcws = async (options: IcwsOptions = {}): Promise<IcwsServer> => {
  const seed = options.seed ?? 1
  const r = Seed.rng(Seed.derive(seed, 0x1c35))
  const users = options.users ?? { agent: "s3cret-pw" }
  const serverName = options.serverName ?? "cic-primary"
  const pollsPerStep = options.pollsPerStep ?? 1
  const jobs = seededJobs(options.jobs ?? 75, seed)
  const byId = new Map(jobs.map((j) => [j.status.id, j] as const))
  const sessions = new Map<string, IcwsSessionRecord>()
  const created: Array<IcwsSessionRecord> = []
  const deleted: Array<string> = []
  const retired = new Set(options.retiredPaths ?? ["/data-extractor/job-list"])
  let alternates: ReadonlyArray<string> | undefined = options.alternateHostList
  let cursorMode: CursorMode = options.cursorMode ?? "honor"
  let submitted = 0
  const forget = (removed: ReadonlyArray<IcwsSimJob>) => {
    for (const job of removed) byId.delete(job.status.id)
  }
  const mutate = Mutations.schedule(options.mutations, {
    add: (n) => {
      for (let i = 0; i < n; i++) {
        submitted++
        const id = `${Seed.id(r, 8, "0123456789abcdef")}-n${String(submitted).padStart(4, "0")}`
        const config: IcwsJobConfig & { id: string } = {
          name: `added-${submitted}`,
          submittedUserId: "agent",
          id,
          tables: { tableList: [{ name: "IWrkgrpQueueStats", column: [{ name: "cName" }] }] }
        }
        const job = newJob(config, Date.now())
        jobs.push(job)
        byId.set(id, job)
      }
    },
    remove: (n) => forget(jobs.splice(Math.max(0, jobs.length - n), n)),
    removeOldest: (n) => forget(jobs.splice(0, n))
  })
  const rotateEvery = options.rotateCookiesEvery ?? 0
  const answered = new Map<string, number>()
  let rotations = 0

  const prefix = (options.pathPrefix ?? "").replace(/\/+$/, "")
  const cookieHeaders = (session: IcwsSessionRecord): Array<string> =>
    [...session.cookies].map(([name, value]) => `${name}=${value}; Path=${prefix}/icws; HttpOnly`)

  const connect = (req: SimRequest): SimResponse => {
    if (alternates !== undefined) {
      return icws(503, {
        __type: "urn:inin.com:connection:alternateHosts",
        errorId: "error.server.notAcceptingConnections",
        message: "The server is not accepting connections.",
        alternateHostList: alternates
      })
    }
    if ((req.headers["accept-language"] ?? "") === "") {
      return error(400, "error.request.missingHeader", "The Accept-Language header is required.")
    }
    let body: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(req.body)
      if (typeof parsed !== "object" || parsed === null) throw new Error("not an object")
      body = parsed as Record<string, unknown>
    } catch {
      return error(400, "error.request.invalidRepresentation", "The request body could not be parsed.")
    }
    if (body["__type"] !== "urn:inin.com:connection:icAuthConnectionRequestSettings") {
      return error(400, "error.request.invalidRepresentation.invalidType", "Unsupported connection request type.")
    }
    for (const property of ["applicationName", "userID", "password"]) {
      if (typeof body[property] !== "string" || body[property] === "") {
        return icws(400, {
          __type: "urn:inin.com:common:missingPropertyError",
          errorId: "error.request.invalidRepresentation.missingProperty",
          message: `The property ${property} is required.`,
          propertyName: property
        })
      }
    }
    const user = body["userID"] as string
    if (users[user] === undefined || users[user] !== body["password"]) {
      return error(400, "error.request.connection.authenticationFailure", "The authentication process failed.")
    }
    const sessionId = String(Seed.int(r, 100_000_000, 999_999_999))
    const session: IcwsSessionRecord = {
      sessionId,
      csrfToken: Seed.id(r, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
      cookies: new Map([
        [`icws_${sessionId}`, Seed.id(r, 32, "0123456789abcdef")],
        ["ININ-ICWS-Node", serverName]
      ]),
      userId: user,
      createdAt: Date.now(),
      expired: false,
      rotatePending: false
    }
    sessions.set(sessionId, session)
    created.push(session)
    const response: Record<string, unknown> = {
      __type: "urn:inin.com:connection:connectionResponse",
      userID: user,
      userDisplayName: user === "agent" ? "Agent Smith" : user,
      icServer: serverName,
      alternateHostList: [],
      version: { majorVersion: 20, minorVersion: 3, su: 0, codebase: "2020 R3" }
    }
    if (options.tokensInHeadersOnly !== true) {
      response["sessionId"] = sessionId
      response["csrfToken"] = session.csrfToken
    }
    return icws(201, response, {
      "ININ-ICWS-Session-ID": sessionId,
      "ININ-ICWS-CSRF-Token": session.csrfToken,
      "Set-Cookie": cookieHeaders(session)
    })
  }

  /** Checks the session, CSRF token and cookies of a session call. */
  const authenticate = (req: SimRequest, sessionId: string): IcwsSessionRecord | SimResponse => {
    const session = sessions.get(sessionId)
    if (session === undefined) return unauthorized("The session is not valid.")
    if (session.expired) {
      sessions.delete(sessionId)
      return unauthorized("The session has expired.")
    }
    if (req.headers["inin-icws-csrf-token"] !== session.csrfToken) {
      return unauthorized("The CSRF token is missing or invalid.")
    }
    const sent = parseCookies(req.headers["cookie"])
    const sessionCookie = `icws_${sessionId}`
    if (sent.get(sessionCookie) !== session.cookies.get(sessionCookie)) {
      return unauthorized("The session cookie is missing or invalid.")
    }
    return session
  }

  /** Adds rotated cookies to a session response when a rotation is pending (or due). */
  const withCookies = (session: IcwsSessionRecord, response: SimResponse): SimResponse => {
    const count = (answered.get(session.sessionId) ?? 0) + 1
    answered.set(session.sessionId, count)
    if (rotateEvery > 0 && count % rotateEvery === 0) session.rotatePending = true
    if (!session.rotatePending) return response
    session.rotatePending = false
    rotations++
    session.cookies.set(`icws_${session.sessionId}`, Seed.id(r, 32, "0123456789abcdef"))
    return { ...response, headers: { ...response.headers, "Set-Cookie": cookieHeaders(session) } }
  }

  const listJobs = (req: SimRequest): SimResponse => {
    const mode = req.query.get("jobsResponseMode") ?? "status"
    if (!modes.has(mode)) return error(400, "error.request.invalidParameter", `Invalid jobsResponseMode ${mode}.`)
    const rawCount = req.query.get("jobCount")
    let count = 30
    if (rawCount !== null) {
      if (!/^\d+$/.test(rawCount) || Number(rawCount) < 1) {
        return error(400, "error.request.invalidParameter", "jobCount must be a positive integer.")
      }
      count = Number(rawCount)
    }
    mutate()
    const newestFirst = [...jobs].reverse()
    let from = 0
    const fromJobId = req.query.get("fromJobId")
    if (fromJobId !== null && cursorMode !== "ignore") {
      const at = newestFirst.findIndex((j) => j.status.id === fromJobId)
      if (at < 0) return error(400, "error.request.invalidParameter", `Unknown fromJobId ${fromJobId}.`)
      from = cursorMode === "inclusive" ? at : at + 1
    }
    const page = cursorMode === "wrap" && newestFirst.length > 0
      ? Array.from({ length: count }, (_, i) => newestFirst[(from + i) % newestFirst.length]!)
      : newestFirst.slice(from, from + count)
    return icws(200, {
      __type: "urn:inin.com:dataExtractor:jobs",
      jobList: page.map((j) => render(j, mode))
    })
  }

  const submitJob = (req: SimRequest): SimResponse => {
    let body: Record<string, unknown>
    try {
      const parsed: unknown = JSON.parse(req.body)
      if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("not an object")
      body = parsed as Record<string, unknown>
    } catch {
      return error(400, "error.request.invalidRepresentation", "The request body could not be parsed.")
    }
    for (const property of ["name", "submittedUserId"]) {
      if (typeof body[property] !== "string") {
        return icws(400, {
          __type: "urn:inin.com:common:missingPropertyError",
          errorId: "error.request.invalidRepresentation.missingProperty",
          message: `The property ${property} is required.`,
          propertyName: property
        })
      }
    }
    const tables = (body["tables"] as { tableList?: unknown } | undefined)?.tableList ?? []
    const views = (body["views"] as { viewList?: unknown } | undefined)?.viewList ?? []
    if (!Array.isArray(tables) || !Array.isArray(views) || ![...tables, ...views].every(validSource)) {
      return error(400, "error.request.invalidRepresentation.invalidProperty", "Invalid table or view list.")
    }
    submitted++
    const id = `${Seed.id(r, 8, "0123456789abcdef")}-n${String(submitted).padStart(4, "0")}`
    const config = { ...(body as unknown as IcwsJobConfig), id }
    delete (config as { __type?: unknown }).__type
    const job = newJob(config, Date.now())
    jobs.push(job)
    byId.set(id, job)
    return icws(201, { __type: "urn:inin.com:dataExtractor:jobReponse", id })
  }

  const jobRoute = (req: SimRequest, session: IcwsSessionRecord, jobId: string): SimResponse => {
    const job = byId.get(jobId)
    if (job === undefined) return error(404, "error.request.notFound", `The job ${jobId} was not found.`)
    if (req.method === "GET") {
      const mode = req.query.get("jobsResponseMode") ?? "all"
      if (!modes.has(mode)) return error(400, "error.request.invalidParameter", `Invalid jobsResponseMode ${mode}.`)
      const response = icws(200, render(job, mode))
      // Answer first, then move the job along, so every state is seen once.
      if (pollsPerStep > 0 && !isTerminal(job.status.state)) {
        job.polls++
        if (job.polls >= pollsPerStep) step(job, Date.now())
      }
      return response
    }
    if (req.method === "DELETE") {
      if (job.status.submittedUserId !== session.userId) {
        return error(403, "error.request.accessDenied", "You do not have permission to cancel this job.")
      }
      if (isTerminal(job.status.state)) {
        return error(400, "error.dataExtractor.jobNotActive", "Only a queued or running job can be canceled.")
      }
      const at = formatDate(Date.now(), false)
      job.status.state = State.canceled
      job.status.canceledTime = at
      job.status.stateChangedTime = at
      job.status.cancelUserId = session.userId
      return { status: 200 }
    }
    return error(405, "error.request.methodNotAllowed", "Method not allowed.")
  }

  const handler = (req: SimRequest): SimResponse => {
    if (prefix !== "" && !req.path.startsWith(`${prefix}/`)) return error(404, "error.request.notFound", "No such resource.")
    const segments = req.path.slice(prefix.length).split("/").filter((s) => s !== "")
    if (segments[0]?.toLowerCase() !== "icws") return error(404, "error.request.notFound", "No such resource.")
    if (segments.length === 2 && segments[1] === "connection") {
      return req.method === "POST" ? connect(req) : error(405, "error.request.methodNotAllowed", "Use POST.")
    }
    const sessionId = segments[1]
    if (sessionId === undefined) return error(404, "error.request.notFound", "No such resource.")
    const auth = authenticate(req, sessionId)
    if (!("sessionId" in auth)) return auth
    const session = auth
    const rest = `/${segments.slice(2).join("/")}`
    if (retired.has(rest)) {
      return withCookies(session, error(410, "error.request.gone", "This resource has been removed from the API."))
    }
    if (rest === "/connection") {
      if (req.method === "DELETE") {
        sessions.delete(sessionId)
        deleted.push(sessionId)
        return { status: 204 }
      }
      if (req.method === "GET") {
        return withCookies(session, icws(200, { __type: "urn:inin.com:connection:connectionSettings", connectionState: 1 }))
      }
      return error(405, "error.request.methodNotAllowed", "Method not allowed.")
    }
    if (rest === "/data-extractor/jobs") {
      if (req.method === "GET") return withCookies(session, listJobs(req))
      if (req.method === "POST") return withCookies(session, submitJob(req))
      return error(405, "error.request.methodNotAllowed", "Method not allowed.")
    }
    if (segments[2] === "data-extractor" && segments[3] === "jobs" && segments.length === 5) {
      return withCookies(session, jobRoute(req, session, decodeURIComponent(segments[4]!)))
    }
    return withCookies(session, error(404, "error.request.notFound", "No such resource."))
  }

  const server = await start({
    handler,
    seed,
    latency: options.latency,
    faults: options.faults,
    ...(options.tls === undefined ? {} : { tls: options.tls })
  })
  const extra = {
    get jobs(): ReadonlyArray<IcwsSimJob> {
      return jobs
    },
    get createdSessions(): ReadonlyArray<IcwsSessionRecord> {
      return created.slice()
    },
    get deletedSessions(): ReadonlyArray<string> {
      return deleted.slice()
    },
    get activeSessions(): ReadonlyArray<IcwsSessionRecord> {
      return [...sessions.values()].filter((s) => !s.expired)
    },
    get cookieRotations(): number {
      return rotations
    },
    hostEntry: `127.0.0.1:${server.port}`,
    expireSessions() {
      for (const s of sessions.values()) s.expired = true
    },
    rotateCookies() {
      for (const s of sessions.values()) s.rotatePending = true
    },
    setAlternates(hosts: ReadonlyArray<string> | undefined) {
      alternates = hosts
    },
    setIgnoreCursor(ignore: boolean) {
      cursorMode = ignore ? "ignore" : "honor"
    },
    setCursorMode(mode: CursorMode) {
      cursorMode = mode
    },
    setOutcome(jobId: string, outcome: "finished" | "failed" | "canceled", errorInfo?: string) {
      const job = byId.get(jobId)
      if (job === undefined) return
      job.outcome = outcome
      if (errorInfo !== undefined) job.errorInfo = errorInfo
    },
    tick(steps = 1) {
      const now = Date.now()
      for (let i = 0; i < steps; i++) for (const job of jobs) step(job, now)
    },
    retire(path: string) {
      retired.add(path)
    }
  }
  // Attach in place: spreading would freeze the server's log getters.
  return Object.defineProperties(server, Object.getOwnPropertyDescriptors(extra)) as IcwsServer
}

/** Scoped variant of `startIcws`: the server closes with the scope. */
export const makeIcws = (options?: IcwsOptions): Effect.Effect<IcwsServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startIcws(options)),
    (server) => Effect.promise(() => server.close())
  )
