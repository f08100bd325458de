/**
 * A small program run as a child process by `interruption.test.ts`: it starts
 * the simulator of every registered provider, streams every job of each
 * through `AllJobs` (as a real program would), also runs an interrupted
 * stream, hanging ones and a failing one, closes the simulators, prints a
 * summary and ends — WITHOUT calling `process.exit`. If anything (a socket,
 * a timer, a fiber) were left open, the process would not end on its own and
 * the test would fail.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { AllJobs, Provider, RetryPolicy } from "@jobstream/core"
import { Faults, Harness, Registry } from "@jobstream/testkit"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const program = Effect.gen(function*() {
  const { running } = yield* Harness.startAll(Registry.providers, (entry) => ({ jobs: 2 * entry.defaultPageSize + 30 }))
  const knobs = { retryPolicy: RetryPolicy.immediate(2) }
  const summary = yield* Effect.gen(function*() {
    const clients = yield* Effect.forEach(running, (r) => r.client(knobs))
    const all = AllJobs.make(clients.map(Provider.source))
    const jobs = Chunk.toReadonlyArray(yield* Stream.runCollect(all.jobs()))
    const counts = Object.fromEntries(running.map((r) => [r.entry.provider.name, jobs.filter((j) => j.provider === r.entry.provider.name).length]))
    const expected = Object.fromEntries(running.map((r) => [r.entry.provider.name, r.expectedIds().length]))
    // An interrupted stream, hanging ones and a failing one must not leave anything behind either.
    const taken = yield* Stream.runCollect(Stream.take(all.jobs(), 7))
    const hungTimedOut: Array<string> = []
    for (const r of running) {
      r.server.setFaults(Harness.onList(r.entry, [{ fault: Faults.hang }]))
      const hung = yield* Effect.scoped(Effect.flatMap(r.client(knobs), (c) => Stream.runCollect(c.jobs))).pipe(
        Effect.timeout("200 millis"),
        Effect.either
      )
      if (hung._tag === "Left") hungTimedOut.push(r.entry.provider.name)
      r.server.setFaults([])
    }
    const first = running[0]!
    first.server.setFaults([{ fault: Faults.status(500) }])
    const failed = yield* Stream.runCollect(all.jobs({ providers: [first.entry.provider.name] })).pipe(Effect.either)
    return { counts, expected, taken: taken.length, hungTimedOut, failed: failed._tag === "Left" ? failed.left._tag : "no failure" }
  }).pipe(Effect.scoped)
  const sessionsClosed = running.every((r) => {
    const s = r.sessions?.()
    return s === undefined || (s.opened.length > 0 && s.closed.length === s.opened.length)
  })
  return { ...summary, sessionsClosed }
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
