/**
 * Composing the Layers of all three providers into one `AllJobs` service, and
 * streaming the merged, normalized jobs.
 *
 *   npx tsx --conditions=@jobstream/source examples/all-providers.ts
 *
 * With real servers you would use each client's `layerConfig()` (reading
 * INSIDEVIEW_*, GREENARROW_*, ICWS_* from the environment) instead of `layer`.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { AllJobs } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { IcwsClient } from "@jobstream/icws"
import { InsideViewClient } from "@jobstream/insideview"
import { GreenArrowSimulator, IcwsSimulator, InsideViewSimulator } from "@jobstream/testkit"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"

const program = Effect.gen(function*() {
  // Three simulators on 127.0.0.1, closed with the scope.
  const insideView = yield* InsideViewSimulator.makeInsideView({ jobs: 500 })
  const greenArrow = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 200, organizations: [1] })
  const icws = yield* IcwsSimulator.makeIcws({ jobs: 50 })
  const key = GreenArrowSimulator.defaultKeys[0]!

  // One Layer per provider...
  const InsideViewLive = InsideViewClient.layer({
    baseUrl: insideView.url,
    authBaseUrl: insideView.url,
    auth: InsideViewClient.Auth.credentials("sim-client", Redacted.make("sim-secret"))
  })
  const GreenArrowLive = GreenArrowClient.layer({
    baseUrl: greenArrow.url,
    auth: { _tag: "Key", organizationId: key.organizationId, apiKey: Redacted.make(key.apiKey) }
  })
  const IcwsLive = IcwsClient.layer({ baseUrl: icws.url, user: "agent", password: Redacted.make("s3cret-pw") })

  // ...and AllJobs built purely from them. The HttpClient is provided once, at the edge.
  const AllJobsLive = AllJobs.layer([InsideViewClient.source, GreenArrowClient.source, IcwsClient.source]).pipe(
    Layer.provide([InsideViewLive, GreenArrowLive, IcwsLive]),
    Layer.provide(FetchHttpClient.layer)
  )

  const { first, total } = yield* Effect.gen(function*() {
    const first = yield* AllJobs.jobs().pipe(Stream.take(6), Stream.runCollect)
    const total = yield* Stream.runCount(AllJobs.jobs())
    return { first: Chunk.toReadonlyArray(first), total }
  }).pipe(Effect.provide(AllJobsLive))

  for (const job of first) console.log(`${job.provider.padEnd(10)} ${job.id.padEnd(20)} ${job.status.padEnd(9)} ${job.name ?? "-"}`)
  console.log(`${total} jobs from ${insideView.url}, ${greenArrow.url} and ${icws.url}`)
  if (total !== 750) throw new Error(`expected 750 jobs, got ${total}`)
  // The ICWS session was logged out when AllJobsLive was released.
  console.log(`ICWS sessions created ${icws.createdSessions.length}, deleted ${icws.deletedSessions.length}`)
})

Effect.runPromise(Effect.scoped(program)).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
