/**
 * Staying under InsideView's throttle instead of reacting to it: one rate
 * limiter shared by every fiber of the account, and the account's usage and
 * credits (`GET /api/v1/admin/usage`).
 *
 * The simulator locks the account for a window after 10 requests in a
 * second; eight fibers list pages at once through a limiter of 6 per
 * 1.2 seconds and never see a 429. The limiter keeps a margin under the
 * server's limit, as the production defaults do: a request can wait a moment
 * between its permit and the wire (here the simulator shares the process),
 * so permits spread over a window may reach the server closer together. In production use
 * `RateLimit.make(InsideViewClient.rateLimitDefaults)` (900 per 5 minutes,
 * a 5-minute pause on a 429).
 *
 *   npx tsx --conditions=@jobstream/source examples/usage-and-limits.ts
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { RateLimit } from "@jobstream/core"
import { InsideViewClient, InsideViewUsage } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import { Effect, Redacted } from "effect"

const program = Effect.gen(function*() {
  const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 300, throttle: { limit: 10, windowMillis: 1000 } })
  const limiter = yield* RateLimit.make({ limit: 6, window: "1200 millis" })
  const client = yield* InsideViewClient.make({
    baseUrl: sim.url,
    authBaseUrl: sim.url,
    auth: InsideViewClient.Auth.token(Redacted.make("sim-fixed-token")),
    rateLimit: limiter
  })
  const pages = yield* Effect.forEach(
    Array.from({ length: 30 }, (_, i) => i + 1),
    (page) => client.listJobs({ page, resultsPerPage: 10 }),
    { concurrency: 8 }
  )
  const stats = yield* limiter.stats
  console.log(`${pages.length} pages by 8 fibers: ${stats.granted} permits, ${stats.waited} waited ${stats.waitedMillis} ms in all, no 429`)

  const year = new Date().getUTCFullYear().toString()
  const usage = yield* client.usage({ period: "year", start: year, end: year })
  console.log(`account ${usage.accountId}, ${year}:`)
  for (const [api, n] of InsideViewUsage.transactionsByApi(usage)) console.log(`  ${api}: ${n} requests`)
  console.log(`  credits left: ${InsideViewUsage.remainingCredits(usage)}`)
}).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))

Effect.runPromise(program).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
