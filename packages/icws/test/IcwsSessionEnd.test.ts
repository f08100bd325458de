/** The ICWS session: disconnecting, 401 and reconnecting, its Layers. */
import { describe, expect, it } from "@effect/vitest"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { IcwsClient, IcwsSession } from "@jobstream/icws"
import { Faults, IcwsSimulator } from "@jobstream/testkit"
import { ConfigProvider, Effect, Exit, Fiber, Layer, Option, Stream } from "effect"
import { captureLogs, options, requestsTo, waitUntil, withClient } from "./helpers.js"

const live = <A, E>(name: string, f: () => Effect.Effect<A, E, import("effect/Scope").Scope>) =>
  it.live(name, () => Effect.scoped(f()))

describe("IcwsSession: disconnect", () => {
  live("DELETEs the session when the scope closes after success", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      const logs = captureLogs()
      yield* logs.provide(withClient(sim, (c) => Stream.runDrain(c.jobs())))
      // The logout's 204 is read as a success, not logged as a failure.
      expect(logs.lines.filter((l) => l.includes("releasing the credential failed"))).toEqual([])
      expect(logs.lines.some((l) => l.includes("ICWS session disconnected"))).toBe(true)
      const session = sim.createdSessions[0]!
      expect(sim.deletedSessions).toEqual([session.sessionId])
      const [del] = requestsTo(sim, "DELETE", "/connection")
      expect(del!.headers["inin-icws-csrf-token"]).toBe(session.csrfToken)
      expect(del!.status).toBe(204)
      expect(sim.activeSessions).toHaveLength(0)
    }))

  live("DELETEs the session when the program fails", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      const exit = yield* Effect.exit(withClient(sim, (c) => c.getJob("no-such-job")))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(sim.deletedSessions).toEqual([sim.createdSessions[0]!.sessionId])
    }))

  live("DELETEs the session when the program is interrupted mid-request", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({
        jobs: 5,
        faults: [{ match: (r) => r.method === "GET" && r.path.endsWith("/data-extractor/jobs"), fault: Faults.hang }]
      })
      const fiber = yield* Effect.fork(withClient(sim, (c) => Stream.runDrain(c.jobs())))
      yield* waitUntil(() => requestsTo(sim, "GET", "/data-extractor/jobs").length === 1)
      yield* Fiber.interrupt(fiber)
      expect(sim.deletedSessions).toEqual([sim.createdSessions[0]!.sessionId])
    }))

  live("does not DELETE when no session was ever made", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      yield* withClient(sim, () => Effect.void)
      expect(sim.requestCount).toBe(0)
    }))
})

describe("IcwsSession: 401", () => {
  live("a 401 mid-stream reconnects once; the stream neither loses nor repeats a job", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 75 })
      let seen = 0
      const ids = yield* withClient(sim, (c) =>
        c.jobs({ jobCount: 10 }).pipe(
          Stream.tap(() =>
            Effect.sync(() => {
              seen++
              if (seen === 25) sim.expireSessions()
            })
          ),
          Stream.map((j) => j.jobStatus!.id),
          Stream.runCollect
        ))
      expect([...ids]).toEqual([...sim.jobs].reverse().map((j) => j.status.id))
      expect(new Set(ids).size).toBe(75)
      expect(sim.createdSessions).toHaveLength(2)
      const lists = requestsTo(sim, "GET", "/data-extractor/jobs")
      const unauthorized = lists.filter((r) => r.status === 401)
      expect(unauthorized).toHaveLength(1)
      // The failed page was asked again, with the same cursor, on the new session.
      const retried = lists[lists.indexOf(unauthorized[0]!) + 1]!
      expect(retried.query.get("fromJobId")).toBe(unauthorized[0]!.query.get("fromJobId"))
      expect(retried.path).toContain(sim.createdSessions[1]!.sessionId)
      // The replaced session was logged out too (the server had already ended it: 401).
      const deletes = requestsTo(sim, "DELETE", "/connection")
      expect(deletes.map((r) => r.path.split("/")[2])).toEqual(sim.createdSessions.map((x) => x.sessionId))
      expect(sim.deletedSessions).toEqual([sim.createdSessions[1]!.sessionId])
      expect(sim.activeSessions).toHaveLength(0)
    }))

  live("50 concurrent calls after expiry cause one reconnect", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 60, pollsPerStep: 0 })
      yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          yield* c.getJob(sim.jobs[0]!.status.id)
          sim.expireSessions()
          const records = yield* Effect.forEach(
            sim.jobs.slice(0, 50),
            (job) => c.getJob(job.status.id, "status"),
            { concurrency: "unbounded" }
          )
          expect(records.map((r) => r.jobStatus!.id)).toEqual(sim.jobs.slice(0, 50).map((j) => j.status.id))
          expect(yield* c.session.connections).toBe(2)
        }))
      expect(sim.createdSessions).toHaveLength(2)
      expect(requestsTo(sim, "POST", "/icws/connection")).toHaveLength(2)
    }))

  live("a 401 that persists after reconnects surfaces as Unauthorized after maxRelogins (2), without secrets", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({
        jobs: 5,
        faults: [{
          match: (r) => r.path.endsWith("/data-extractor/jobs"),
          fault: Faults.status(401, {
            headers: { "WWW-Authenticate": `ICWS realm="ICWS" location="/ICWS/connection"` },
            body: JSON.stringify({ errorId: "error.request.unauthorized", message: "nope" })
          })
        }]
      })
      const logs = captureLogs()
      const error = yield* logs.provide(Effect.flip(withClient(sim, (c) => Stream.runDrain(c.jobs()))))
      expect(error._tag).toBe("Unauthorized")
      expect(error._tag === "Unauthorized" && error.providerCode).toBe("error.request.unauthorized")
      expect(sim.createdSessions).toHaveLength(3)
      expect(requestsTo(sim, "GET", "/data-extractor/jobs")).toHaveLength(3)
      // Every session opened was deleted: the two replaced and the last one.
      expect([...sim.deletedSessions].sort()).toEqual(sim.createdSessions.map((x) => x.sessionId).sort())
      expect(sim.activeSessions).toHaveLength(0)
      const secrets = sim.createdSessions.flatMap((s) => [s.sessionId, s.csrfToken, ...s.cookies.values()])
      const texts = [error.message, String(error), JSON.stringify(error), ...logs.lines]
      expect(logs.lines.length).toBeGreaterThan(0)
      for (const text of texts) {
        expect(text).not.toContain("s3cret-pw")
        for (const secret of secrets) expect(text).not.toContain(secret)
      }
      expect(error._tag === "Unauthorized" && error.url).toContain("/icws/<redacted>/data-extractor/jobs")
    }))
})

describe("IcwsSession: layers", () => {
  live("layerConfig reads ICWS_* variables (password redacted)", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const provider = ConfigProvider.fromMap(
        new Map([["ICWS_BASE_URL", sim.url], ["ICWS_USER", "agent"], ["ICWS_PASSWORD", "s3cret-pw"], ["ICWS_LANGUAGE", "fr-fr"]])
      )
      const record = yield* Effect.flatMap(IcwsClient.IcwsClient, (c) => c.getJob(sim.jobs[0]!.status.id)).pipe(
        Effect.provide(IcwsClient.layerConfig()),
        Effect.provide(FetchHttpClient.layer),
        Effect.withConfigProvider(provider)
      )
      expect(record.jobStatus?.id).toBe(sim.jobs[0]!.status.id)
      const [connect] = requestsTo(sim, "POST", "/icws/connection")
      expect(connect!.headers["accept-language"]).toBe("fr-fr")
      expect(JSON.parse(connect!.body).applicationName).toBe("jobstream")

      const missing = yield* Effect.flip(
        Layer.build(IcwsSession.layerConfig()).pipe(
          Effect.provide(FetchHttpClient.layer),
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["ICWS_BASE_URL", sim.url], ["ICWS_USER", "a"]])))
        )
      )
      expect(String(missing)).toContain("ICWS_PASSWORD")
    }))

  live("one session can be shared by a client built with layerFromSession", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const layer = IcwsClient.layerFromSession().pipe(
        Layer.provideMerge(IcwsSession.layer(options(sim))),
        Layer.provide(FetchHttpClient.layer)
      )
      yield* Effect.gen(function*() {
        const client = yield* IcwsClient.IcwsClient
        const session = yield* IcwsSession.IcwsSession
        yield* client.getJob(sim.jobs[0]!.status.id)
        expect(Option.isSome(yield* session.current)).toBe(true)
      }).pipe(Effect.provide(layer))
      expect(sim.deletedSessions).toHaveLength(1)
    }))
})
