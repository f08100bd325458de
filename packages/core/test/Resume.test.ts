import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { describe, expect, it } from "@effect/vitest"
import { Job, Resume } from "@jobstream/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const job = (id: string) => Job.make({ provider: "fake", id, status: "running", providerStatus: "running", raw: null })

/** Pages of ids as a positioned stream (numbered from `from`), one chunk per page. */
const numbered = (pages: ReadonlyArray<ReadonlyArray<string>>): Resume.Listing => (from) =>
  Stream.fromIterable(pages.map((ids, n) => ({ ids, n }))).pipe(
    Stream.filter(({ n }) => from === undefined || from._tag !== "Page" || n >= from.page),
    // One chunk per page, as the walks emit them.
    Stream.flatMap(({ ids, n }) =>
      Stream.fromChunk(Chunk.unsafeFromArray(ids.map((id, i) => ({
        item: job(id),
        page: Resume.page(n),
        ...(i === ids.length - 1 ? { next: Resume.page(n + 1) } : {})
      }))))
    )
  )

const ids = <E>(stream: Stream.Stream<Resume.Positioned<Job.Job>, E>) =>
  Effect.map(Stream.runCollect(stream), (c) => Chunk.toReadonlyArray(c).map((p) => p.item.id))

describe("Resume.skipDelivered", () => {
  const listing = numbered([["a", "b", "c"], ["d", "e", "f"], ["g"]])

  it.effect("skips the resumed page up to and including `after`", () =>
    Effect.gen(function*() {
      expect(yield* ids(Resume.skipDelivered(listing(Resume.page(1)), Resume.page(1), "e", (j) => j.id))).toEqual(["f", "g"])
      expect(yield* ids(Resume.skipDelivered(listing(Resume.page(1)), Resume.page(1), undefined, (j) => j.id))).toEqual([
        "d", "e", "f", "g"
      ])
    }))

  it.effect("a page that no longer holds `after` (the list shifted) is delivered whole: duplicates, never a gap", () =>
    Effect.gen(function*() {
      expect(yield* ids(Resume.skipDelivered(listing(Resume.page(1)), Resume.page(1), "zz", (j) => j.id))).toEqual([
        "d", "e", "f", "g"
      ])
      // The last page, without a next one: released when the stream ends.
      expect(yield* ids(Resume.skipDelivered(listing(Resume.page(2)), Resume.page(2), "zz", (j) => j.id))).toEqual(["g"])
    }))

  it.effect("a cursor page that starts with the cursor's own job (inclusive cursor) does not repeat it", () =>
    Effect.gen(function*() {
      const page = Resume.cursor("c")
      const stream = Stream.make<Array<Resume.Positioned<Job.Job>>>(
        { item: job("c"), page },
        { item: job("d"), page },
        { item: job("e"), page }
      )
      expect(yield* ids(Resume.skipDelivered(stream, page, "c", (j) => j.id))).toEqual(["d", "e"])
    }))
})

describe("Resume.forEach", () => {
  it.effect("checkpoints after each handler call; a failing call's jobs are delivered again, the others never", () =>
    Effect.gen(function*() {
      const store = yield* KeyValueStore.KeyValueStore
      const listing = numbered([["a", "b", "c"], ["d", "e", "f"], ["g"]])
      const got: Array<string> = []
      let calls = 0
      const failing = yield* Effect.flip(Resume.forEach({
        store,
        key: "x",
        listing,
        onJobs: (jobs) => (++calls === 2 ? Effect.fail("boom" as const) : Effect.sync(() => void got.push(...jobs.map((j) => j.id))))
      }))
      expect(failing).toBe("boom")
      expect(yield* Resume.load(store, "x")).toEqual({ version: 1, from: Resume.page(1), delivered: 3, complete: false })
      const done = yield* Resume.forEach({ store, key: "x", listing, onJobs: (jobs) => Effect.sync(() => void got.push(...jobs.map((j) => j.id))) })
      expect(got).toEqual(["a", "b", "c", "d", "e", "f", "g"])
      expect(done).toMatchObject({ delivered: 4, resumed: true, checkpoint: { from: Resume.page(3), delivered: 7, complete: true } })
      yield* Resume.reset(store, "x")
      expect(yield* Resume.load(store, "x")).toBeUndefined()
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))

  it.effect("a store that cannot be read or written is a typed error", () =>
    Effect.gen(function*() {
      const store = yield* KeyValueStore.KeyValueStore
      yield* store.set("bad", "not json")
      const error = yield* Effect.flip(Resume.forEach({ store, key: "bad", listing: numbered([["a"]]), onJobs: () => Effect.void }))
      expect(error).toMatchObject({ _tag: "CheckpointError", reason: "invalid" })
      expect(error.message).toContain("\"bad\" is not a valid checkpoint")
    }).pipe(Effect.provide(KeyValueStore.layerMemory)))
})
