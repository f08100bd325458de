/**
 * A live view of every provider: `AllJobs.watch` polls each provider's
 * listing (fast while jobs run, slowly when all are final) and emits the
 * changes — a job created, its status changed, finished — in order per job.
 * (The CLI's `jobstream watch --all` prints the same as a table or NDJSON.)
 *
 * Here the three simulators move one job each through its life, a step
 * every 300 ms at most and never before the watch has polled that provider
 * since the last step, and the watch polls every 100 ms while jobs run.
 *
 *   npx tsx --conditions=@jobstream/source examples/watch-all.ts
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { AllJobs, Provider } from "@jobstream/core"
import { Harness, Registry } from "@jobstream/testkit"
import { Effect, Stream } from "effect"

const program = Effect.gen(function*() {
  const { running } = yield* Harness.startAll(Registry.providers, () => ({ jobs: 20 }))
  const handles = yield* Effect.forEach(running, (r) => r.client())
  const service = AllJobs.make(handles.map(Provider.source))

  // One job per provider starts at the beginning of its life; the rest are final.
  const moving = running.map((r) => {
    const ids = r.expectedIds()
    for (const id of ids) r.lifecycle.set(id, id === ids[0] ? r.lifecycle.path[0]! : r.lifecycle.path.at(-1)!)
    return { r, id: ids[0]!, step: 0, polledAt: 0 }
  })
  // The polls of each provider so far (`onPoll`). A job moves only after its provider was polled
  // since its last step: the first poll (the baseline) sees it at the start of its life, however
  // slow the machine. A poll that was under way during a step may still see two steps at once and
  // report one change for them, so the number of changes is not fixed; the end is.
  const polls = new Map<string, number>()
  let finished = 0
  yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
    yield* Effect.sleep("300 millis")
    for (const m of moving) {
      const polled = polls.get(m.r.entry.provider.name) ?? 0
      if (polled > m.polledAt && m.step < m.r.lifecycle.path.length - 1) {
        m.polledAt = polled
        m.r.lifecycle.set(m.id, m.r.lifecycle.path[++m.step]!)
      }
    }
  })))

  const onPoll = (poll: { readonly provider: string }) =>
    Effect.sync(() => void polls.set(poll.provider, (polls.get(poll.provider) ?? 0) + 1))
  yield* service.watch({ activeInterval: "100 millis", idleInterval: "1 second", onPoll }).pipe(
    Stream.takeUntil((change) => change._tag === "Finished" && ++finished === moving.length),
    Stream.runForEach((change) =>
      Effect.sync(() => {
        const from = change._tag === "Created" ? "" : `${change.previous} → `
        console.log(`${change.provider.padEnd(10)} ${change._tag.padEnd(8)} ${change.job.id.padEnd(20)} ${from}${change.job.status} (${change.job.providerStatus})`)
      })
    ),
    // An example must end: give up after a minute rather than wait for ever.
    Effect.timeoutFail({ duration: "1 minute", onTimeout: () => new Error("watch-all: not every job finished") })
  )
}).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))

Effect.runPromise(program).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
