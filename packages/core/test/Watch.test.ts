import { describe, expect, it } from "@effect/vitest"
import { AllJobs, ApiError, Job, Watch } from "@jobstream/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"

const job = (id: string, status: Job.Status, providerStatus: string = status) =>
  Job.make({ provider: "fake", id, status, providerStatus, raw: null })

/** A source whose listing is whatever `state.jobs` holds when a poll reads it; counts polls. */
const fakeSource = (initial: ReadonlyArray<Job.Job>) => {
  const state = { jobs: [...initial], polls: 0, failNext: 0 }
  const source: AllJobs.Source = {
    provider: "fake",
    jobs: Stream.suspend(() => {
      state.polls++
      if (state.failNext > 0) {
        state.failNext--
        return Stream.fail(new ApiError.ServerError({ provider: "fake", operation: "listJobs", method: "GET", url: "/jobs", status: 503 }))
      }
      return Stream.fromIterable(state.jobs)
    })
  }
  return { state, source }
}

const tags = (changes: ReadonlyArray<Watch.Change>) => changes.map((c) => `${c._tag}:${c.job.id}:${c.job.status}`)

describe("Watch.diff", () => {
  it("first poll: baseline reports nothing, unfinished reports unfinished jobs, all reports all", () => {
    const jobs = [job("a", "running"), job("b", "succeeded")]
    expect(Watch.diff("p", undefined, jobs, 0)).toEqual([])
    expect(tags(Watch.diff("p", undefined, jobs, 0, "unfinished"))).toEqual(["Created:a:running"])
    expect(tags(Watch.diff("p", undefined, jobs, 0, "all"))).toEqual(["Created:a:running", "Created:b:succeeded"])
  })

  it("later polls: created, changed (status or status word), finished; unchanged jobs say nothing", () => {
    const before = new Map([
      ["a", { status: "pending" as const, providerStatus: "queued" }],
      ["b", { status: "running" as const, providerStatus: "started" }],
      ["c", { status: "running" as const, providerStatus: "sending" }],
      ["d", { status: "succeeded" as const, providerStatus: "finished" }]
    ])
    const now = [
      job("a", "running", "started"),
      job("b", "failed", "failed"),
      job("c", "running", "sending-batch-2"),
      job("d", "succeeded", "finished"),
      job("e", "pending", "queued"),
      job("f", "canceled", "canceled")
    ]
    const changes = Watch.diff("p", before, now, 42)
    expect(tags(changes)).toEqual([
      "Changed:a:running",
      "Finished:b:failed",
      "Changed:c:running",
      "Created:e:pending",
      "Created:f:canceled",
      "Finished:f:canceled"
    ])
    expect(changes[0]).toMatchObject({ previous: "pending", previousProviderStatus: "queued", at: 42 })
    expect(changes[1]).toMatchObject({ previous: "running" })
  })
})

describe("Watch.source", () => {
  it.effect("polls fast while jobs run, slowly when all are final, and reports each change once", () =>
    Effect.gen(function*() {
      const { source, state } = fakeSource([job("a", "running")])
      const seen: Array<string> = []
      const fiber = yield* Effect.fork(
        Stream.runForEach(
          Watch.source(source, { activeInterval: "5 seconds", idleInterval: "1 minute" }),
          (c) => Effect.sync(() => seen.push(`${c._tag}:${c.job.id}:${c.job.status}`))
        )
      )
      yield* TestClock.adjust("1 millis")
      expect(state.polls).toBe(1)
      state.jobs = [job("a", "running"), job("b", "pending")]
      yield* TestClock.adjust("5 seconds")
      expect(state.polls).toBe(2)
      expect(seen).toEqual(["Created:b:pending"])
      state.jobs = [job("a", "succeeded"), job("b", "canceled")]
      yield* TestClock.adjust("5 seconds")
      expect(state.polls).toBe(3)
      expect(seen).toEqual(["Created:b:pending", "Finished:a:succeeded", "Finished:b:canceled"])
      // Everything is final: the next poll waits the idle interval.
      yield* TestClock.adjust("59 seconds")
      expect(state.polls).toBe(3)
      yield* TestClock.adjust("1 second")
      expect(state.polls).toBe(4)
      expect(seen).toHaveLength(3)
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("a failed poll is retried after a doubling wait; too many in a row fail the stream", () =>
    Effect.gen(function*() {
      const { source, state } = fakeSource([job("a", "running")])
      state.failNext = 0
      const fiber = yield* Effect.fork(
        Stream.runCollect(Watch.source(source, { activeInterval: "1 second", maxConsecutiveFailures: 3 }))
      )
      yield* TestClock.adjust("1 millis")
      state.failNext = 2
      state.jobs = [job("a", "succeeded")]
      yield* TestClock.adjust("2 seconds")
      expect(state.polls).toBe(3) // two failures (at 1 s, then 1 s later), nothing reported yet
      yield* TestClock.adjust("1 second")
      expect(state.polls).toBe(3) // the second failure doubled the wait: 2 s
      yield* TestClock.adjust("1 second")
      expect(state.polls).toBe(4)
      state.failNext = 3
      yield* TestClock.adjust("1 minute")
      yield* TestClock.adjust("1 minute")
      yield* TestClock.adjust("1 minute")
      const exit = yield* Fiber.await(fiber)
      expect(exit._tag).toBe("Failure")
      expect(state.polls).toBe(7)
    }))

  it.effect("maxConsecutiveFailures Infinity: 50 failed polls in a row, waits doubling up to the idle interval, then the change", () =>
    Effect.gen(function*() {
      const { source, state } = fakeSource([job("a", "running")])
      const failed: Array<{ readonly failures: number; readonly at: number }> = []
      const fiber = yield* Effect.fork(
        Stream.runCollect(Stream.take(
          Watch.source(source, {
            activeInterval: "1 second",
            idleInterval: "8 seconds",
            maxConsecutiveFailures: Infinity,
            onPoll: (poll) => Effect.sync(() => void (poll.error !== undefined && failed.push({ failures: poll.failures, at: poll.at })))
          }),
          1
        ))
      )
      yield* TestClock.adjust("1 millis") // the baseline
      state.failNext = 50
      // Failures at 1, 2, 4, 8, 16, 24 … 376 s; the next poll would be at 384 s.
      yield* TestClock.adjust("380 seconds")
      expect(failed.map((f) => f.failures)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
      const gaps = failed.slice(1).map((f, i) => f.at - failed[i]!.at)
      expect(gaps).toEqual([1000, 2000, 4000, ...Array.from({ length: 46 }, () => 8000)])
      expect(fiber.unsafePoll()).toBeNull()
      state.jobs = [job("a", "succeeded")]
      yield* TestClock.adjust("4 seconds")
      const got = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(tags(got)).toEqual(["Finished:a:succeeded"])
      expect(state.polls).toBe(52)
    }))

  it.effect("sources interleave providers and keep each one's events in order", () =>
    Effect.gen(function*() {
      const one = fakeSource([])
      const two = { ...fakeSource([]), source: { provider: "other", jobs: Stream.make(job("x", "running")) } }
      const fiber = yield* Effect.fork(
        Stream.runCollect(Stream.take(Watch.sources([one.source, two.source], { initial: "all" }), 1))
      )
      yield* TestClock.adjust("1 millis")
      const got = Chunk.toReadonlyArray(yield* Fiber.join(fiber))
      expect(got.map((c) => `${c.provider}:${c._tag}:${c.job.id}`)).toEqual(["other:Created:x"])
    }))

  it.effect("onPoll reports every poll (jobs, unfinished, changes, failures); AllJobs.watch filters by status", () =>
    Effect.gen(function*() {
      const { source, state } = fakeSource([job("a", "running"), job("b", "pending")])
      const polls: Array<Watch.Poll> = []
      const service = AllJobs.make([source])
      const seen: Array<string> = []
      const fiber = yield* Effect.fork(
        Stream.runForEach(
          service.watch({ activeInterval: "1 second", statuses: ["failed"], onPoll: (p) => Effect.sync(() => void polls.push(p)) }),
          (c) => Effect.sync(() => void seen.push(`${c._tag}:${c.job.id}`))
        )
      )
      yield* TestClock.adjust("1 millis")
      state.jobs = [job("a", "failed"), job("b", "running")]
      yield* TestClock.adjust("1 second")
      state.failNext = 1
      yield* TestClock.adjust("1 second")
      expect(seen).toEqual(["Finished:a"]) // b's change is filtered out
      expect(polls.map((p) => [p.jobs, p.unfinished, p.changes, p.failures, p.error?._tag])).toEqual([
        [2, 2, 0, 0, undefined],
        [2, 1, 2, 0, undefined],
        [0, 0, 0, 1, "ServerError"]
      ])
      yield* Fiber.interrupt(fiber)
    }))
})
