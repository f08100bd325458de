/** The ICWS session: connecting, 503 and alternate hosts. */
import { describe, expect, it } from "@effect/vitest"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { RetryPolicy } from "@jobstream/core"
import { IcwsClient } from "@jobstream/icws"
import { Faults, IcwsSimulator } from "@jobstream/testkit"
import { Effect, Option, Redacted, Stream } from "effect"
import { password, requestsTo, withClient } from "./helpers.js"

const live = <A, E>(name: string, f: () => Effect.Effect<A, E, import("effect/Scope").Scope>) =>
  it.live(name, () => Effect.scoped(f()))

describe("IcwsSession: connect", () => {
  live("posts icAuthConnectionRequestSettings with Accept-Language and sends CSRF + cookies afterwards", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      yield* withClient(sim, (c) => c.getJob(sim.jobs[0]!.status.id), { language: "de-de", applicationName: "tests" })
      const [connect] = requestsTo(sim, "POST", "/icws/connection")
      expect(connect!.headers["accept-language"]).toBe("de-de")
      expect(connect!.headers["content-type"]).toContain("application/vnd.inin.icws+json")
      expect(JSON.parse(connect!.body)).toEqual({
        __type: "urn:inin.com:connection:icAuthConnectionRequestSettings",
        applicationName: "tests",
        userID: "agent",
        password: "s3cret-pw"
      })
      const session = sim.createdSessions[0]!
      const [get] = requestsTo(sim, "GET", sim.jobs[0]!.status.id)
      expect(get!.path).toBe(`/icws/${session.sessionId}/data-extractor/jobs/${sim.jobs[0]!.status.id}`)
      expect(get!.headers["inin-icws-csrf-token"]).toBe(session.csrfToken)
      expect(get!.headers["accept"]).toBe("application/vnd.inin.icws+json")
      for (const [name, value] of session.cookies) expect(get!.headers["cookie"]).toContain(`${name}=${value}`)
      expect(sim.deletedSessions).toEqual([session.sessionId])
    }))

  live("takes sessionId and csrfToken from the headers when the body lacks them", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3, tokensInHeadersOnly: true })
      const record = yield* withClient(sim, (c) => c.getJob(sim.jobs[1]!.status.id))
      expect(record.jobStatus?.id).toBe(sim.jobs[1]!.status.id)
      expect(sim.createdSessions).toHaveLength(1)
    }))

  live("keeps cookies updated from later Set-Cookie headers", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const id = sim.jobs[0]!.status.id
      yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          yield* c.getJob(id)
          const before = sim.createdSessions[0]!.cookies.get(`icws_${sim.createdSessions[0]!.sessionId}`)
          sim.rotateCookies()
          yield* c.getJob(id) // answered with new cookies
          yield* c.getJob(id) // must send the new value, or it gets a 401
          yield* c.getJob(id)
          const session = sim.createdSessions[0]!
          const after = session.cookies.get(`icws_${session.sessionId}`)
          expect(after).not.toBe(before)
          const last = requestsTo(sim, "GET", id).at(-1)!
          expect(last.headers["cookie"]).toContain(`icws_${session.sessionId}=${after}`)
        }))
      expect(sim.createdSessions).toHaveLength(1)
      expect(sim.requests.filter((r) => r.status === 401)).toHaveLength(0)
    }))

  live("bad credentials: BadRequest with errorId, not retried, password nowhere", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const error = yield* Effect.flip(
        withClient(sim, (c) => c.getJob("x"), { password: Redacted.make("wrong-horse-battery"), retryPolicy: RetryPolicy.immediate(3) })
      )
      expect(error._tag).toBe("BadRequest")
      if (error._tag !== "BadRequest") return
      expect(error.providerCode).toBe("error.request.connection.authenticationFailure")
      expect(error.operation).toBe("connect")
      expect(requestsTo(sim, "POST", "/icws/connection")).toHaveLength(1)
      for (const text of [error.message, String(error), JSON.stringify(error)]) {
        expect(text).not.toContain("wrong-horse-battery")
      }
    }))

  live("the login POST is not retried on a 500", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({
        jobs: 3,
        faults: [{
          match: (r) => r.path === "/icws/connection",
          times: 1,
          fault: Faults.status(500, { body: JSON.stringify({ errorId: "error.server.internal", message: "boom" }) })
        }]
      })
      const error = yield* Effect.flip(withClient(sim, (c) => c.getJob("x"), { retryPolicy: RetryPolicy.immediate(3) }))
      expect(error._tag).toBe("ServerError")
      expect(error._tag === "ServerError" && error.providerCode).toBe("error.server.internal")
      expect(requestsTo(sim, "POST", "/icws/connection")).toHaveLength(1)
    }))

  live("an invalid baseUrl is a ConfigError naming the option when the layer is built (see Validation.test.ts)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.flatMap(IcwsClient.IcwsClient, (c) => c.getJob("x")).pipe(
          Effect.provide(IcwsClient.layer({ baseUrl: "cic1:8018", user: "agent", password })),
          Effect.provide(FetchHttpClient.layer)
        )
      )
      expect(error).toMatchObject({ _tag: "ConfigError", _op: "InvalidData", path: ["baseUrl"] })
    }))
})

describe("IcwsSession: 503 and alternates", () => {
  live("fails over through the alternates in turn and keeps using the host that accepted", () =>
    Effect.gen(function*() {
      const good = yield* IcwsSimulator.makeIcws({ jobs: 12, serverName: "cic-backup" })
      const busy = yield* IcwsSimulator.makeIcws({ jobs: 12 })
      const primary = yield* IcwsSimulator.makeIcws({ jobs: 12 })
      primary.setAlternates([busy.hostEntry, good.hostEntry])
      busy.setAlternates([primary.hostEntry, good.hostEntry])
      const ids = yield* withClient(primary, (c) =>
        Effect.gen(function*() {
          const all = yield* Stream.runCollect(c.jobs())
          const credential = yield* c.session.current
          expect(Option.getOrThrow(credential).baseUrl).toBe(good.url)
          return [...all].map((j) => j.jobStatus!.id)
        }))
      expect(ids).toEqual([...good.jobs].reverse().map((j) => j.status.id))
      expect(primary.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["POST /icws/connection 503"])
      expect(busy.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual(["POST /icws/connection 503"])
      expect(requestsTo(good, "POST", "/icws/connection")).toHaveLength(1)
      expect(requestsTo(good, "GET", "/data-extractor/jobs")).toHaveLength(2)
      expect(good.deletedSessions).toEqual([good.createdSessions[0]!.sessionId])
    }))

  live("stops after maxAlternates with the 503's errorId", () =>
    Effect.gen(function*() {
      const good = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const busy = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const primary = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      primary.setAlternates([busy.hostEntry, good.hostEntry])
      busy.setAlternates([good.hostEntry])
      const error = yield* Effect.flip(withClient(primary, (c) => c.getJob("x"), { maxAlternates: 1 }))
      expect(error._tag).toBe("ServerError")
      if (error._tag !== "ServerError") return
      expect(error.status).toBe(503)
      expect(error.providerCode).toBe("error.server.notAcceptingConnections")
      expect(busy.requestCount).toBe(1)
      expect(good.requestCount).toBe(0)
    }))

  live("a 503 without alternates is a ServerError; an unreachable alternate is skipped", () =>
    Effect.gen(function*() {
      const primary = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      primary.setAlternates([])
      const error = yield* Effect.flip(withClient(primary, (c) => c.getJob("x")))
      expect(error._tag === "ServerError" && error.status).toBe(503)

      const good = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const dead = yield* Effect.promise(() => IcwsSimulator.startIcws({ jobs: 1 }))
      const deadEntry = dead.hostEntry
      yield* Effect.promise(() => dead.close())
      primary.setAlternates([deadEntry, good.hostEntry])
      const record = yield* withClient(primary, (c) => c.getJob(good.jobs[0]!.status.id))
      expect(record.jobStatus?.id).toBe(good.jobs[0]!.status.id)
    }))
})
