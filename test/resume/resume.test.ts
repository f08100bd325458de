/**
 * Resumable listings over every registered provider's simulator: a listing
 * stopped at a random page (interrupted, or failed by its consumer) and
 * resumed from its checkpoint yields every id exactly once across both runs,
 * and the resumed run does not ask again for pages it had delivered.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { describe, expect, it } from "@effect/vitest"
import { Resume } from "@jobstream/core"
import { Registry } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

const pageSize = 7
const pages = 6
const jobCount = pageSize * pages + 3 // a short last page

class Stop {
  readonly _tag = "Stop"
}

/** A seeded choice of the job count after which the first run stops (never on a page boundary only). */
const stopPoints = (seed: number): ReadonlyArray<number> => {
  let x = seed
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  return [pageSize, pageSize * 3 + 2, 1 + Math.floor(next() * (jobCount - 2)), 1 + Math.floor(next() * (jobCount - 2))]
}

describe.each(Registry.providers.map((entry) => [entry.provider.name, entry] as const))("Resume over %s", (_, entry) => {
  for (const how of ["interrupted", "failed"] as const) {
    it.live(`stopped ${how} at a random page, then resumed: every id once, delivered pages not read again`, () =>
      Effect.gen(function*() {
        for (const [round, stopAfter] of stopPoints(jobCount + how.length).entries()) {
          const running = yield* entry.start({ jobs: jobCount })
          const client = yield* running.client({ pageSize, concurrency: 2 })
          const store = yield* KeyValueStore.KeyValueStore
          const key = `t/${entry.provider.name}/${how}/${round}`
          const delivered: Array<string> = []
          // Each handler call sees one chunk; the run stops at the first call that would pass `stopAfter`.
          const first = yield* Effect.exit(Resume.forEach({
            store,
            key,
            listing: client.jobsFrom!,
            onJobs: (jobs) =>
              delivered.length + jobs.length > stopAfter
                ? (how === "interrupted" ? Effect.interrupt : Effect.fail(new Stop()))
                : Effect.sync(() => void delivered.push(...jobs.map((j) => j.id)))
          }))
          expect(Exit.isFailure(first), `stopped after ${stopAfter}`).toBe(true)
          const checkpoint = yield* Resume.load(store, key)
          expect(checkpoint?.delivered).toBe(delivered.length)
          const listBefore = running.server.requests.filter(entry.isList).length
          const firstRun = delivered.length

          const second = yield* Resume.forEach({
            store,
            key,
            listing: client.jobsFrom!,
            onJobs: (jobs) => Effect.sync(() => void delivered.push(...jobs.map((j) => j.id)))
          })
          expect(second.resumed).toBe(true)
          expect(second.delivered).toBe(jobCount - firstRun)
          expect(second.checkpoint).toMatchObject({ complete: true, delivered: jobCount })
          // Exactly once, in the listing's order.
          expect(delivered).toEqual(running.expectedIds())
          // The resumed run reads the pages from the one it stopped in: at most the ones left, plus the
          // numbered walk's look past the end and its read-ahead.
          const pagesLeft = Math.ceil(jobCount / pageSize) - Math.floor(firstRun / pageSize)
          const listAfter = running.server.requests.filter(entry.isList).length - listBefore
          expect(listAfter).toBeLessThanOrEqual(pagesLeft + 2)

          // A completed listing resumed again reads only what came after it: nothing here.
          const third = yield* Resume.forEach({ store, key, listing: client.jobsFrom!, onJobs: () => Effect.void })
          expect(third.delivered).toBe(0)
        }
      }).pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, KeyValueStore.layerMemory])))
  }

  it.live("restart ignores the checkpoint; a corrupt checkpoint is a typed error", () =>
    Effect.gen(function*() {
      const running = yield* entry.start({ jobs: 12 })
      const client = yield* running.client({ pageSize: 5 })
      const store = yield* KeyValueStore.KeyValueStore
      const all = yield* Resume.forEach({ store, key: "k", listing: client.jobsFrom!, onJobs: () => Effect.void })
      expect(all.delivered).toBe(12)
      const again = yield* Resume.forEach({ store, key: "k", listing: client.jobsFrom!, onJobs: () => Effect.void, restart: true })
      expect(again).toMatchObject({ delivered: 12, resumed: false })
      yield* store.set("k", "{\"version\":1,\"from\":{\"_tag\":\"Page\",\"page\":-3}}")
      const error = yield* Effect.flip(Resume.forEach({ store, key: "k", listing: client.jobsFrom!, onJobs: () => Effect.void }))
      expect(error).toMatchObject({ _tag: "CheckpointError", reason: "invalid", key: "k" })
    }).pipe(Effect.scoped, Effect.provide([FetchHttpClient.layer, KeyValueStore.layerMemory])))
})
