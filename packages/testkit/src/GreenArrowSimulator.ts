/**
 * A GreenArrow Studio v2 Jobs API simulator.
 *
 * Routes (GET only):
 * - `/ga/api/v2/jobs/all`, `/ga/api/v2/jobs/unfinished`: the key's organization;
 *   a system-admin key sees every organization (as the older docs say).
 * - `/ga/api/v2/organizations/:id/jobs/all|unfinished`: one organization; an
 *   organization-admin key may only ask for its own.
 * - `/ga/api/v2/jobs/all_on_all_organizations`, `…/unfinished_on_all_organizations`:
 *   every organization, system-admin keys only.
 *
 * Every body is the envelope `{success, data, error_code, error_message}`.
 * Pagination follows the documented keys: `per_page` (default 2000, max 2000;
 * more gives `requested_too_many`), `page` (0-based) or `page_token` (opaque;
 * both together give `invalid_request`), and in the answer `page`/`page_token`,
 * `per_page`, `num_records`, `num_pages`, `next_page_token` (null on the last
 * page). Tokens are keyset cursors ("after job id N"), so token pages stay
 * contiguous when jobs are added or removed during a walk.
 *
 * Filters: `begins_at__after/__before`, `finished_at__after/__before` (ISO 8601
 * or a UNIX integer), `state`, `job_type`; multi-valued filters are read the way
 * `arrayParams` says (Rails' `state[]=` by default; a repeated plain key keeps
 * only its last value, as Rails does).
 *
 * Decisions where the docs are silent:
 * - a missing or wrong `Authorization` gives HTTP 401 with
 *   `{success:false, error_code:"not_authorized", …}`;
 * - a key without authority for a route gives HTTP 403 with `not_authorized`;
 * - other failures use 400 (`invalid_request`, `requested_too_many`) and 404
 *   (`not_found`), unless `errorsInOk` is set, in which case every failure is
 *   an HTTP 200 carrying `success: false` (what the published examples suggest);
 * - "unfinished" means any state other than finished, failed and cancelled;
 * - `legacy` mode answers like the 2014 docs: the whole listing in one
 *   envelope without any pagination keys, ignoring paging parameters.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import type { FaultRule } from "./Faults.js"
import * as Mutations from "./Mutations.js"
import * as Seed from "./Seed.js"
import { json, start } from "./Server.js"
import type { Latency, RunningServer, SimRequest, SimResponse } from "./Server.js"

/** One job, exactly as the simulator serialises it. */
export interface GreenArrowSimJob {
  readonly id: number
  readonly mailing_list_id: number | null
  readonly organization_id: number
  readonly suppression_list_id: number | null
  readonly state: string
  readonly state2: string | null
  readonly paused: boolean
  readonly name: string
  readonly progress_value: number | null
  readonly progress_total: number | null
  readonly job_type: string
  readonly begins_at: string | null
  readonly started_at: string | null
  readonly finished_at: string | null
  readonly created_at: string
  readonly retry_at: string | null
  readonly updated_at: string
}

/** An API key the simulator accepts. */
export interface GreenArrowSimKey {
  readonly organizationId: number
  readonly apiKey: string
  readonly role: "organization_admin" | "system_admin"
}

export interface GreenArrowSimOptions {
  /** Number of seeded jobs. Default 120. */
  readonly jobs?: number
  /** Organization ids the jobs are spread over. Default [1, 2, 3]. */
  readonly organizations?: ReadonlyArray<number>
  /** Accepted keys. Default: `defaultKeys`. */
  readonly keys?: ReadonlyArray<GreenArrowSimKey>
  /** Offset (minutes) used when writing each organization's timestamps. Default {2: -240} (org 2 writes "-04:00"). */
  readonly timezones?: Readonly<Record<number, number>>
  /** Answer without pagination keys, the whole listing at once. Default false. */
  readonly legacy?: boolean
  /** Report every failure as HTTP 200 with `success: false`. Default false. */
  readonly errorsInOk?: boolean
  /** How the server reads multi-valued filters. Default "brackets". */
  readonly arrayParams?: "brackets" | "repeat" | "comma"
  /** Default page size when `per_page` is absent. Default 2000. */
  readonly defaultPerPage?: number
  readonly seed?: number
  readonly latency?: Latency
  readonly faults?: ReadonlyArray<FaultRule>
  /**
   * Changes to the dataset during a walk, counted in list requests: `add`
   * new jobs (ids above every existing one, so the id-ordered listing grows
   * at its end), `remove` the newest (highest ids), `removeOldest` the lowest.
   */
  readonly mutations?: ReadonlyArray<Mutations.Mutation>
  /** How `page_token` misbehaves (see {@link TokenMode}). Default "normal". */
  readonly tokenMode?: TokenMode
  /**
   * How `page` misbehaves: "ignore-page" serves page 0 whatever is asked;
   * `{ stuckAt: n }` serves page n for every page after n.
   */
  readonly pageFault?: "ignore-page" | { readonly stuckAt: number }
  /** Serve HTTPS with this key and certificate (e.g. `Tls.selfSigned`). Default plain HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string }
}

/**
 * How the server hands out `next_page_token`:
 * - "normal": a keyset cursor, `null` on the last page;
 * - "stuck": always the same token (it leads back to the first page);
 * - "cycle": from the third page on, the token that led to the second page;
 * - "repeat": every token page names a fresh token for the same page again;
 * - "endless": never `null`: past the end, empty pages each naming a fresh token.
 */
export type TokenMode = "normal" | "stuck" | "cycle" | "repeat" | "endless"

export type GreenArrowServer = RunningServer & {
  /** The current dataset, sorted by id (a snapshot). */
  readonly jobs: ReadonlyArray<GreenArrowSimJob>
  readonly keys: ReadonlyArray<GreenArrowSimKey>
  /** `Basic base64("<org>:<key>")` for a key. */
  readonly basicAuth: (key: GreenArrowSimKey) => string
  /** Adds (or replaces, by id) jobs. */
  readonly upsertJobs: (jobs: ReadonlyArray<GreenArrowSimJob>) => void
  /** Removes a job by id. */
  readonly removeJob: (id: number) => void
  readonly setLegacy: (legacy: boolean) => void
  readonly setErrorsInOk: (inOk: boolean) => void
  /** From now on every `next_page_token` is the same string (`setTokenMode("stuck")`; false: "normal"). */
  readonly setStuckToken: (stuck: boolean) => void
  /** Changes how `next_page_token` is handed out from now on. */
  readonly setTokenMode: (mode: TokenMode) => void
  /** Leave `page_token`/`next_page_token` out of answers (a server that only pages by number). */
  readonly setNoTokens: (noTokens: boolean) => void
}

/** Default keys: an organization admin for orgs 1 and 2, and a system admin (org 1). */
export const defaultKeys: ReadonlyArray<GreenArrowSimKey> = [
  { organizationId: 1, apiKey: "5e96465c883f3309f0105a2e1076632b687e61d2", role: "organization_admin" },
  { organizationId: 2, apiKey: "0b1f3c9e2d4a5b6c7d8e9f00112233445566aabb", role: "organization_admin" },
  { organizationId: 1, apiKey: "sysadmin-6dcd4ce23d88e2ee9568ba546c007c63", role: "system_admin" }
]

const finishedStates: ReadonlySet<string> = new Set(["finished", "failed", "cancelled"])

const campaignStates = ["idle", "scheduled", "sending", "sending", "paused", "finished", "finished", "failed", "cancelled"]
const importStates = ["scheduled", "downloading", "splitting", "importing", "paused", "finished", "finished", "failed", "cancelled"]
const campaignNames = ["Daily Weather", "Weekly Digest", "Spring Sale", "Product Launch", "Re-engagement", "Newsletter"]

/** Base instant of the dataset. */
const epoch = Date.UTC(2024, 2, 1, 8, 0, 0)

/** Formats an instant in a zone offset (minutes), without milliseconds. */
export const formatTime = (ms: number, offsetMinutes: number): string => {
  if (offsetMinutes === 0) return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19)
  const sign = offsetMinutes < 0 ? "-" : "+"
  const abs = Math.abs(offsetMinutes)
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`
}

/** The deterministic seeded dataset. */
export const greenArrowJobs = (
  count: number,
  seed: number,
  organizations: ReadonlyArray<number> = [1, 2, 3],
  timezones: Readonly<Record<number, number>> = { 2: -240 }
): ReadonlyArray<GreenArrowSimJob> =>
  Seed.dataset(count, seed, (i, r) => {
    const org = Seed.pick(r, organizations)
    const tz = timezones[org] ?? 0
    const campaign = r() < 0.5
    const state = Seed.pick(r, campaign ? campaignStates : importStates)
    const created = epoch + i * 3_600_000 + Seed.int(r, 0, 59) * 60_000
    const begins = created + Seed.int(r, 1, 120) * 60_000
    const started = state === "idle" || state === "scheduled" ? null : begins + Seed.int(r, 0, 300) * 1000
    const finished = finishedStates.has(state) && started !== null ? started + Seed.int(r, 60, 7200) * 1000 : null
    const total = state === "scheduled" || state === "idle" ? null : Seed.int(r, 50, 20_000)
    const value = total === null ? 0 : finished !== null && state === "finished" ? total : Seed.int(r, 0, total)
    // A few scheduled jobs are individually paused: `paused: true` with another state word.
    const paused = state === "paused" || (state === "scheduled" && r() < 0.3)
    return {
      id: 1000 + i * 3,
      mailing_list_id: Seed.int(r, 10, 99),
      organization_id: org,
      suppression_list_id: r() < 0.5 ? null : Seed.int(r, 100, 199),
      state,
      state2: campaign && state === "sending" && r() < 0.4 ? "onhold_autowinner" : null,
      paused,
      name: campaign ? `${Seed.pick(r, campaignNames)} #${i + 1}` : `${Seed.int(r, 10, 5000)}-subscribers-${i + 1}.csv`,
      progress_value: value,
      progress_total: total,
      job_type: campaign ? "Campaign" : "SubscriberImport",
      begins_at: formatTime(begins, tz),
      started_at: started === null ? null : formatTime(started, tz),
      finished_at: finished === null ? null : formatTime(finished, tz),
      created_at: formatTime(created, tz),
      retry_at: state === "failed" && r() < 0.3 ? formatTime((finished ?? begins) + 600_000, tz) : null,
      updated_at: formatTime(finished ?? started ?? created + 30_000, tz)
    }
  })

// ---------------------------------------------------------------------------

interface Failure {
  readonly httpStatus: number
  readonly code: string
  readonly message: string
}

/** A keyset token: "after job id N", with an optional nonce that makes it a different string. */
const encodeToken = (afterId: number, nonce?: number): string =>
  Buffer.from(`after:${afterId}${nonce === undefined ? "" : `:${nonce}`}`, "utf8").toString("base64url")
const decodeToken = (token: string): number | undefined => {
  const match = /^after:(\d+)(?::\d+)?$/.exec(Buffer.from(token, "base64url").toString("utf8"))
  return match === null ? undefined : Number(match[1])
}

const parseTime = (text: string): number | undefined => {
  if (/^\d+$/.test(text)) return Number(text) * 1000
  if (!/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return undefined
  const ms = Date.parse(text)
  return Number.isNaN(ms) ? undefined : ms
}

const standardHeaders = (index: number): Record<string, string> => ({
  "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
  Pragma: "no-cache",
  Expires: "Fri, 01 Jan 1990 00:00:00 GMT",
  "X-UA-Compatible": "IE=Edge",
  "Set-Cookie": `_session_id=${index.toString(16).padStart(32, "0")}; path=/; HttpOnly`,
  "X-Request-Id": index.toString(16).padStart(32, "0"),
  "X-Runtime": "0.025540"
})

const decodeBasic = (header: string | undefined): { org: string; key: string } | undefined => {
  if (header === undefined) return undefined
  const match = /^Basic\s+(\S+)$/i.exec(header.trim())
  if (match === null) return undefined
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  if (colon < 0) return undefined
  return { org: decoded.slice(0, colon), key: decoded.slice(colon + 1) }
}

/** Starts the simulator. */
export const startGreenArrow = async (options: GreenArrowSimOptions = {}): Promise<GreenArrowServer> => {
  const seed = options.seed ?? 1
  const keys = options.keys ?? defaultKeys
  let jobs: Array<GreenArrowSimJob> = [
    ...greenArrowJobs(options.jobs ?? 120, seed, options.organizations, options.timezones)
  ].sort((a, b) => a.id - b.id)
  let legacy = options.legacy ?? false
  let errorsInOk = options.errorsInOk ?? false
  let tokenMode: TokenMode = options.tokenMode ?? "normal"
  let nonce = 0
  const initialCount = options.jobs ?? 120
  let added = 0
  const mutate = Mutations.schedule(options.mutations, {
    add: (n) => {
      const fresh = greenArrowJobs(initialCount + added + n, seed, options.organizations, options.timezones)
        .slice(initialCount + added)
      added += n
      jobs = [...jobs, ...fresh].sort((a, b) => a.id - b.id)
    },
    remove: (n) => {
      jobs = jobs.slice(0, Math.max(0, jobs.length - n))
    },
    removeOldest: (n) => {
      jobs = jobs.slice(n)
    }
  })
  let noTokens = false
  const arrayParams = options.arrayParams ?? "brackets"
  const defaultPerPage = options.defaultPerPage ?? 2000

  let currentIndex = 0
  const envelope = (status: number, body: Record<string, unknown>): SimResponse =>
    json(status, body, standardHeaders(currentIndex))
  const failure = (f: Failure): SimResponse =>
    envelope(errorsInOk ? 200 : f.httpStatus, {
      success: false,
      data: null,
      error_code: f.code,
      error_message: f.message
    })
  const fail = (httpStatus: number, code: string, message: string): Failure => ({ httpStatus, code, message })

  const listParam = (query: URLSearchParams, name: string): ReadonlyArray<string> | undefined => {
    const bracketed = query.getAll(`${name}[]`)
    switch (arrayParams) {
      case "brackets": {
        if (bracketed.length > 0) return bracketed
        const all = query.getAll(name)
        return all.length === 0 ? undefined : [all[all.length - 1]!]
      }
      case "repeat": {
        const all = query.getAll(name)
        return all.length === 0 ? undefined : all
      }
      case "comma": {
        const all = query.getAll(name)
        return all.length === 0 ? undefined : all[all.length - 1]!.split(",")
      }
    }
  }

  const intParam = (query: URLSearchParams, name: string): number | undefined | Failure => {
    const raw = query.get(name)
    if (raw === null || raw === "") return undefined
    if (!/^\d+$/.test(raw)) return fail(400, "invalid_request", `${name} must be a non-negative integer`)
    return Number(raw)
  }

  const handler = (req: SimRequest): SimResponse => {
    currentIndex = req.index
    const credentials = decodeBasic(req.headers["authorization"])
    const key = credentials === undefined
      ? undefined
      : keys.find((k) => String(k.organizationId) === credentials.org && k.apiKey === credentials.key)
    if (key === undefined) {
      return failure(fail(401, "not_authorized", "please specify a valid auth_id or auth_key"))
    }
    if (req.method !== "GET") return failure(fail(404, "not_found", "no such route"))

    // Which jobs does this route see?
    let visible: (job: GreenArrowSimJob) => boolean
    let which: string
    const own = /^\/ga\/api\/v2\/jobs\/(all|unfinished)$/.exec(req.path)
    const onAll = /^\/ga\/api\/v2\/jobs\/(all|unfinished)_on_all_organizations$/.exec(req.path)
    const byOrg = /^\/ga\/api\/v2\/organizations\/([^/]+)\/jobs\/(all|unfinished)$/.exec(req.path)
    if (own !== null) {
      which = own[1]!
      visible = key.role === "system_admin" ? () => true : (job) => job.organization_id === key.organizationId
    } else if (onAll !== null) {
      if (key.role !== "system_admin") {
        return failure(fail(403, "not_authorized", "this endpoint requires a system administrator API key"))
      }
      which = onAll[1]!
      visible = () => true
    } else if (byOrg !== null) {
      const orgId = Number(decodeURIComponent(byOrg[1]!))
      which = byOrg[2]!
      const known = jobs.some((j) => j.organization_id === orgId) || keys.some((k) => k.organizationId === orgId)
      if (!Number.isInteger(orgId) || !known) return failure(fail(404, "not_found", "organization not found"))
      if (key.role !== "system_admin" && orgId !== key.organizationId) {
        return failure(fail(403, "not_authorized", "not authorized for this organization"))
      }
      visible = (job) => job.organization_id === orgId
    } else {
      return failure(fail(404, "not_found", "no such route"))
    }

    // Filters.
    const q = req.query
    const timeFilters: Array<[keyof GreenArrowSimJob, "after" | "before", number]> = []
    for (const field of ["begins_at", "finished_at"] as const) {
      for (const side of ["after", "before"] as const) {
        const raw = q.get(`${field}__${side}`)
        if (raw === null) continue
        const ms = parseTime(raw)
        if (ms === undefined) {
          return failure(fail(400, "invalid_request", `${field}__${side} must be a UNIX integer timestamp or ISO-8601 datetime string`))
        }
        timeFilters.push([field, side, ms])
      }
    }
    const states = listParam(q, "state")
    const types = listParam(q, "job_type")
    const matches = (job: GreenArrowSimJob): boolean => {
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
    mutate()
    const selected = jobs.filter(matches)

    if (legacy) {
      return envelope(200, { success: true, data: selected, error_code: null, error_message: null })
    }

    // Pagination.
    const perPage = intParam(q, "per_page")
    if (typeof perPage === "object") return failure(perPage)
    const size = perPage ?? defaultPerPage
    if (size < 1) return failure(fail(400, "invalid_request", "per_page must be at least 1"))
    if (size > 2000) return failure(fail(400, "requested_too_many", "per_page must not be more than 2000"))
    const page = intParam(q, "page")
    if (typeof page === "object") return failure(page)
    const token = q.get("page_token")
    if (token !== null && page !== undefined) {
      return failure(fail(400, "invalid_request", "page and page_token must not be combined"))
    }
    const numRecords = selected.length
    const numPages = Math.ceil(numRecords / size)
    let slice: ReadonlyArray<GreenArrowSimJob>
    const position: Record<string, unknown> = {}
    let after: number | undefined
    if (token !== null && !noTokens) {
      after = decodeToken(token)
      if (after === undefined) return failure(fail(400, "invalid_request", "page_token is not valid"))
      const from = after
      slice = selected.filter((j) => j.id > from).slice(0, size)
      position["page_token"] = token
    } else {
      const asked = page ?? 0
      const fault = options.pageFault
      const n = fault === undefined ? asked : fault === "ignore-page" ? 0 : Math.min(asked, fault.stuckAt)
      slice = selected.slice(n * size, n * size + size)
      position["page"] = n
    }
    const last = slice[slice.length - 1]
    const more = last !== undefined && selected.some((j) => j.id > last.id)
    const normal = more && last !== undefined ? encodeToken(last.id) : null
    const next = ((): string | null => {
      switch (tokenMode) {
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
          return after === undefined ? normal : encodeToken(after, ++nonce)
        case "endless":
          return normal ?? encodeToken(last?.id ?? after ?? 0, ++nonce)
      }
    })()
    return envelope(200, {
      success: true,
      error_code: null,
      error_message: null,
      ...position,
      per_page: size,
      num_records: numRecords,
      num_pages: numPages,
      data: slice,
      ...(noTokens ? {} : { next_page_token: next })
    })
  }

  const server = await start({
    handler,
    seed,
    latency: options.latency,
    faults: options.faults,
    ...(options.tls === undefined ? {} : { tls: options.tls })
  })
  const extra = {
    get jobs(): ReadonlyArray<GreenArrowSimJob> {
      return jobs.slice()
    },
    keys,
    basicAuth: (k: GreenArrowSimKey) =>
      `Basic ${Buffer.from(`${k.organizationId}:${k.apiKey}`, "utf8").toString("base64")}`,
    upsertJobs: (added: ReadonlyArray<GreenArrowSimJob>) => {
      const ids = new Set(added.map((j) => j.id))
      jobs = [...jobs.filter((j) => !ids.has(j.id)), ...added].sort((a, b) => a.id - b.id)
    },
    removeJob: (id: number) => {
      jobs = jobs.filter((j) => j.id !== id)
    },
    setLegacy: (value: boolean) => {
      legacy = value
    },
    setErrorsInOk: (value: boolean) => {
      errorsInOk = value
    },
    setStuckToken: (value: boolean) => {
      tokenMode = value ? "stuck" : "normal"
    },
    setTokenMode: (mode: TokenMode) => {
      tokenMode = mode
    },
    setNoTokens: (value: boolean) => {
      noTokens = value
    }
  }
  // Attach in place (keeps the server's log getters live).
  return Object.defineProperties(server, Object.getOwnPropertyDescriptors(extra)) as GreenArrowServer
}

/** Scoped variant of `startGreenArrow`: closed when the scope closes. */
export const makeGreenArrow = (
  options?: GreenArrowSimOptions
): Effect.Effect<GreenArrowServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startGreenArrow(options)),
    (server) => Effect.promise(() => server.close())
  )
