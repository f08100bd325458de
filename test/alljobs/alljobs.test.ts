/**
 * AllJobs over the three real provider clients, each talking HTTP to its
 * simulator: per-provider order, provider and status filters, fail-fast with
 * the failing provider's typed error, and settled mode.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { AllJobs, type Job, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { IcwsClient } from "@jobstream/icws"
import { InsideViewClient } from "@jobstream/insideview"
import { Faults, GreenArrowSimulator, IcwsSimulator, InsideViewSimulator } from "@jobstream/testkit"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"

interface SimOptions {
  readonly insideView?: InsideViewSimulator.InsideViewOptions
  readonly greenArrow?: GreenArrowSimulator.GreenArrowSimOptions
  readonly icws?: IcwsSimulator.IcwsOptions
}

/** Three simulators (closed with the scope) and the AllJobs layer over their clients. */
const setup = (options: SimOptions = {}) =>
  Effect.gen(function*() {
    const insideView = yield* InsideViewSimulator.makeInsideView({ jobs: 230, ...options.insideView })
    const greenArrow = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 90, organizations: [1], ...options.greenArrow })
    const icws = yield* IcwsSimulator.makeIcws({ jobs: 35, ...options.icws })
    const key = GreenArrowSimulator.defaultKeys[0]!
    const layer = AllJobs.layer([InsideViewClient.source, GreenArrowClient.source, IcwsClient.source]).pipe(
      Layer.provide([
        InsideViewClient.layer({
          baseUrl: insideView.url,
          auth: InsideViewClient.Auth.token(Redacted.make("sim-fixed-token")),
          resultsPerPage: 20,
          retryPolicy: RetryPolicy.none
        }),
        GreenArrowClient.layer({
          baseUrl: greenArrow.url,
          auth: { _tag: "Key", organizationId: key.organizationId, apiKey: Redacted.make(key.apiKey) },
          perPage: 25,
          retryPolicy: RetryPolicy.none
        }),
        IcwsClient.layer({
          baseUrl: icws.url,
          user: "agent",
          password: Redacted.make("s3cret-pw"),
          pageSize: 10,
          retryPolicy: RetryPolicy.none
        })
      ]),
      Layer.provide(FetchHttpClient.layer),
      // The options are valid: a ConfigError here is a bug in the test.
      Layer.orDie
    )
    return { insideView, greenArrow, icws, layer }
  })

const collect = <E, R>(stream: Stream.Stream<Job.Job, E, R>) =>
  Effect.map(Stream.runCollect(stream), (c) => Chunk.toReadonlyArray(c))

const idsOf = (jobs: ReadonlyArray<Job.Job>, provider: string) =>
  jobs.filter((j) => j.provider === provider).map((j) => j.id)

describe("AllJobs over the three providers", () => {
  it.scopedLive("merges every job, keeping each provider's own order", () =>
    Effect.gen(function*() {
      const s = yield* setup({ insideView: { latency: { millis: 2 } }, icws: { latency: { millis: 1 } } })
      const jobs = yield* collect(AllJobs.jobs()).pipe(Effect.provide(s.layer))
      expect(jobs).toHaveLength(230 + 90 + 35)
      // InsideView and ICWS list newest first; GreenArrow by id.
      expect(idsOf(jobs, "insideview")).toEqual(s.insideView.jobs.map((j) => j.jobId))
      expect(idsOf(jobs, "greenarrow")).toEqual(s.greenArrow.jobs.map((j) => String(j.id)))
      expect(idsOf(jobs, "icws")).toEqual(s.icws.jobs.map((j) => j.status.id).reverse())
      // Concurrent: the providers interleave rather than arriving one after the other.
      const firstOfEach = ["insideview", "greenarrow", "icws"].map((p) => jobs.findIndex((j) => j.provider === p))
      expect(Math.max(...firstOfEach)).toBeLessThan(230)
    }))

  it.scopedLive("filters by provider without calling the others, and by normalized status", () =>
    Effect.gen(function*() {
      const s = yield* setup()
      const all = yield* collect(AllJobs.jobs()).pipe(Effect.provide(s.layer))
      const insideViewRequests = s.insideView.requestCount

      const two = yield* collect(AllJobs.jobs({ providers: ["greenarrow", "icws"] })).pipe(Effect.provide(s.layer))
      expect(new Set(two.map((j) => j.provider))).toEqual(new Set(["greenarrow", "icws"]))
      expect(two).toHaveLength(90 + 35)
      expect(s.insideView.requestCount).toBe(insideViewRequests)

      const statuses: ReadonlyArray<Job.Status> = ["failed", "canceled"]
      const ended = yield* collect(AllJobs.jobs({ statuses })).pipe(Effect.provide(s.layer))
      const expected = all.filter((j) => statuses.includes(j.status))
      expect(expected.length).toBeGreaterThan(0)
      expect(ended.map((j) => `${j.provider}/${j.id}`).sort()).toEqual(expected.map((j) => `${j.provider}/${j.id}`).sort())
    }))

  it.scopedLive("fails fast with the failing provider's typed error and stops the others", () =>
    Effect.gen(function*() {
      const s = yield* setup({
        insideView: { jobs: 2_000, latency: { millis: 10 } },
        greenArrow: { faults: [Faults.onRequests([2], Faults.status(500))] }
      })
      const error = yield* Stream.runDrain(AllJobs.jobs()).pipe(Effect.provide(s.layer), Effect.flip)
      expect(error._tag).toBe("ServerError")
      expect(error.provider).toBe("greenarrow")
      // 2000 InsideView jobs are 100 pages; the failure stopped the walk early.
      expect(s.insideView.listRequests).toBeLessThan(100)
    }))

  it.scopedLive("settled: reports the failure as a value and completes the other providers", () =>
    Effect.gen(function*() {
      const s = yield* setup({ icws: { users: { agent: "another-password" } } })
      const out = yield* Stream.runCollect(AllJobs.settled()).pipe(Effect.provide(s.layer))
      const failures = Chunk.toReadonlyArray(out).filter((e): e is AllJobs.ProviderFailure => e._tag === "ProviderFailure")
      const jobs = Chunk.toReadonlyArray(out).flatMap((e) => (e._tag === "Job" ? [e.job] : []))
      expect(failures).toHaveLength(1)
      expect(failures[0]!.provider).toBe("icws")
      expect(failures[0]!.error._tag).toBe("BadRequest") // ICWS answers bad credentials with 400
      expect(idsOf(jobs, "insideview")).toHaveLength(230)
      expect(idsOf(jobs, "greenarrow")).toHaveLength(90)
      expect(idsOf(jobs, "icws")).toHaveLength(0)
      // The same configuration fails fast without settled.
      const error = yield* Stream.runDrain(AllJobs.jobs()).pipe(Effect.provide(s.layer), Effect.flip)
      expect(error._tag).toBe("BadRequest")
    }))
})
