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
 */
import { GreenArrowSimulator, InsideViewSimulator, Seed, Server } from "@jobstream/testkit"
import * as readline from "node:readline"

export type SimSpec =
  | { readonly kind: "insideview"; readonly jobs: number; readonly latencyMillis: number }
  | { readonly kind: "insideview-lazy"; readonly jobs: number; readonly latencyMillis: number }
  | { readonly kind: "greenarrow"; readonly jobs: number; readonly latencyMillis: number }

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

const startSim = (spec: SimSpec): Promise<Server.RunningServer> => {
  switch (spec.kind) {
    case "insideview":
      return InsideViewSimulator.startInsideView({ jobs: spec.jobs, latency: { millis: spec.latencyMillis } })
    case "insideview-lazy":
      return lazyInsideView(spec.jobs, spec.latencyMillis)
    case "greenarrow":
      return GreenArrowSimulator.startGreenArrow({ jobs: spec.jobs, latency: { millis: spec.latencyMillis } })
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
