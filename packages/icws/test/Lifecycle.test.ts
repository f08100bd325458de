/**
 * Every session opened is deleted: after reconnects at several concurrencies,
 * when the logout is reset or never answered (bounded by logoutTimeout, on
 * the TestClock), and when a login is still in flight as the scope closes.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { IcwsClient } from "@jobstream/icws"
import { Faults, IcwsSimulator } from "@jobstream/testkit"
import { Effect, Exit, Fiber, Logger, LogLevel, Scope, Stream } from "effect"
import type { Scope as ScopeType } from "effect"
import { captureLogs, driveClock, options, realWait, requestsTo, withClient } from "./helpers.js"

const live = <A, E>(name: string, f: () => Effect.Effect<A, E, ScopeType.Scope>) =>
  it.live(name, () => Effect.scoped(f()))

const isLogout = (r: { readonly method: string; readonly path: string }) =>
  r.method === "DELETE" && r.path.endsWith("/connection")

/** Every secret the simulator handed out. */
const secretsOf = (sim: IcwsSimulator.IcwsServer) =>
  ["s3cret-pw", ...sim.createdSessions.flatMap((s) => [s.sessionId, s.csrfToken, ...s.cookies.values()])]

describe("a dead session mid-listing", () => {
  for (const concurrency of [1, 4, 8]) {
    live(`concurrency ${concurrency}: one reconnect; the replaced session is logged out; none live after the scope`, () =>
      Effect.gen(function*() {
        const sim = yield* IcwsSimulator.makeIcws({ jobs: 75, latency: { millis: 1, jitterMillis: 3 } })
        const expected = [...sim.jobs].reverse().map((j) => j.status.id)
        let seen = 0
        const liveInScope = yield* withClient(sim, (c) =>
          Effect.gen(function*() {
            const listings = yield* Effect.forEach(
              Array.from({ length: concurrency }),
              () =>
                c.jobs({ jobCount: 5 }).pipe(
                  Stream.tap(() => Effect.sync(() => ++seen === 20 && sim.expireSessions())),
                  Stream.map((j) => j.jobStatus!.id),
                  Stream.runCollect
                ),
              { concurrency: "unbounded" }
            )
            for (const ids of listings) expect([...ids]).toEqual(expected)
            expect(yield* c.session.connections).toBe(2)
            return sim.activeSessions.length
          }))
        expect(liveInScope).toBe(1)
        expect(sim.createdSessions).toHaveLength(2)
        // Both sessions got their DELETE: the expired one (already gone: 401) and the last one.
        expect(sim.requests.filter(isLogout).map((r) => r.path.split("/")[2])).toEqual(
          sim.createdSessions.map((s) => s.sessionId)
        )
        expect(sim.deletedSessions).toEqual([sim.createdSessions[1]!.sessionId])
        expect(sim.activeSessions).toHaveLength(0)
      }))
  }

  live("a session that answers 401 while still alive (e.g. a proxy) is deleted when replaced", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 20, pollsPerStep: 0 })
      sim.setFaults([{
        match: (r) => r.method === "GET" && r.path.includes("/data-extractor/jobs/"),
        times: 1,
        fault: Faults.status(401, { body: JSON.stringify({ errorId: "error.request.unauthorized", message: "x" }) })
      }])
      yield* withClient(sim, (c) => c.getJob(sim.jobs[0]!.status.id))
      expect(sim.createdSessions).toHaveLength(2)
      expect([...sim.deletedSessions].sort()).toEqual(sim.createdSessions.map((s) => s.sessionId).sort())
      expect(sim.activeSessions).toHaveLength(0)
    }))
})

describe("logout faults", () => {
  live("a reset on the first DELETE: retried, the session is deleted", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      sim.setFaults([{ match: isLogout, times: 1, fault: Faults.reset }])
      yield* withClient(sim, (c) => c.getJob(sim.jobs[0]!.status.id))
      expect(sim.requests.filter(isLogout)).toHaveLength(2)
      expect(sim.deletedSessions).toEqual([sim.createdSessions[0]!.sessionId])
      expect(sim.activeSessions).toHaveLength(0)
    }))

  live("a 500 on the DELETE is an answer: not retried, a Warning naming no secret, the scope closes", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      sim.setFaults([{ match: isLogout, fault: Faults.status(500) }])
      const logs = captureLogs()
      yield* logs.provide(withClient(sim, (c) => c.getJob(sim.jobs[0]!.status.id)))
      expect(sim.requests.filter(isLogout).map((r) => r.status)).toEqual([500])
      const warnings = logs.lines.filter((l) => l.includes("level=WARN") && l.includes("logging out"))
      expect(warnings).toHaveLength(1)
      expect(warnings[0]).toContain("status=500")
      for (const line of logs.lines) for (const secret of secretsOf(sim)) expect(line).not.toContain(secret)
    }))

  for (const fault of ["silence", "reset"] as const) {
    it.effect(`${fault} on every DELETE: the scope closes within logoutTimeout, with a Warning that names no secret`, () =>
      Effect.gen(function*() {
        const sim = yield* Effect.promise(() => IcwsSimulator.startIcws({ jobs: 5 }))
        const logs = captureLogs()
        const scope = yield* Scope.make()
        const client = yield* IcwsClient.make(options(sim, { logoutTimeout: "6 seconds" })).pipe(
          Scope.extend(scope),
          Effect.provide(FetchHttpClient.layer)
        )
        yield* client.getJob(sim.jobs[0]!.status.id)
        sim.setFaults([{ match: isLogout, fault: fault === "silence" ? Faults.hang : Faults.reset }])
        // Closing runs uninterruptibly, as it does under Effect.scoped or a Layer.
        const closing = yield* Effect.fork(logs.provide(Effect.uninterruptible(Scope.close(scope, Exit.void))))
        const took = yield* driveClock(closing, sim)
        expect(took).toBeLessThanOrEqual(6_000)
        expect(sim.requests.filter(isLogout).length).toBeGreaterThanOrEqual(2)
        expect(sim.activeSessions).toHaveLength(1)
        const warnings = logs.lines.filter((l) => l.includes("level=WARN") && l.includes("logging out"))
        expect(warnings.length).toBeGreaterThanOrEqual(1)
        for (const line of logs.lines) for (const secret of secretsOf(sim)) expect(line).not.toContain(secret)
        yield* Effect.promise(() => sim.close())
      }))

    it.effect(`${fault} on the first DELETE only: retried within the timeout, the session is deleted`, () =>
      Effect.gen(function*() {
        const sim = yield* Effect.promise(() => IcwsSimulator.startIcws({ jobs: 5 }))
        const scope = yield* Scope.make()
        const client = yield* IcwsClient.make(options(sim, { logoutTimeout: "6 seconds" })).pipe(
          Scope.extend(scope),
          Effect.provide(FetchHttpClient.layer)
        )
        yield* client.getJob(sim.jobs[0]!.status.id)
        sim.setFaults([{ match: isLogout, times: 1, fault: fault === "silence" ? Faults.hang : Faults.reset }])
        const closing = yield* Effect.fork(Effect.uninterruptible(Scope.close(scope, Exit.void)))
        const took = yield* driveClock(closing, sim)
        expect(took).toBeLessThanOrEqual(6_000)
        expect(sim.requests.filter(isLogout)).toHaveLength(2)
        expect(sim.deletedSessions).toEqual([sim.createdSessions[0]!.sessionId])
        expect(sim.activeSessions).toHaveLength(0)
        yield* Effect.promise(() => sim.close())
      }))
  }
})

describe("a login in flight when the scope closes", () => {
  live("the close waits for it and deletes the session it opened", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({
        jobs: 5,
        faults: [{ match: (r) => r.path === "/icws/connection", fault: Faults.delay(150) }]
      })
      const fiber = yield* Effect.fork(withClient(sim, (c) => c.getJob(sim.jobs[0]!.status.id)))
      yield* realWait(() => requestsTo(sim, "POST", "/icws/connection").length === 1, "the login request")
      yield* Fiber.interrupt(fiber)
      expect(sim.createdSessions).toHaveLength(1)
      expect(sim.deletedSessions).toEqual([sim.createdSessions[0]!.sessionId])
      expect(sim.activeSessions).toHaveLength(0)
    }).pipe(Logger.withMinimumLogLevel(LogLevel.None)))
})
