/**
 * A generic "jobs" API simulator: offset pagination, cursor pagination,
 * lookups by id, forced statuses and an XML listing. It is deliberately
 * provider-neutral so core's tests and demos can exercise the HTTP plumbing.
 *
 * @since 0.1.0
 * @module
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import type { FaultRule } from "./Faults.js"
import * as Seed from "./Seed.js"
import { json, start, xml } from "./Server.js"
import type { Latency, RunningServer, SimRequest, SimResponse } from "./Server.js"

/**
 * One job of the generic simulator's dataset.
 *
 * @since 0.1.0
 */
export interface GenericJob {
  readonly id: string
  readonly name: string
  readonly status: "queued" | "running" | "done" | "failed" | "canceled"
  /** ISO-8601 timestamp. */
  readonly createdAt: string
}

/**
 * Settings of the generic simulator: dataset size and seed, latency, faults,
 * an optional bearer token.
 *
 * @since 0.1.0
 */
export interface GenericOptions {
  /** Number of jobs in the dataset. Default 250. */
  readonly jobs?: number
  /** Dataset and fault seed. Default 1. */
  readonly seed?: number
  readonly latency?: Latency
  readonly faults?: ReadonlyArray<FaultRule>
  /** When set, every request needs `Authorization: Bearer <token>`. */
  readonly token?: string
}

/**
 * A running generic simulator, with the dataset it serves.
 *
 * @since 0.1.0
 */
export type GenericServer = RunningServer & { readonly jobs: ReadonlyArray<GenericJob> }

const statuses: ReadonlyArray<GenericJob["status"]> = [
  "done", "done", "done", "done", "running", "running", "queued", "queued", "failed", "canceled"
]
const verbs = ["sync", "export", "import", "reindex", "backup", "render", "compact", "notify"]
const subjects = ["contacts", "orders", "invoices", "images", "reports", "events", "users", "logs"]

/** Base instant of the dataset; job i is created roughly i minutes later. */
const epoch = Date.UTC(2024, 0, 1, 0, 0, 0)

/**
 * The deterministic job list served by the simulator.
 *
 * @since 0.1.0
 */
export const genericJobs = (count: number, seed: number): ReadonlyArray<GenericJob> =>
  Seed.dataset(count, seed, (index, r) => ({
    id: Seed.id(r, 20),
    name: `${Seed.pick(r, verbs)}-${Seed.pick(r, subjects)}-${index + 1}`,
    status: Seed.pick(r, statuses),
    // One-minute slots plus a few seconds of noise keep the order stable.
    createdAt: new Date(epoch + index * 60_000 + Seed.int(r, 0, 59) * 1000).toISOString()
  }))

// ---------------------------------------------------------------------------
// Helpers

const badRequest = (message: string): SimResponse => json(400, { error: "bad_request", message })

/** Parses an optional positive-or-zero integer query parameter. */
const intParam = (
  query: URLSearchParams,
  name: string,
  fallback: number,
  min: number,
  max: number
): number | string => {
  const raw = query.get(name)
  if (raw === null) return fallback
  if (!/^\d+$/.test(raw)) return `${name} must be an integer`
  const value = Number(raw)
  if (value < min || value > max) return `${name} must be between ${min} and ${max}`
  return value
}

const encodeCursor = (offset: number): string => Buffer.from(`offset:${offset}`, "utf8").toString("base64url")

const decodeCursor = (cursor: string): number | undefined => {
  const decoded = Buffer.from(cursor, "base64url").toString("utf8")
  const match = /^offset:(\d+)$/.exec(decoded)
  if (match === null || match[1] === undefined) return undefined
  return Number(match[1])
}

const escapeXml = (value: string): string =>
  value
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&apos;")

const jobXml = (job: GenericJob): string =>
  `<job><id>${escapeXml(job.id)}</id><name>${escapeXml(job.name)}</name>` +
  `<status>${job.status}</status><createdAt>${escapeXml(job.createdAt)}</createdAt></job>`

const maxPageSize = 500

/**
 * Builds the request handler for a given job list (exposed for reuse in custom servers).
 *
 * @since 0.1.0
 */
export const genericHandler = (jobs: ReadonlyArray<GenericJob>, token?: string) => {
  const byId = new Map(jobs.map((job) => [job.id, job] as const))
  return (req: SimRequest): SimResponse => {
    if (token !== undefined && req.headers["authorization"] !== `Bearer ${token}`) {
      return json(401, { error: "unauthorized" })
    }
    if (req.method !== "GET") {
      return json(405, { error: "method_not_allowed" }, { Allow: "GET" })
    }
    const segments = req.path.split("/").filter((s) => s.length > 0)
    const [first, second] = segments

    if (first === "jobs" && segments.length === 1) {
      const page = intParam(req.query, "page", 1, 1, Number.MAX_SAFE_INTEGER)
      if (typeof page === "string") return badRequest(page)
      const perPage = intParam(req.query, "per_page", 50, 1, maxPageSize)
      if (typeof perPage === "string") return badRequest(perPage)
      const from = (page - 1) * perPage
      return json(200, {
        items: jobs.slice(from, from + perPage),
        page,
        per_page: perPage,
        total: jobs.length
      })
    }

    if (first === "jobs" && second === "cursor" && segments.length === 2) {
      const limit = intParam(req.query, "limit", 50, 1, maxPageSize)
      if (typeof limit === "string") return badRequest(limit)
      const rawCursor = req.query.get("cursor")
      let offset = 0
      if (rawCursor !== null && rawCursor !== "") {
        const decoded = decodeCursor(rawCursor)
        if (decoded === undefined) return badRequest("invalid cursor")
        offset = decoded
      }
      const end = offset + limit
      return json(200, {
        items: jobs.slice(offset, end),
        next: end < jobs.length ? encodeCursor(end) : null
      })
    }

    if (first === "jobs" && second !== undefined && segments.length === 2) {
      const job = byId.get(decodeURIComponent(second))
      return job === undefined ? json(404, { error: "not_found", message: "job not found" }) : json(200, job)
    }

    if (first === "status" && second !== undefined && segments.length === 2) {
      if (!/^\d{3}$/.test(second)) return badRequest("status code must have three digits")
      const code = Number(second)
      if (code < 200 || code > 599) return badRequest("status code must be between 200 and 599")
      return json(code, { error: `status_${code}`, message: "forced status" })
    }

    if (first === "xml" && segments.length === 1) {
      const n = intParam(req.query, "n", 3, 0, Number.MAX_SAFE_INTEGER)
      if (typeof n === "string") return badRequest(n)
      return xml(200, `<jobs>${jobs.slice(0, n).map(jobXml).join("")}</jobs>`)
    }

    return json(404, { error: "not_found", message: "no such route" })
  }
}

/**
 * Starts the generic jobs simulator; `jobs` is the served dataset.
 *
 * @since 0.1.0
 */
export const startGeneric = async (options: GenericOptions = {}): Promise<GenericServer> => {
  const seed = options.seed ?? 1
  const jobs = genericJobs(options.jobs ?? 250, seed)
  const server = await start({
    handler: genericHandler(jobs, options.token),
    seed,
    latency: options.latency,
    faults: options.faults
  })
  // Attach in place: spreading would evaluate (and freeze) the log getters.
  return Object.assign(server, { jobs })
}

/**
 * Scoped variant of `startGeneric`: closed when the scope closes.
 *
 * @since 0.1.0
 */
export const makeGeneric = (options?: GenericOptions): Effect.Effect<GenericServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startGeneric(options)),
    (server) => Effect.promise(() => server.close())
  )
