/**
 * `pnpm bench:run-for-days`: what running unattended costs (issue 17), kept
 * apart from `run.ts` (the transport benchmarks):
 *
 * 1. limiter overhead: a `RateLimit` permit that never waits, per take
 *    (in-process), and per request against the InsideView simulator
 *    (limiter and metrics off, metrics on, limiter + metrics on);
 * 2. memory of a one-hour watch over 10,000 jobs: `Watch.source` polling an
 *    in-memory listing of 10,000 jobs every 5 s on the TestClock (720 polls,
 *    5 % of the jobs change state at every poll); RSS and heap after each
 *    simulated 5 minutes, after a GC when `--expose-gc` is on (the script
 *    runs itself with it).
 *
 * Prints a table and writes `test/bench/run-for-days.json`. Nothing asserts
 * on time. `BENCH_REQUESTS` (default 2000) sets the requests per case.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { type AllJobs, Job, RateLimit, RetryPolicy, Watch } from "@jobstream/core"
import { InsideViewClient } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import { Effect, Fiber, Redacted, Stream, TestClock, TestContext } from "effect"
import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const here = path.dirname(fileURLToPath(import.meta.url))
const requests = Math.max(100, Number(process.env["BENCH_REQUESTS"] ?? 2000))
const log = (line: string) => process.stderr.write(`${line}\n`)
const gc = (globalThis as { gc?: () => void }).gc

// Re-run under --expose-gc so the memory samples are taken after a collection.
if (gc === undefined && process.env["BENCH_CHILD"] !== "1") {
  const r = spawnSync(process.execPath, ["--expose-gc", ...process.execArgv, fileURLToPath(import.meta.url)], {
    stdio: "inherit",
    env: { ...process.env, BENCH_CHILD: "1" }
  })
  process.exit(r.status ?? 1)
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

/** Nanoseconds per permit of a limiter that never waits, and of `Effect.void` for scale. */
const permitCost = Effect.gen(function*() {
  const limiter = yield* RateLimit.make({ limit: 1_000_000_000, window: "1 second" })
  const n = 200_000
  const time = (effect: Effect.Effect<unknown>) =>
    Effect.gen(function*() {
      const start = performance.now()
      for (let i = 0; i < n; i++) yield* effect
      return ((performance.now() - start) * 1e6) / n
    })
  yield* time(limiter.take) // warm-up
  return { takeNs: Math.round(yield* time(limiter.take)), voidNs: Math.round(yield* time(Effect.void)) }
})

/**
 * Microseconds per list request against the simulator, for each setting: the
 * clients are made and warmed up first, then measured in interleaved rounds
 * (median of the rounds), so that neither JIT warm-up nor a busy moment
 * favours the case that happens to run last.
 */
const perRequest = Effect.gen(function*() {
  const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 50 })
  const cases = {
    "limiter off, metrics off": { metrics: false },
    "limiter off, metrics on": { metrics: true },
    "limiter on, metrics on": { metrics: true, rateLimit: yield* RateLimit.make({ limit: 1_000_000_000, window: "1 second" }) }
  } as const
  const clients = yield* Effect.forEach(Object.entries(cases), ([name, settings]) =>
    Effect.map(
      InsideViewClient.make({
        baseUrl: sim.url,
        authBaseUrl: sim.url,
        auth: InsideViewClient.Auth.token(Redacted.make("sim-fixed-token")),
        retryPolicy: RetryPolicy.none,
        ...settings
      }),
      (client) => ({ name, client, rounds: [] as Array<number> })
    ))
  for (const { client } of clients) for (let i = 0; i < 200; i++) yield* client.listJobs({ resultsPerPage: 1 })
  const rounds = 7
  const perRound = Math.max(20, Math.round(requests / rounds))
  for (let r = 0; r < rounds; r++) {
    for (const c of clients) {
      const start = performance.now()
      for (let i = 0; i < perRound; i++) yield* c.client.listJobs({ resultsPerPage: 1 })
      c.rounds.push(((performance.now() - start) * 1000) / perRound)
    }
  }
  const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
  return Object.fromEntries(clients.map((c) => [c.name, Math.round(median(c.rounds))]))
}).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))

/** RSS and heap over a simulated hour of watching 10,000 jobs. */
const watchHour = Effect.gen(function*() {
  const size = 10_000
  const states: Array<Job.Status> = ["pending", "running", "succeeded", "failed"]
  const status = new Array<Job.Status>(size).fill("running")
  let poll = 0
  const source: AllJobs.Source = {
    provider: "bench",
    jobs: Stream.suspend(() => {
      poll++
      // 5 % of the jobs move at every poll.
      for (let i = 0; i < size / 20; i++) {
        const at = (poll * 7919 + i * 104729) % size
        status[at] = states[(states.indexOf(status[at]!) + 1) % states.length]!
      }
      return Stream.fromIterable(Array.from({ length: size }, (_, i) =>
        Job.make({ provider: "bench", id: `job-${i}`, status: status[i]!, providerStatus: status[i]!, raw: null })))
    })
  }
  let changes = 0
  const fiber = yield* Effect.fork(
    Stream.runForEach(Watch.source(source, { activeInterval: "5 seconds" }), () => Effect.sync(() => void changes++))
  )
  const samples: Array<{ minute: number; rssMB: number; heapMB: number; changes: number }> = []
  for (let step = 1; step <= 720; step++) {
    yield* TestClock.adjust("5 seconds")
    if (step % 60 === 0) {
      gc?.()
      const m = process.memoryUsage()
      samples.push({ minute: step / 12, rssMB: mb(m.rss), heapMB: mb(m.heapUsed), changes })
      log(`  ${String(step / 12).padStart(2)} min: rss ${mb(m.rss)} MB, heap ${mb(m.heapUsed)} MB, ${changes} changes`)
    }
  }
  yield* Fiber.interrupt(fiber)
  return { polls: poll, samples }
}).pipe(Effect.provide(TestContext.TestContext))

const main = Effect.gen(function*() {
  log("1. limiter overhead")
  const permit = yield* permitCost
  log(`  a permit that never waits: ${permit.takeNs} ns (Effect.void: ${permit.voidNs} ns)`)
  const http = yield* perRequest
  for (const [name, us] of Object.entries(http)) log(`  ${name}: ${us} µs per request`)
  log("2. one simulated hour of watching 10,000 jobs (a poll every 5 s)")
  const watch = yield* watchHour
  const first = watch.samples[0]!
  const last = watch.samples.at(-1)!
  const results = { permit, perRequestMicros: http, watch, rssGrowthMB: Math.round((last.rssMB - first.rssMB) * 10) / 10 }
  fs.writeFileSync(path.join(here, "run-for-days.json"), `${JSON.stringify(results, null, 2)}\n`)
  process.stdout.write(
    `| case | result |\n| --- | --- |\n` +
      `| RateLimit permit (no wait) | ${permit.takeNs} ns (Effect.void ${permit.voidNs} ns) |\n` +
      Object.entries(http).map(([k, v]) => `| list request, ${k} | ${v} µs |\n`).join("") +
      `| watch, 10,000 jobs, ${watch.polls} polls | RSS ${first.rssMB} → ${last.rssMB} MB (heap ${first.heapMB} → ${last.heapMB} MB) |\n`
  )
})

Effect.runPromise(main).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
