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
 *
 * @since 0.1.0
 * @module
 */
import type { Effect, Scope } from "effect"
import type { FaultRule } from "./Faults.js"
import * as Data from "./internal/greenarrow/data.js"
import * as Wire from "./internal/greenarrow/wire.js"
import { scoped, startWith } from "./internal/simulator.js"
import * as Mutations from "./Mutations.js"
import { json } from "./Server.js"
import type { Latency, RunningServer, SimRequest, SimResponse } from "./Server.js"

/**
 * One job, exactly as the simulator serialises it.
 *
 * @since 0.1.0
 */
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

/**
 * An API key the simulator accepts.
 *
 * @since 0.1.0
 */
export interface GreenArrowSimKey {
  readonly organizationId: number
  readonly apiKey: string
  readonly role: "organization_admin" | "system_admin"
}

/**
 * Settings of the GreenArrow simulator: dataset, accepted keys, the old and
 * new response shapes, and the ways its pagination can misbehave.
 *
 * @since 0.1.0
 */
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
 *
 * @since 0.2.0
 */
export type TokenMode = "normal" | "stuck" | "cycle" | "repeat" | "endless"

/**
 * A running GreenArrow simulator, with its dataset, keys and the controls a
 * test changes while it runs.
 *
 * @since 0.1.0
 */
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
  /** Switches the old server shape (no pagination keys, the whole listing at once) on or off. */
  readonly setLegacy: (legacy: boolean) => void
  /** Switches reporting failures as HTTP 200 with `success: false` on or off. */
  readonly setErrorsInOk: (inOk: boolean) => void
  /** From now on every `next_page_token` is the same string (`setTokenMode("stuck")`; false: "normal"). */
  readonly setStuckToken: (stuck: boolean) => void
  /** Changes how `next_page_token` is handed out from now on. */
  readonly setTokenMode: (mode: TokenMode) => void
  /** Leave `page_token`/`next_page_token` out of answers (a server that only pages by number). */
  readonly setNoTokens: (noTokens: boolean) => void
}

export { defaultKeys, formatTime, greenArrowJobs } from "./internal/greenarrow/data.js"

/**
 * Starts the simulator.
 *
 * @since 0.1.0
 */
export const startGreenArrow = async (options: GreenArrowSimOptions = {}): Promise<GreenArrowServer> => {
  const seed = options.seed ?? 1
  const keys = options.keys ?? Data.defaultKeys
  const initialCount = options.jobs ?? 120
  const seeded = (count: number) => Data.greenArrowJobs(count, seed, options.organizations, options.timezones)
  let jobs: Array<GreenArrowSimJob> = [...seeded(initialCount)].sort((a, b) => a.id - b.id)
  let legacy = options.legacy ?? false
  let errorsInOk = options.errorsInOk ?? false
  let tokenMode: TokenMode = options.tokenMode ?? "normal"
  let noTokens = false
  let nonce = 0
  let added = 0
  const mutate = Mutations.schedule(options.mutations, {
    add: (n) => {
      const fresh = seeded(initialCount + added + n).slice(initialCount + added)
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
  const arrayParams = options.arrayParams ?? "brackets"

  const handler = (req: SimRequest): SimResponse => {
    const envelope = (status: number, body: Record<string, unknown>): SimResponse =>
      json(status, body, Wire.standardHeaders(req.index))
    const failure = (f: Wire.Failure): SimResponse =>
      envelope(errorsInOk ? 200 : f.httpStatus, { success: false, data: null, error_code: f.code, error_message: f.message })
    const key = Wire.keyOf(req.headers["authorization"], keys)
    if (key === undefined) return failure(Wire.fail(401, "not_authorized", "please specify a valid auth_id or auth_key"))
    if (req.method !== "GET") return failure(Wire.fail(404, "not_found", "no such route"))
    const routed = Wire.route(req.path, key, jobs, keys)
    if (Wire.isFailure(routed)) return failure(routed)
    const matches = Wire.filter(req.query, arrayParams, routed.which, routed.visible)
    if (Wire.isFailure(matches)) return failure(matches)
    mutate()
    const selected = jobs.filter(matches)
    if (legacy) return envelope(200, { success: true, data: selected, error_code: null, error_message: null })
    const fields = Wire.page(req.query, selected, {
      defaultPerPage: options.defaultPerPage ?? 2000,
      pageFault: options.pageFault,
      noTokens,
      tokenMode,
      nonce: () => ++nonce
    })
    if (Wire.isFailure(fields)) return failure(fields)
    return envelope(200, { success: true, error_code: null, error_message: null, ...fields })
  }

  return startWith(options, handler, () => ({
    get jobs(): ReadonlyArray<GreenArrowSimJob> {
      return jobs.slice()
    },
    keys,
    basicAuth: (k: GreenArrowSimKey) => `Basic ${Buffer.from(`${k.organizationId}:${k.apiKey}`, "utf8").toString("base64")}`,
    upsertJobs: (more: ReadonlyArray<GreenArrowSimJob>) => {
      const ids = new Set(more.map((j) => j.id))
      jobs = [...jobs.filter((j) => !ids.has(j.id)), ...more].sort((a, b) => a.id - b.id)
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
  }))
}

/**
 * Scoped variant of `startGreenArrow`: closed when the scope closes.
 *
 * @since 0.1.0
 */
export const makeGreenArrow: (options?: GreenArrowSimOptions) => Effect.Effect<GreenArrowServer, never, Scope.Scope> =
  scoped(startGreenArrow)
