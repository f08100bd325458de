/**
 * Streams InsideView bulk jobs from the in-process simulator.
 *
 *   npx tsx --conditions=@jobstream/source examples/insideview-jobs.ts
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { InsideViewClient, InsideViewJob } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"

const program = Effect.gen(function*() {
  // The demo volume of the documented example: 16788 jobs.
  const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 16788 })
  const layer = InsideViewClient.layer({
    baseUrl: sim.url,
    authBaseUrl: sim.url,
    auth: InsideViewClient.Auth.credentials("sim-client", Redacted.make("sim-secret")),
    format: "json"
  }).pipe(Layer.provide(FetchHttpClient.layer))

  const started = Date.now()
  const summary = yield* Effect.gen(function*() {
    const client = yield* InsideViewClient.InsideViewClient
    const first = yield* client.normalizedJobs({ jobStatuses: ["finished", "failed"] }).pipe(Stream.take(5), Stream.runCollect)
    for (const job of Chunk.toReadonlyArray(first)) {
      console.log(`${job.id}  ${job.type?.padEnd(30) ?? ""} ${job.status.padEnd(10)} ${job.createdAt?.toISOString().slice(0, 10)}`)
    }
    const counts = yield* client.jobs().pipe(
      Stream.runFold(new Map<string, number>(), (acc, job) => acc.set(job.jobStatus, (acc.get(job.jobStatus) ?? 0) + 1))
    )
    return counts
  }).pipe(Effect.provide(layer))

  const total = [...summary.values()].reduce((a, b) => a + b, 0)
  console.log(`streamed ${total} jobs in ${Date.now() - started} ms over ${sim.listRequests} list requests, ${sim.logins} login(s)`)
  for (const [status, n] of summary) console.log(`  ${status.padEnd(12)} ${n}  → ${InsideViewJob.toStatus(status)}`)
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
