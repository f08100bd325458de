/**
 * ICWS data-extractor jobs against the in-process simulator: list the newest
 * jobs, submit one and watch it to the end, submit another and cancel it.
 *
 *   npx tsx --conditions=@jobstream/source examples/icws-jobs.ts
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { IcwsClient, IcwsJob } from "@jobstream/icws"
import { IcwsSimulator } from "@jobstream/testkit"
import { Effect, Redacted, Schedule, Stream } from "effect"

const program = Effect.gen(function*() {
  const sim = yield* IcwsSimulator.makeIcws({ jobs: 40 })

  const run = Effect.gen(function*() {
    const client = yield* IcwsClient.IcwsClient

    console.log("newest jobs:")
    yield* client.normalizedJobs({ jobCount: 10 }).pipe(
      Stream.take(5),
      Stream.runForEach((job) =>
        Effect.sync(() =>
          console.log(`  ${job.id}  ${job.status.padEnd(9)} ${job.createdAt?.toISOString() ?? "-"}  ${job.name}`)
        )
      )
    )
    const total = yield* Stream.runCount(client.jobs({ jobCount: 10 }))
    console.log(`${total} jobs in all`)

    const config: IcwsJob.JobConfig = {
      name: "queue-stats-yesterday",
      submittedUserId: "agent",
      tables: { tableList: [{ name: "IWrkgrpQueueStats", dateTimeFilterColumn: "dIntervalStart", column: [{ name: "cName" }] }] },
      startTimeFilter: new Date(Date.now() - 86_400_000),
      endTimeFilter: new Date()
    }
    const { id } = yield* client.submitJob(config)
    console.log(`submitted ${id}; watching:`)
    yield* client.watchJob(id, Schedule.spaced("20 millis")).pipe(
      Stream.runForEach((status) =>
        Effect.sync(() => console.log(`  ${IcwsJob.stateName(status.state ?? 0)}`))
      )
    )
    const final = yield* client.getJob(id)
    console.log(`output folder: ${final.jobStatus?.outputFolder}`)

    const second = yield* client.submitJob({ ...config, name: "agent-activity" })
    yield* client.cancelJob(second.id)
    const canceled = yield* client.getJob(second.id, "status")
    console.log(`canceled ${second.id}: ${IcwsClient.toJob(canceled).status}`)
  }).pipe(
    Effect.provide(
      IcwsClient.layer({ baseUrl: sim.url, user: "agent", password: Redacted.make("s3cret-pw") })
    )
  )
  yield* run
  console.log(`sessions created ${sim.createdSessions.length}, deleted ${sim.deletedSessions.length}`)
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
