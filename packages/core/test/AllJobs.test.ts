import { describe, expect, it } from "@effect/vitest"
import { AllJobs, ApiError, Job } from "@jobstream/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"

const job = (provider: string, id: string, status: Job.Status): Job.Job =>
  Job.make({ provider, id, status, providerStatus: status, raw: { id } })

const source = (provider: string, n: number, statuses: ReadonlyArray<Job.Status> = ["running", "succeeded"]) => ({
  provider,
  // A yield between items makes the providers interleave.
  jobs: Stream.fromIterable(Array.from({ length: n }, (_, i) => job(provider, `${provider}-${i}`, statuses[i % statuses.length]!))).pipe(
    Stream.tap(() => Effect.yieldNow())
  )
})

const boom = new ApiError.ServerError({ provider: "b", operation: "listJobs", method: "GET", url: "http://b/", status: 500 })

describe("AllJobs", () => {
  it.effect("merges providers concurrently and keeps each provider's order", () =>
    Effect.gen(function*() {
      const all = AllJobs.make([source("a", 50), source("b", 30), source("c", 20)])
      const out = Chunk.toReadonlyArray(yield* Stream.runCollect(all.jobs()))
      expect(out).toHaveLength(100)
      for (const p of ["a", "b", "c"]) {
        const mine = out.filter((j) => j.provider === p).map((j) => j.id)
        expect(mine).toEqual(mine.slice().sort((x, y) => Number(x.split("-")[1]) - Number(y.split("-")[1])))
      }
      // interleaved: the first 10 are not all from one provider
      expect(new Set(out.slice(0, 10).map((j) => j.provider)).size).toBeGreaterThan(1)
    }))

  it.effect("filters by provider and by normalized status", () =>
    Effect.gen(function*() {
      const all = AllJobs.make([source("a", 10), source("b", 10, ["failed"])])
      const onlyB = Chunk.toReadonlyArray(yield* Stream.runCollect(all.jobs({ providers: ["b"] })))
      expect(new Set(onlyB.map((j) => j.provider))).toEqual(new Set(["b"]))
      const failed = Chunk.toReadonlyArray(yield* Stream.runCollect(all.jobs({ statuses: ["failed"] })))
      expect(failed).toHaveLength(10)
      expect(failed.every((j) => j.status === "failed")).toBe(true)
      const succeededA = Chunk.toReadonlyArray(yield* Stream.runCollect(all.jobs({ providers: ["a"], statuses: ["succeeded"] })))
      expect(succeededA.map((j) => j.id)).toEqual(["a-1", "a-3", "a-5", "a-7", "a-9"])
    }))

  it.effect("by default one provider's failure fails the stream with its typed error and stops the others", () =>
    Effect.gen(function*() {
      const pulledFromA = yield* Ref.make(0)
      const a = {
        provider: "a",
        jobs: Stream.repeatEffect(Ref.updateAndGet(pulledFromA, (n) => n + 1)).pipe(
          Stream.map((n) => job("a", `a-${n}`, "running")),
          Stream.tap(() => Effect.yieldNow())
        )
      }
      const b = { provider: "b", jobs: Stream.concat(source("b", 3).jobs, Stream.fail(boom)) }
      const error = yield* Effect.flip(Stream.runDrain(AllJobs.make([a, b]).jobs()))
      expect(error).toBe(boom)
      const stoppedAt = yield* Ref.get(pulledFromA)
      yield* Effect.repeat(Effect.yieldNow(), { times: 20 })
      expect(yield* Ref.get(pulledFromA)).toBe(stoppedAt)
    }))

  it.effect("settled keeps the others going and reports the failure as a value", () =>
    Effect.gen(function*() {
      const b = { provider: "b", jobs: Stream.concat(source("b", 3).jobs, Stream.fail(boom)) }
      const out = Chunk.toReadonlyArray(yield* Stream.runCollect(AllJobs.make([source("a", 20), b]).settled()))
      const failures = out.filter((x) => x._tag === "ProviderFailure")
      expect(failures).toEqual([{ _tag: "ProviderFailure", provider: "b", error: boom }])
      expect(out.filter((x) => x._tag === "Job" && x.job.provider === "a")).toHaveLength(20)
      expect(out.filter((x) => x._tag === "Job" && x.job.provider === "b")).toHaveLength(3)
    }))

  it.effect("the layer composes from source effects", () =>
    Effect.gen(function*() {
      const ids = yield* AllJobs.jobs().pipe(Stream.map((j) => j.id), Stream.runCollect)
      expect(Chunk.toReadonlyArray(ids)).toEqual(["x-0", "x-1"])
    }).pipe(Effect.provide(AllJobs.layer([Effect.succeed(source("x", 2))]))))
})
