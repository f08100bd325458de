/**
 * `AllJobs.watch` over every registered provider's simulator: every state
 * change the simulator makes is reported once, in order per job, with one
 * poll per interval (faster while jobs run, slower once all are final).
 * Polling sleeps on the TestClock; the requests are real HTTP.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { AllJobs, Provider, type Watch } from "@jobstream/core"
import { Harness, Registry } from "@jobstream/testkit"
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
