/**
 * awaitJob's typed endings and bound; submitJob retried only when no job can
 * have been created, and `OutcomeUnknown` (never a second POST) when one may
 * have been. Real HTTP against the simulator; the one-hour bound on the TestClock.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { IcwsClient, type IcwsJob } from "@jobstream/icws"
import { Faults, IcwsSimulator } from "@jobstream/testkit"
import { Chunk, Duration, Effect, Exit, Fiber, Schedule, Scope, TestClock } from "effect"
import type { Scope as ScopeType } from "effect"
import { options, realTick, realWait, requestsTo, withClient } from "./helpers.js"

const live = <A, E>(name: string, f: () => Effect.Effect<A, E, ScopeType.Scope>) =>
  it.live(name, () => Effect.scoped(f()))

const config: IcwsJob.JobConfig = {
  name: "queue-stats",
  submittedUserId: "agent",
  tables: { tableList: [{ name: "IWrkgrpQueueStats", column: [{ name: "cName" }] }] }
}
const fast = Schedule.spaced("2 millis")
const isSubmit = (r: { readonly method: string; readonly path: string }) =>
  r.method === "POST" && r.path.endsWith("/data-extractor/jobs")

describe("awaitJob", () => {
  live("a job that fails: JobFailed carrying the server's errorInfo", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const error = yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          const { id } = yield* c.submitJob(config)
          sim.setOutcome(id, "failed", "Disk full on D:")
          return yield* Effect.flip(c.awaitJob(id, { schedule: fast }))
        }))
      expect(error).toMatchObject({
        _tag: "JobFailed",
        provider: "icws",
        operation: "awaitJob",
        jobId: sim.jobs.at(-1)!.status.id,
        providerStatus: "failed",
        providerMessage: "Disk full on D:"
      })
      expect(error.message).toContain("Disk full on D:")
      expect(error._tag === "JobFailed" && error.url).toContain("/icws/<redacted>/data-extractor/jobs/")
    }))

  live("a job canceled on the server: JobCanceled with its errorInfo", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const error = yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          const { id } = yield* c.submitJob(config)
          sim.setOutcome(id, "canceled", "Canceled by the administrator.")
          return yield* Effect.flip(c.awaitJob(id, fast))
        }))
      expect(error).toMatchObject({
        _tag: "JobCanceled",
        providerStatus: "canceled",
        providerMessage: "Canceled by the administrator."
      })
    }))

  live("a job canceled while awaited (cancelJob): JobCanceled", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3, pollsPerStep: 0 })
      const error = yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          const { id } = yield* c.submitJob(config)
          const waiting = yield* Effect.fork(Effect.flip(c.awaitJob(id, { schedule: Schedule.spaced("5 millis") })))
          yield* realWait(() => requestsTo(sim, "GET", id).length >= 2, "a few polls")
          yield* c.cancelJob(id)
          return yield* Fiber.join(waiting)
        }))
      expect(error._tag).toBe("JobCanceled")
      expect(error._tag === "JobCanceled" && error.providerMessage).toBeUndefined()
    }))

  live("timeout bounds a wait on a custom schedule: Timeout (deadline) with that bound", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3, pollsPerStep: 0 })
      const error = yield* withClient(sim, (c) =>
        Effect.flatMap(c.submitJob(config), ({ id }) =>
          Effect.flip(c.awaitJob(id, { schedule: Schedule.spaced("5 millis"), timeout: "150 millis" }))))
      expect(error).toMatchObject({ _tag: "Timeout", scope: "deadline", timeoutMillis: 150 })
      expect(requestsTo(sim, "GET", sim.jobs.at(-1)!.status.id).length).toBeGreaterThan(1)
    }))

  it.effect("by default it polls every 2 s; the one-hour bound holds for a schedule of the caller's too (TestClock)", () =>
    Effect.gen(function*() {
      const sim = yield* Effect.promise(() => IcwsSimulator.startIcws({ jobs: 3, pollsPerStep: 0 }))
      const scope = yield* Scope.make()
      const client = yield* IcwsClient.make(options(sim)).pipe(Scope.extend(scope), Effect.provide(FetchHttpClient.layer))
      const { id } = yield* client.submitJob(config)
      const polls = () => requestsTo(sim, "GET", id).length
      // Waits (real time) until the poller sleeps until `at` (virtual).
      const sleepingUntil = (at: number) =>
        Effect.gen(function*() {
          for (let i = 0; i < 5000; i++) {
            if (Chunk.toReadonlyArray(yield* TestClock.sleeps()).includes(at)) return
            yield* realTick
          }
          return yield* Effect.dieMessage(`no sleep until ${at}`)
        })

      // The default schedule: a poll, then another 2 s later.
      let start = yield* TestClock.currentTimeMillis
      const byDefault = yield* Effect.fork(client.awaitJob(id))
      yield* sleepingUntil(start + 2_000)
      expect(polls()).toBe(1)
      yield* TestClock.adjust("2 seconds")
      yield* sleepingUntil(start + 4_000)
      expect(polls()).toBe(2)
      yield* Fiber.interrupt(byDefault)

      // A sparse schedule of the caller's: polls at 0, 25 and 50 minutes; the
      // default timeout (1 hour) still ends the wait.
      start = yield* TestClock.currentTimeMillis
      const sparse = yield* Effect.fork(client.awaitJob(id, Schedule.spaced("25 minutes")))
      for (const minutes of [25, 50]) {
        yield* sleepingUntil(start + minutes * 60_000)
        yield* TestClock.adjust("25 minutes")
      }
      yield* sleepingUntil(start + 75 * 60_000)
      expect(polls()).toBe(2 + 3)
      yield* TestClock.adjust(10 * 60_000 - 1) // 59:59.999
      for (let i = 0; i < 20; i++) yield* realTick
      expect((yield* Fiber.poll(sparse))._tag).toBe("None")
      yield* TestClock.adjust(1)
      const exit = yield* Fiber.await(sparse)
      const error = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      expect(error).toMatchObject({ _tag: "Timeout", scope: "deadline", timeoutMillis: 3_600_000 })
      expect(polls()).toBe(5)
      yield* Effect.uninterruptible(Scope.close(scope, Exit.void))
      yield* Effect.promise(() => sim.close())
    }))

  it.effect("the default poll schedule: every 2 s, ending after an hour", () =>
    Effect.gen(function*() {
      const delays = yield* Schedule.run(
        Schedule.delays(IcwsClient.defaultPollSchedule),
        0,
        Array.from({ length: 5_000 }, (_, i) => i)
      )
      const millis = Chunk.toReadonlyArray(delays).map(Duration.toMillis)
      expect(millis.length).toBeLessThanOrEqual(3_600 / 2 + 1)
      expect(millis.slice(0, -1).every((d) => d === 2_000)).toBe(true)
      expect(Duration.toMillis(IcwsClient.defaultAwaitTimeout)).toBe(3_600_000)
    }))
})

describe("submitJob: retried only when no job can exist", () => {
  live("connection refused (the server was down): retried once it is back; one job", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const seen: Array<ApiError.ApiError> = []
      const policy = RetryPolicy.immediate(3).pipe(
        Schedule.tapInput((error: ApiError.ApiError) =>
          Effect.promise(async () => {
            seen.push(error)
            await sim.resume()
          })
        )
      )
      const created = yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          yield* c.getJob(sim.jobs[0]!.status.id) // the session exists
          yield* Effect.promise(() => sim.pause())
          yield* Effect.sleep("50 millis") // the client notices its pooled connections closed
          return yield* c.submitJob(config)
        }), { retryPolicy: policy })
      expect(seen.map((e) => e._tag)).toEqual(["TransportError"])
      expect(seen[0]!._tag === "TransportError" && seen[0]!.reason).toContain("ECONNREFUSED")
      expect(sim.requests.filter(isSubmit)).toHaveLength(1)
      expect(sim.jobs.at(-1)!.status.id).toBe(created.id)
      expect(sim.jobs).toHaveLength(4)
    }))

  for (const status of [429, 503]) {
    live(`${status} (turned away before processing): retried; one job`, () =>
      Effect.gen(function*() {
        const sim = yield* IcwsSimulator.makeIcws({
          jobs: 3,
          faults: [{ match: isSubmit, times: 1, fault: Faults.status(status, { headers: { "Retry-After": "0" } }) }]
        })
        const created = yield* withClient(sim, (c) => c.submitJob(config))
        expect(sim.requests.filter(isSubmit).map((r) => r.status)).toEqual([status, 201])
        expect(sim.jobs).toHaveLength(4)
        expect(sim.jobs.at(-1)!.status.id).toBe(created.id)
      }))
  }

  live("a session that expired before the POST: 401, reconnect, resubmit; one job", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          yield* c.getJob(sim.jobs[0]!.status.id)
          sim.expireSessions()
          yield* c.submitJob(config)
        }))
      expect(sim.requests.filter(isSubmit).map((r) => r.status)).toEqual([401, 201])
      expect(sim.jobs).toHaveLength(4)
    }))
})

describe("submitJob: an ambiguous failure is OutcomeUnknown, never a second POST", () => {
  const cases = [
    { name: "reset after the request was sent (job not created)", fault: Faults.reset, created: false, timeout: undefined },
    { name: "reset after the server created the job", fault: Faults.resetAfterHandler, created: true, timeout: undefined },
    { name: "no answer after the server created the job (timeout)", fault: Faults.hangAfterHandler, created: true, timeout: "300 millis" }
  ] as const
  for (const c of cases) {
    live(c.name, () =>
      Effect.gen(function*() {
        const sim = yield* IcwsSimulator.makeIcws({ jobs: 3, faults: [{ match: isSubmit, times: 1, fault: c.fault }] })
        const error = yield* withClient(
          sim,
          (client) => Effect.flip(client.submitJob(config)),
          c.timeout === undefined ? {} : { timeout: c.timeout }
        )
        expect(error).toMatchObject({ _tag: "OutcomeUnknown", provider: "icws", operation: "submitJob", method: "POST" })
        expect(error.message).toContain("check before repeating")
        expect(error._tag === "OutcomeUnknown" && error.url).toContain("/icws/<redacted>/data-extractor/jobs")
        expect(sim.requests.filter(isSubmit)).toHaveLength(1)
        expect(sim.jobs).toHaveLength(c.created ? 4 : 3)
        if (c.timeout !== undefined) expect(error._tag === "OutcomeUnknown" && error.reason).toContain("300 ms")
      }))
  }

  live("retry: \"none\" retries nothing — not even a refused connection (a TransportError: nothing was sent)", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const error = yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          yield* c.getJob(sim.jobs[0]!.status.id)
          yield* Effect.promise(() => sim.pause())
          yield* Effect.sleep("50 millis")
          const refused = yield* Effect.flip(c.submitJob(config, { retry: "none" }))
          yield* Effect.promise(() => sim.resume())
          return refused
        }))
      expect(error._tag).toBe("TransportError")
      expect(sim.requests.filter(isSubmit)).toHaveLength(0)
    }))

  live("retry: \"all\" (or true) accepts duplicates: a reset is retried", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3, faults: [{ match: isSubmit, times: 1, fault: Faults.reset }] })
      yield* withClient(sim, (c) => c.submitJob(config, { retry: true }))
      expect(sim.requests.filter(isSubmit)).toHaveLength(2)
      expect(sim.jobs).toHaveLength(4)
    }))
})
