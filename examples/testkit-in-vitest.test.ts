/**
 * Using the testkit simulators in your own vitest tests: each test starts a
 * real HTTP simulator on 127.0.0.1 inside a scope (closed when the test ends),
 * builds the client over real HTTP, and inspects the simulator's request log.
 *
 *   npx vitest run examples/testkit-in-vitest.test.ts
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import { IcwsClient } from "@jobstream/icws"
import { InsideViewClient } from "@jobstream/insideview"
import { Capture, Faults, Harness, IcwsSimulator, InsideViewSimulator, Registry } from "@jobstream/testkit"
import { Effect, Layer, Redacted, Schedule, Stream } from "effect"

/** The client under test, pointed at a simulator. */
const insideView = (url: string, options: Partial<InsideViewClient.Options> = {}) =>
  InsideViewClient.layer({
    baseUrl: url,
    auth: InsideViewClient.Auth.token(Redacted.make("sim-fixed-token")),
    retryPolicy: RetryPolicy.immediate(3), // retries without waiting: tests stay fast
    ...options
  }).pipe(Layer.provide(FetchHttpClient.layer))

describe("my code against the testkit simulators", () => {
  it.scoped("streams every job across pages", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 120 })
      const ids = yield* Effect.flatMap(InsideViewClient.InsideViewClient, (c) => Stream.runCollect(c.jobs())).pipe(
        Effect.provide(insideView(sim.url))
      )
      expect(ids.length).toBe(120)
      expect(sim.listRequests).toBe(3) // 50 a page
    }))

  it.scoped("recovers from injected faults", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 100,
        faults: [Faults.onRequests([1], Faults.status(503)), Faults.onRequests([3], Faults.reset)]
      })
      const count = yield* Effect.flatMap(InsideViewClient.InsideViewClient, (c) => Stream.runCount(c.jobs())).pipe(
        Effect.provide(insideView(sim.url))
      )
      expect(count).toBe(100)
      expect(sim.requests.filter((r) => r.fault !== undefined).map((r) => r.fault)).toEqual(["Status", "Reset"])
    }))

  it.scoped("fails with a typed error when the server keeps failing", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 10, faults: [Faults.withProbability(1, Faults.status(500))] })
      const error = yield* Effect.flatMap(InsideViewClient.InsideViewClient, (c) => Stream.runDrain(c.jobs())).pipe(
        Effect.provide(insideView(sim.url)),
        Effect.flip
      )
      expect(error._tag).toBe("ServerError")
      expect(sim.requestCount).toBe(4) // first attempt + 3 retries
    }))

  // `it.scoped` runs on the TestClock, where `Schedule.spaced` never fires: polling needs the live clock.
  it.scopedLive("drives an ICWS job to the end, polling fast", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 0 })
      const states = yield* Effect.gen(function*() {
        const client = yield* IcwsClient.IcwsClient
        const { id } = yield* client.submitJob({
          name: "test",
          submittedUserId: "agent",
          tables: { tableList: [{ name: "IWrkgrpQueueStats", column: [{ name: "cName" }] }] }
        })
        sim.setOutcome(id, "failed")
        return yield* client.watchJob(id, Schedule.spaced("5 millis")).pipe(
          Stream.map((s) => s.state),
          Stream.runCollect
        )
      }).pipe(
        Effect.provide(IcwsClient.layer({ baseUrl: sim.url, user: "agent", password: Redacted.make("s3cret-pw") })),
        Effect.provide(FetchHttpClient.layer)
      )
      expect([...states].at(-1)).toBe(3) // failed
      expect(sim.deletedSessions.length).toBe(1) // logged out when the layer was released
    }))
})

// Every provider at once: the testkit's Registry pairs each provider's descriptor with its simulator,
// and Capture records what the code logged, so one test covers every provider without naming one.
describe("my code against every registered provider", () => {
  for (const entry of Registry.providers) {
    it.scoped(`${entry.provider.name}: every job, in order, and no secret in the logs`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 30 })
        const logs = Capture.logs()
        const jobs = yield* Capture.collect(Harness.jobs(running)).pipe(Effect.provide(logs.layer))
        expect(jobs.map((j) => j.id)).toEqual(running.expectedIds())
        expect(Capture.findLeaks(running.secrets(), logs.texts())).toEqual([])
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  }
})
