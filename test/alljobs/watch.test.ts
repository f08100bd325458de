/**
 * `AllJobs.watch` over every registered provider's simulator: every state
 * change the simulator makes is reported once, in order per job, with one
 * poll per interval (faster while jobs run, slower once all are final).
 * Polling sleeps on the TestClock; the requests are real HTTP.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { AllJobs, Provider, RetryPolicy, type Watch } from "@jobstream/core"
import { Faults, Harness, Registry } from "@jobstream/testkit"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"

const active = 5_000
const idle = 60_000
const tick = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

/** Waits (on real I/O) until the watch sleeps `millis` from now: its poll is over. */
const sleepingFor = (millis: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < 10_000; i++) {
      const now = yield* TestClock.currentTimeMillis
      if (Chunk.toReadonlyArray(yield* TestClock.sleeps()).includes(now + millis)) return
      yield* tick
    }
    return yield* Effect.dieMessage(`the watch never slept for ${millis} ms`)
  })

describe.each(Registry.providers.map((entry) => [entry.provider.name, entry] as const))("AllJobs.watch over %s", (_, entry) => {
  it.scoped("reports every state change once, in order per job, one poll per interval", () =>
    Effect.gen(function*() {
      const running = yield* entry.start({ jobs: 12 })
      const { path, set } = running.lifecycle
      const ids = running.expectedIds()
      const watched = [ids[1]!, ids[4]!, ids[9]!]
      // Everything else is final, so the pace depends on the watched jobs only.
      for (const id of ids) set(id, watched.includes(id) ? path[0]! : path.at(-1)!)
      const client = yield* running.client({ timeout: "1 hour" })
      const service = AllJobs.make([Provider.source(client)])
      const events: Array<Watch.Change> = []
      const fiber = yield* Effect.fork(
        Stream.runForEach(service.watch({ activeInterval: active, idleInterval: idle }), (c) => Effect.sync(() => void events.push(c)))
      )
      yield* sleepingFor(active)
      const pagesPerPoll = Harness.listCount(running)
      expect(events).toEqual([]) // the first poll is the baseline

      // Each round moves one more job one step: job k starts moving at round k.
      const steps = new Map(watched.map((id) => [id, 0]))
      let rounds = 0
      while ([...steps.values()].some((n) => n < path.length - 1)) {
        rounds++
        watched.forEach((id, k) => {
          const n = steps.get(id)!
          if (rounds > k && n < path.length - 1) {
            steps.set(id, n + 1)
            set(id, path[n + 1]!)
          }
        })
        yield* TestClock.adjust(active)
        const allFinal = [...steps.values()].every((n) => n === path.length - 1)
        yield* sleepingFor(allFinal ? idle : active)
      }
      expect(Harness.listCount(running)).toBe(pagesPerPoll * (rounds + 1))

      for (const id of watched) {
        const mine = events.filter((e) => e.job.id === id)
        expect(mine.map((e) => e.job.providerStatus), id).toEqual(path.slice(1))
        expect(mine.map((e) => e._tag)).toEqual([...path.slice(2).map(() => "Changed"), "Finished"])
        expect(mine.every((e) => e.provider === entry.provider.name)).toBe(true)
      }
      expect(events).toHaveLength(watched.length * (path.length - 1))

      // Idle now: nothing for 59 s, then one poll.
      const before = Harness.listCount(running)
      yield* TestClock.adjust(idle - 1000)
      expect(Harness.listCount(running)).toBe(before)
      yield* TestClock.adjust(1000)
      yield* sleepingFor(idle)
      expect(Harness.listCount(running)).toBe(before + pagesPerPoll)
      yield* Fiber.interrupt(fiber)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})

/** What a provider that is down answers every listing with, and the error a poll then ends with. */
const outages = [
  { label: "503", fault: Faults.status(503), error: "ServerError" },
  { label: "403", fault: Faults.status(403), error: "Forbidden" },
  { label: "connection reset", fault: Faults.reset, error: "TransportError" }
] as const

describe.each(Registry.providers.map((entry) => [entry.provider.name, entry] as const))("AllJobs.watch over %s, through an outage", (_, entry) => {
  for (const outage of outages) {
    it.scoped(`${outage.label} on every listing: polls back off (5, 10, 20, 40, 60, 60 s), never end the watch, and the first change after is reported`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 6 })
        const { path, set } = running.lifecycle
        const ids = running.expectedIds()
        const watched = ids[2]!
        for (const id of ids) set(id, id === watched ? path[0]! : path.at(-1)!)
        running.server.setFaults([{ match: entry.isList, fault: outage.fault }])
        const client = yield* running.client({ timeout: "1 hour", retryPolicy: RetryPolicy.none })
        const failed: Array<Watch.Poll> = []
        const events: Array<Watch.Change> = []
        const changes = AllJobs.make([Provider.source(client)]).watch({
          activeInterval: active,
          idleInterval: idle,
          maxConsecutiveFailures: Infinity,
          onPoll: (poll) => Effect.sync(() => void (poll.error !== undefined && failed.push(poll)))
        })
        const fiber = yield* Effect.fork(Stream.runForEach(changes, (c) => Effect.sync(() => void events.push(c))))
        const waits = [5_000, 10_000, 20_000, 40_000, 60_000, 60_000, 60_000]
        yield* sleepingFor(waits[0]!)
        for (let k = 1; k < waits.length; k++) {
          yield* TestClock.adjust(waits[k - 1]!)
          yield* sleepingFor(waits[k]!)
        }
        expect(failed.map((p) => [p.failures, p.error?._tag])).toEqual(waits.map((_, i) => [i + 1, outage.error]))
        expect(Harness.listCount(running)).toBe(waits.length) // one request per poll: no retries, no loop
        expect(events).toEqual([])

        // Back: the next poll (an idle interval later) is the baseline; the step after it is reported.
        running.server.setFaults([])
        yield* TestClock.adjust(waits.at(-1)!)
        yield* sleepingFor(active)
        set(watched, path[1]!)
        yield* TestClock.adjust(active)
        yield* sleepingFor(path.length === 2 ? idle : active)
        expect(events.map((e) => [e.job.id, e.job.providerStatus])).toEqual([[watched, path[1]]])
        expect(failed).toHaveLength(waits.length)
        yield* Fiber.interrupt(fiber)
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  }
})
