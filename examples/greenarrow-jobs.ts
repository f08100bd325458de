/**
 * Lists GreenArrow Studio jobs from an in-process simulator.
 *
 *   npx tsx --conditions=@jobstream/source examples/greenarrow-jobs.ts
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Effect, Redacted, Stream } from "effect"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { GreenArrowSimulator } from "@jobstream/testkit"

const program = Effect.gen(function*() {
  const sim = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 200, latency: { millis: 5 } })
  const admin = GreenArrowSimulator.defaultKeys[2]! // the simulator's system-admin key

  const client = yield* GreenArrowClient.make({
    baseUrl: sim.url,
    auth: { _tag: "Key", organizationId: admin.organizationId, apiKey: Redacted.make(admin.apiKey) },
    pageSize: 25 // small pages, to show the page_token walk
  })

  // Every unfinished campaign or import across all organizations, normalized.
  yield* client.normalizedJobs({ scope: { _tag: "AllOrganizations" }, which: "unfinished" }).pipe(
    Stream.take(8),
    Stream.runForEach((job) =>
      Effect.sync(() =>
        console.log(
          `${job.id.padStart(5)}  ${job.status.padEnd(9)} ${job.providerStatus.padEnd(12)} ${
            (job.type ?? "").padEnd(16)
          } ${job.name ?? ""}${job.progress?.total ? `  ${job.progress.done}/${job.progress.total}` : ""}`
        )
      )
    )
  )

  // Counting everything walks all pages without holding them in memory.
  const total = yield* Stream.runCount(client.jobs({ scope: { _tag: "AllOrganizations" } }))
  const failed = yield* Stream.runCount(client.jobs({ scope: { _tag: "AllOrganizations" }, state: ["failed", "cancelled"] }))
  console.log(`${total} jobs in all, ${failed} failed or cancelled; ${sim.requestCount} requests`)
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
