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
 *
 * @since 0.1.0
 * @module
 */
import type { Effect, Scope } from "effect"
import type { FaultRule } from "./Faults.js"
import type { StateValue } from "./internal/icws/data.js"
import * as Jobs from "./internal/icws/jobs.js"
import * as Sessions from "./internal/icws/sessions.js"
import * as Wire from "./internal/icws/wire.js"
import { scoped, startWith } from "./internal/simulator.js"
import type * as Mutations from "./Mutations.js"
import * as Seed from "./Seed.js"
import type { Latency, RunningServer, SimRequest, SimResponse } from "./Server.js"

export { mediaType, State, type StateValue } from "./internal/icws/data.js"
import { State as SimState } from "./internal/icws/data.js"

/**
 * A column of a table or view in a simulated job's configuration.
 *
 * @since 0.1.0
 */
export interface IcwsColumn {
  name: string
}
/**
 * A table or view a simulated job extracts, with its filter columns.
 *
 * @since 0.1.0
 */
export interface IcwsSource {
  name: string
  dateTimeFilterColumn?: string
  siteIdFilterColumn?: string
  column: Array<IcwsColumn>
}
/**
 * A simulated job's configuration, as submitted and as `jobConfig` returns it.
 *
 * @since 0.1.0
 */
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
/**
 * A simulated job's status, as `jobStatus` returns it (times as wire text).
 *
 * @since 0.1.0
 */
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
/**
 * A job held by the simulator (mutable: the simulator moves it along).
 *
 * @since 0.1.0
 */
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

/**
 * One session the simulator opened: its ids and cookies, and whether it is
 * expired or due for new cookies.
 *
 * @since 0.1.0
 */
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

/**
 * Settings of the ICWS simulator: dataset, users, alternates, how jobs move
 * and how the session and the list may misbehave.
 *
 * @since 0.1.0
 */
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
 *
 * @since 0.2.0
 */
export type CursorMode = "honor" | "ignore" | "inclusive" | "wrap"

/**
 * A running ICWS simulator: its jobs and sessions, and the controls a test
 * uses to expire, rotate or redirect them.
 *
 * @since 0.1.0
 */
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
  /** Put one job in a state ("submitted", "queued", "started", "failed", "canceled", "finished"); false when there is no such job. */
  setJobState(jobId: string, state: keyof typeof SimState): boolean
  /** Make a path (after `/icws/{sessionId}`) answer 410. */
  retire(path: string): void
}

/**
 * Starts the ICWS simulator.
 *
 * @since 0.1.0
 */
export const startIcws = async (options: IcwsOptions = {}): Promise<IcwsServer> => {
  const r = Seed.rng(Seed.derive(options.seed ?? 1, 0x1c35))
  const sessions = Sessions.sessions(options, r)
  const jobs = Jobs.jobs(options, r)
  const retired = new Set(options.retiredPaths ?? ["/data-extractor/job-list"])
  const prefix = (options.pathPrefix ?? "").replace(/\/+$/, "")
  const notFound = () => Wire.error(404, "error.request.notFound", "No such resource.")
  const notAllowed = () => Wire.error(405, "error.request.methodNotAllowed", "Method not allowed.")

  /**
   * A call on a session, by the path after `/icws/{sessionId}`. Most answers
   * carry the session's cookies (and may rotate them); a logout and a 405
   * do not.
   */
  const sessionCall = (req: SimRequest, session: IcwsSessionRecord, segments: ReadonlyArray<string>): SimResponse => {
    const rest = `/${segments.slice(2).join("/")}`
    const withCookies = (response: SimResponse) => sessions.withCookies(session, response)
    if (retired.has(rest)) return withCookies(Wire.error(410, "error.request.gone", "This resource has been removed from the API."))
    if (rest === "/connection") {
      if (req.method === "DELETE") {
        sessions.logout(session.sessionId)
        return { status: 204 }
      }
      if (req.method !== "GET") return notAllowed()
      return withCookies(Wire.icws(200, { __type: "urn:inin.com:connection:connectionSettings", connectionState: 1 }))
    }
    if (rest === "/data-extractor/jobs") {
      if (req.method === "GET") return withCookies(jobs.list(req))
      if (req.method === "POST") return withCookies(jobs.submit(req))
      return notAllowed()
    }
    if (segments[2] === "data-extractor" && segments[3] === "jobs" && segments.length === 5) {
      return withCookies(jobs.one(req, session, decodeURIComponent(segments[4]!)))
    }
    return withCookies(notFound())
  }

  const handler = (req: SimRequest): SimResponse => {
    if (prefix !== "" && !req.path.startsWith(`${prefix}/`)) return notFound()
    const segments = req.path.slice(prefix.length).split("/").filter((s) => s !== "")
    if (segments[0]?.toLowerCase() !== "icws") return notFound()
    if (segments.length === 2 && segments[1] === "connection") {
      return req.method === "POST" ? sessions.connect(req) : Wire.error(405, "error.request.methodNotAllowed", "Use POST.")
    }
    const sessionId = segments[1]
    if (sessionId === undefined) return notFound()
    const session = sessions.authenticate(req, sessionId)
    return "sessionId" in session ? sessionCall(req, session, segments) : session
  }

  return startWith(options, handler, (server) => ({
    get jobs(): ReadonlyArray<IcwsSimJob> {
      return jobs.all()
    },
    get createdSessions(): ReadonlyArray<IcwsSessionRecord> {
      return sessions.created()
    },
    get deletedSessions(): ReadonlyArray<string> {
      return sessions.deleted()
    },
    get activeSessions(): ReadonlyArray<IcwsSessionRecord> {
      return sessions.active()
    },
    get cookieRotations(): number {
      return sessions.rotations()
    },
    hostEntry: `127.0.0.1:${server.port}`,
    expireSessions: sessions.expireAll,
    rotateCookies: sessions.rotateAll,
    setAlternates: sessions.setAlternates,
    setIgnoreCursor: (ignore: boolean) => jobs.setCursorMode(ignore ? "ignore" : "honor"),
    setCursorMode: jobs.setCursorMode,
    setOutcome: jobs.setOutcome,
    tick: (steps = 1) => jobs.tick(steps),
    setJobState: (jobId: string, state: keyof typeof SimState) => jobs.setState(jobId, SimState[state]),
    retire: (path: string) => {
      retired.add(path)
    }
  }))
}

/**
 * Scoped variant of `startIcws`: the server closes with the scope.
 *
 * @since 0.1.0
 */
export const makeIcws: (options?: IcwsOptions) => Effect.Effect<IcwsServer, never, Scope.Scope> = scoped(startIcws)
