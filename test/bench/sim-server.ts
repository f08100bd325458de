/**
 * A simulator in its own process, for the benchmarks: the measured client
 * never shares an event loop (or an RSS figure) with the server.
 *
 *   node --conditions=@jobstream/source --import tsx test/bench/sim-server.ts '<spec as JSON>'
 *
 * Prints one JSON line `{ url, startupMs, rssMB }` once listening, then answers
 * `stats` lines on stdin with `{ rssMB, requests }`. Exits when stdin closes
 * (so it never outlives the bench) or on SIGTERM.
 *
 * Kinds:
 * - "insideview": the testkit InsideViewSimulator (materialised dataset).
 * - "insideview-lazy": InsideView's JSON list page, generated per request from
 *   the page number (O(page size) per request, nothing held), for the
 *   1,000,000-job memory run. The testkit simulator keeps the whole dataset and
 *   filters all of it on every request, which at 1M jobs and 20,000 pages is
 *   far too slow for a bench (see README, Performance).
 * - "greenarrow": the testkit GreenArrowSimulator.
 * - "greenarrow-fast": GreenArrow's `jobs/all` listing over the testkit's own
 *   seeded jobs, served by index from the keyset token (the testkit simulator
 *   filters its whole dataset two or three times per request, which at
 *   100,000 jobs makes the server, not the client, the slow side). Same
 *   envelope, pagination keys, token form and response headers.
 */
import { GreenArrowSimulator, InsideViewSimulator, Seed, Server } from "@jobstream/testkit"
import * as readline from "node:readline"

export type SimSpec =
  | { readonly kind: "insideview"; readonly jobs: number; readonly latencyMillis: number }
  | { readonly kind: "insideview-lazy"; readonly jobs: number; readonly latencyMillis: number }
  | { readonly kind: "greenarrow"; readonly jobs: number; readonly latencyMillis: number }
  | { readonly kind: "greenarrow-fast"; readonly jobs: number; readonly latencyMillis: number }

export interface SimReady {
  readonly url: string
  readonly startupMs: number
  readonly rssMB: number
}

const mb = (bytes: number) => Math.round((bytes / 1048576) * 10) / 10

const lazyInsideView = (jobs: number, latencyMillis: number) =>
  Server.start({
    latency: { millis: latencyMillis },
    logBodies: false,
    maxLog: 0,
    handler: (req) => {
      if (req.path !== "/api/v1/admin/jobs") return Server.json(404, { message: "not found" })
      if (req.headers["accesstoken"] !== "sim-fixed-token") return Server.json(401, { message: "Unauthorized" })
      const page = Number(req.query.get("page") ?? "1")
      const size = Number(req.query.get("resultsPerPage") ?? "10")
      const from = (page - 1) * size
      const count = Math.max(0, Math.min(size, jobs - from))
      // The testkit's own job generator, seeded per page: same shape and sizes
      // as the real simulator's jobs, unique ids, nothing kept between requests.
      const bulkJobs = count === 0 ? [] : InsideViewSimulator.insideViewJobs(count, Seed.derive(7, page))
      return Server.json(200, {
        bulkJobs,
        page: String(page),
        resultsPerPage: String(size),
        totalResults: String(jobs)
      })
    }
  })

const fastGreenArrow = (jobs: number, latencyMillis: number) => {
  const all = GreenArrowSimulator.greenArrowJobs(jobs, 1)
  const key = GreenArrowSimulator.defaultKeys.find((k) => k.role === "system_admin")!
  const authorization = `Basic ${Buffer.from(`${key.organizationId}:${key.apiKey}`).toString("base64")}`
  // The testkit's keyset token: base64url("after:<id>"); ids are 1000 + 3 × index.
  const token = (id: number) => Buffer.from(`after:${id}`, "utf8").toString("base64url")
  const indexAfter = (t: string) => {
    const m = /^after:(\d+)$/.exec(Buffer.from(t, "base64url").toString("utf8"))
    return m === null ? undefined : Math.floor((Number(m[1]) - 1000) / 3) + 1
  }
  let served = 0
  return Server.start({
    latency: { millis: latencyMillis },
    logBodies: false,
    maxLog: 0,
    handler: (req) => {
      if (req.path !== "/ga/api/v2/jobs/all") return Server.json(404, { success: false, error_code: "not_found" })
      if (req.headers["authorization"] !== authorization) {
        return Server.json(401, { success: false, data: null, error_code: "not_authorized", error_message: "no" })
      }
      const size = Number(req.query.get("per_page") ?? "2000")
      const t = req.query.get("page_token")
      const from = t === null ? 0 : indexAfter(t)
      if (from === undefined) return Server.json(400, { success: false, error_code: "invalid_request" })
      const data = all.slice(from, from + size)
      const last = data[data.length - 1]
      served++
      const id = served.toString(16).padStart(32, "0")
      return Server.json(200, {
        success: true,
        error_code: null,
        error_message: null,
        ...(t === null ? { page: 0 } : { page_token: t }),
        per_page: size,
        num_records: all.length,
        num_pages: Math.ceil(all.length / size),
        data,
        next_page_token: last !== undefined && from + size < all.length ? token(last.id) : null
      }, {
        "Cache-Control": "no-cache, no-store, max-age=0, must-revalidate",
        "Set-Cookie": `_session_id=${id}; path=/; HttpOnly`,
        "X-Request-Id": id
      })
    }
  })
}

const startSim = (spec: SimSpec): Promise<Server.RunningServer> => {
  switch (spec.kind) {
    case "insideview":
      return InsideViewSimulator.startInsideView({ jobs: spec.jobs, latency: { millis: spec.latencyMillis } })
    case "insideview-lazy":
      return lazyInsideView(spec.jobs, spec.latencyMillis)
    case "greenarrow":
      return GreenArrowSimulator.startGreenArrow({ jobs: spec.jobs, latency: { millis: spec.latencyMillis } })
    case "greenarrow-fast":
      return fastGreenArrow(spec.jobs, spec.latencyMillis)
  }
}

const main = async () => {
  const spec = JSON.parse(process.argv[2] ?? "{}") as SimSpec
  const started = performance.now()
  const server = await startSim(spec)
  const ready: SimReady = {
    url: server.url,
    startupMs: Math.round(performance.now() - started),
    rssMB: mb(process.memoryUsage().rss)
  }
  process.stdout.write(`${JSON.stringify(ready)}\n`)
  const lines = readline.createInterface({ input: process.stdin })
  lines.on("line", (line) => {
    if (line.trim() === "stats") {
      process.stdout.write(
        `${JSON.stringify({ rssMB: mb(process.memoryUsage().rss), maxRssMB: mb(process.resourceUsage().maxRSS * 1024), requests: server.requestCount, cpuMs: Math.round((process.cpuUsage().user + process.cpuUsage().system) / 1000) })}\n`
      )
    }
  })
  const stop = () => {
    void server.close().then(() => process.exit(0))
  }
  lines.on("close", stop)
  process.on("SIGTERM", stop)
}

void main()
