/**
 * A custom retry Schedule. Any `Schedule<unknown, ApiError>` is a retry
 * policy: here a fast exponential backoff (10 ms, ×2, jittered, at most 5
 * retries) that retries only what `ApiError.isRetryable` allows, waits at
 * least what a 429's `Retry-After` asks for, and logs every retry.
 * The GreenArrow simulator injects a 429, a 500, a 503 and a connection
 * reset into the walk; the stream still delivers every job exactly once.
 *
 *   npx tsx --conditions=@jobstream/source examples/custom-retry.ts
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { ApiError, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { Faults, GreenArrowSimulator } from "@jobstream/testkit"
import { Duration, Effect, Redacted, Schedule, ScheduleDecision, Stream } from "effect"

let retries = 0

const fastBackoff: RetryPolicy.RetryPolicy = Schedule.identity<ApiError.ApiError>().pipe(
  // Honour the server: wait at least its Retry-After (50 ms for a 429 without one)...
  Schedule.addDelay((error) => RetryPolicy.serverDelay(error, { rateLimitFallback: "50 millis" }) ?? Duration.zero),
  // ...and at least the jittered exponential backoff (`intersect` keeps the longer delay), 5 retries at most...
  Schedule.intersect(Schedule.jittered(Schedule.exponential("10 millis", 2))),
  Schedule.intersect(Schedule.recurs(5)),
  // ...and only for errors that can succeed on a second try (429, 5xx, network, attempt timeouts).
  Schedule.whileInput((error: ApiError.ApiError) => ApiError.isRetryable(error)),
  Schedule.onDecision(([[error, delay]], decision) =>
    ScheduleDecision.isContinue(decision)
      ? Effect.sync(() => {
        retries++
        const status = "status" in error ? ` ${error.status}` : ""
        console.log(`  ${error._tag}${status}: retrying (backoff ${Duration.format(delay)})`)
      })
      : Effect.void
  )
)

const program = Effect.gen(function*() {
  const sim = yield* GreenArrowSimulator.makeGreenArrow({
    jobs: 3_000,
    organizations: [1],
    faults: [
      Faults.onRequests([1], Faults.rateLimited()),
      Faults.onRequests([3], Faults.status(500)),
      Faults.onRequests([5], Faults.status(503)),
      Faults.onRequests([7], Faults.reset)
    ]
  })
  const key = GreenArrowSimulator.defaultKeys[0]!
  const client = (apiKey: string) =>
    GreenArrowClient.make({
      baseUrl: sim.url,
      auth: { _tag: "Key", organizationId: key.organizationId, apiKey: Redacted.make(apiKey) },
      pageSize: 500,
      retryPolicy: fastBackoff
    })

  console.log("walking 3000 jobs, 500 a page, through injected faults:")
  const good = yield* client(key.apiKey)
  const ids = yield* good.jobs().pipe(Stream.map((job) => job.id), Stream.runCollect)
  const unique = new Set(ids).size
  console.log(`${ids.length} jobs (${unique} distinct) after ${retries} retries, ${sim.requestCount} requests`)
  if (ids.length !== 3_000 || unique !== 3_000 || retries !== 4) throw new Error("unexpected result")

  // A 401 is not retryable: the policy gives up at once.
  const before = sim.requestCount
  const bad = yield* client("not-the-key")
  const error = yield* Effect.flip(Stream.runDrain(bad.jobs()))
  console.log(`wrong key: ${error._tag} after ${sim.requestCount - before} request(s)`)
  if (error._tag !== "Unauthorized" || sim.requestCount - before !== 1) throw new Error("a 401 must not be retried")
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
