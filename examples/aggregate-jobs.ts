/**
 * Streams every job of the three providers and aggregates them into a
 * provider × status table, without ever holding the jobs in memory.
 *
 *   npx tsx --conditions=@jobstream/source examples/aggregate-jobs.ts
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { AllJobs, Job } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { IcwsClient } from "@jobstream/icws"
import { InsideViewClient } from "@jobstream/insideview"
import { GreenArrowSimulator, IcwsSimulator, InsideViewSimulator } from "@jobstream/testkit"
import { Effect, Layer, Redacted, Stream } from "effect"

type Counts = Map<string, Map<Job.Status, number>>

const program = Effect.gen(function*() {
  const insideView = yield* InsideViewSimulator.makeInsideView({ jobs: 5_000 })
  const greenArrow = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 1_500, organizations: [1] })
  const icws = yield* IcwsSimulator.makeIcws({ jobs: 200 })
  const key = GreenArrowSimulator.defaultKeys[0]!

  const AllJobsLive = AllJobs.layer([InsideViewClient.source, GreenArrowClient.source, IcwsClient.source]).pipe(
    Layer.provide([
      InsideViewClient.layer({ baseUrl: insideView.url, auth: InsideViewClient.Auth.token(Redacted.make("sim-fixed-token")) }),
      GreenArrowClient.layer({
        baseUrl: greenArrow.url,
        auth: { _tag: "Key", organizationId: key.organizationId, apiKey: Redacted.make(key.apiKey) }
      }),
      IcwsClient.layer({ baseUrl: icws.url, user: "agent", password: Redacted.make("s3cret-pw") })
    ]),
    Layer.provide(FetchHttpClient.layer)
  )

  const started = Date.now()
  const counts = yield* AllJobs.jobs().pipe(
    Stream.runFold(new Map() as Counts, (acc, job) => {
      const row = acc.get(job.provider) ?? new Map<Job.Status, number>()
      row.set(job.status, (row.get(job.status) ?? 0) + 1)
      return acc.set(job.provider, row)
    }),
    Effect.provide(AllJobsLive)
  )

  // Same aggregation, only failed jobs, through the status filter.
  const failed = yield* AllJobs.jobs({ statuses: ["failed"] }).pipe(Stream.runCount, Effect.provide(AllJobsLive))

  const columns = Job.statuses
  console.log(["provider".padEnd(12), ...columns.map((s) => s.padStart(10)), "total".padStart(8)].join(""))
  let grand = 0
  let failedInTable = 0
  for (const [provider, row] of counts) {
    const total = [...row.values()].reduce((a, b) => a + b, 0)
    grand += total
    failedInTable += row.get("failed") ?? 0
    console.log([provider.padEnd(12), ...columns.map((s) => String(row.get(s) ?? 0).padStart(10)), String(total).padStart(8)].join(""))
  }
  console.log(`${grand} jobs in ${Date.now() - started} ms; ${failed} failed (status filter)`)
  if (grand !== 6_700 || failed !== failedInTable) throw new Error("aggregation does not add up")
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
