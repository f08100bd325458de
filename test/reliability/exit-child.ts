/**
 * A small program run as a child process by `interruption.test.ts`: it starts
 * the three simulators, streams every job of each provider through
 * `AllJobs` (as a real program would), also runs an interrupted stream and a
 * failing one, closes the simulators, prints a summary and ends — WITHOUT
 * calling `process.exit`. If anything (a socket, a timer, a fiber) were left
 * open, the process would not end on its own and the test would fail.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { AllJobs, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { IcwsClient } from "@jobstream/icws"
import { InsideViewClient } from "@jobstream/insideview"
import { Faults, GreenArrowSimulator, IcwsSimulator, InsideViewSimulator } from "@jobstream/testkit"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

const program = Effect.gen(function*() {
  const iv = yield* InsideViewSimulator.makeInsideView({ jobs: 230 })
  const ga = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 150 })
  const ic = yield* IcwsSimulator.makeIcws({ jobs: 45 })
  const retryPolicy = RetryPolicy.immediate(2)

  const clients = Layer.mergeAll(
    InsideViewClient.layer({
      baseUrl: iv.url,
      authBaseUrl: iv.url,
      auth: InsideViewClient.Auth.credentials("sim-client", Redacted.make("sim-secret")),
      retryPolicy
    }),
    GreenArrowClient.layer({
      baseUrl: ga.url,
      auth: { _tag: "Key", organizationId: 1, apiKey: Redacted.make(GreenArrowSimulator.defaultKeys[2]!.apiKey) },
      perPage: 40,
      retryPolicy
    }),
    IcwsClient.layer({ baseUrl: ic.url, user: "agent", password: Redacted.make("s3cret-pw"), pageSize: 10, retryPolicy })
  )
  const all = AllJobs.layer([InsideViewClient.source, GreenArrowClient.source, IcwsClient.source]).pipe(
    Layer.provideMerge(clients)
  )

  const counts = yield* Effect.gen(function*() {
    const jobs = Chunk.toReadonlyArray(yield* Stream.runCollect(AllJobs.jobs()))
    const by = (p: string) => jobs.filter((j) => j.provider === p).length
    // An interrupted stream and a failing one must not leave anything behind either.
    const taken = yield* Stream.runCollect(Stream.take(AllJobs.jobs(), 7))
    ic.setFaults([{ fault: Faults.hang, match: (r) => r.method === "GET" && r.path.endsWith("/data-extractor/jobs") }])
    const icws = yield* IcwsClient.IcwsClient
    const hung = yield* Effect.timeout(Stream.runCollect(icws.jobs()), "200 millis").pipe(Effect.either)
    ga.setFaults([{ fault: Faults.status(500) }])
    const failed = yield* Stream.runCollect(AllJobs.jobs({ providers: ["greenarrow"] })).pipe(Effect.either)
    return {
      insideview: by("insideview"),
      greenarrow: by("greenarrow"),
      icws: by("icws"),
      taken: taken.length,
      hungTimedOut: hung._tag === "Left",
      failed: failed._tag === "Left" ? failed.left._tag : "no failure"
    }
  }).pipe(Effect.provide(all))

  return { ...counts, icwsLoggedOut: ic.deletedSessions.length === ic.createdSessions.length }
}).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))

Effect.runPromise(program).then(
  (summary) => {
    console.log(JSON.stringify(summary))
  },
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
