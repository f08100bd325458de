import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import { InsideViewClient } from "@jobstream/insideview"
import { Faults, InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { clientFor, clientSecret, collect, credentials, fixedToken, listRequests, loginRequests, tick } from "./utils.js"

const live = FetchHttpClient.layer

describe("fixed access token", () => {
  it.scopedLive("is sent in the accessToken header only; no login", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30 })
      const client = yield* clientFor(sim)
      yield* collect(client.jobs({ resultsPerPage: 10 }))
      expect(loginRequests(sim)).toEqual([])
      for (const r of listRequests(sim)) {
        expect(r.headers["accesstoken"]).toBe(fixedToken)
        expect(r.url.search).not.toContain(fixedToken)
        expect(r.headers["authorization"]).toBeUndefined()
      }
    }).pipe(Effect.provide(live)))

  it.scopedLive("a 401 surfaces as Unauthorized with the documented message, after one request", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30 })
      for (const format of ["json", "xml"] as const) {
        sim.clearLog()
        const client = yield* clientFor(sim, {
          format,
          auth: InsideViewClient.Auth.token(Redacted.make("not-a-token")),
          retryPolicy: RetryPolicy.immediate(3)
        })
        const error = yield* Effect.flip(client.listJobs())
        expect(error).toMatchObject({
          _tag: "Unauthorized",
          status: 401,
          providerMessage: "Unauthorized Error - Cannot use API's without setting a valid accessToken in header."
        })
        expect(sim.requests.length).toBe(1)
        expect(JSON.stringify(error) + String(error) + error.message).not.toContain("not-a-token")
      }
    }).pipe(Effect.provide(live)))
})

describe("client credentials", () => {
  it.scopedLive("log in once at token.json with the credentials in a form body, then reuse the token", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 200, handlerDelayMillis: 3 })
      const client = yield* clientFor(sim, { auth: credentials, pageSize: 10 })
      const all = yield* collect(client.jobs())
      expect(all.length).toBe(200)
      yield* client.listJobs()
      expect(sim.logins).toBe(1)
      expect(yield* client.logins).toBe(1)
      const [login] = loginRequests(sim)
      expect(login!.method).toBe("POST")
      expect(login!.path).toBe("/Auth/login/v1/token.json")
      expect(login!.url.search).toBe("")
      expect(login!.headers["content-type"]).toContain("application/x-www-form-urlencoded")
      const form = new URLSearchParams(login!.body)
      expect(form.get("clientId")).toBe("sim-client")
      expect(form.get("clientSecret")).toBe(clientSecret)
      expect(form.get("grantType")).toBe("cred")
      expect(login!.headers["accesstoken"]).toBeUndefined()
      const token = sim.issuedTokens[0]!
      for (const r of listRequests(sim)) {
        expect(r.headers["accesstoken"]).toBe(token)
        expect(r.url.search).not.toContain(clientSecret)
      }
    }).pipe(Effect.provide(live)))

  it.scopedLive("a token rejected mid-stream causes one shared re-login and one retry per request", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 300, handlerDelayMillis: 5 })
      const client = yield* clientFor(sim, { auth: credentials, pageSize: 10, concurrency: 4 })
      let seen = 0
      const all = yield* collect(client.jobs().pipe(
        Stream.tap(() =>
          Effect.sync(() => {
            if (++seen === 15) sim.expireIssuedTokens()
          })
        )
      ))
      expect(all.map((j) => j.jobId)).toEqual(sim.jobs.map((j) => j.jobId))
      expect(sim.logins).toBe(2)
      const rejected = listRequests(sim).filter((r) => r.status === 401)
      expect(rejected.length).toBeGreaterThanOrEqual(1)
      expect(rejected.length).toBeLessThanOrEqual(4)
      expect(rejected.every((r) => r.headers["accesstoken"] === sim.issuedTokens[0])).toBe(true)
    }).pipe(Effect.provide(live)))

  it.scopedLive("a 401 on every token surfaces as Unauthorized after maxRelogins re-logins (default 2), no more", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 30,
        faults: [{
          fault: Faults.status(401, { body: JSON.stringify({ errorNumber: "401-1", message: "nope" }) }),
          match: (r) => r.path === "/api/v1/admin/jobs"
        }]
      })
      const client = yield* clientFor(sim, { auth: credentials })
      const error = yield* Effect.flip(client.listJobs())
      expect(error._tag).toBe("Unauthorized")
      expect(sim.logins).toBe(3)
      expect(listRequests(sim).length).toBe(3)
      // Each retry went out with the token of the login before it.
      expect(listRequests(sim).map((r) => r.headers["accesstoken"])).toEqual(sim.issuedTokens)

      sim.clearLog()
      const strict = yield* clientFor(sim, { auth: credentials, maxRelogins: 0 })
      expect((yield* Effect.flip(strict.listJobs()))._tag).toBe("Unauthorized")
      expect(listRequests(sim).length).toBe(1)
      expect(yield* strict.logins).toBe(1)
    }).pipe(Effect.provide(live)))

  it.scopedLive("wrong credentials are Unauthorized; the secret appears nowhere", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30 })
      const secret = "wrong-secret-value-123"
      const logs: Array<string> = []
      const logger = Logger.make(({ annotations, message }) => {
        logs.push(JSON.stringify(message) + JSON.stringify([...annotations]))
      })
      const client = yield* clientFor(sim, {
        auth: InsideViewClient.Auth.credentials("sim-client", Redacted.make(secret))
      })
      const error = yield* Effect.flip(client.listJobs()).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      expect(error).toMatchObject({ _tag: "Unauthorized", operation: "login" })
      // The credentials went in the body: the URL in the error has nothing to hide.
      if (error._tag === "Unauthorized") expect(error.url).toBe(`${sim.url}/Auth/login/v1/token.json`)
      expect(listRequests(sim)).toEqual([])
      expect(loginRequests(sim).length).toBe(1)
      const everything = [JSON.stringify(error), String(error), error.message, ...logs].join("\n")
      expect(logs.length).toBeGreaterThan(0)
      expect(everything).not.toContain(secret)
    }).pipe(Effect.provide(live)))

  it.scopedLive("the token never appears in errors or logs, even when the login answer is malformed", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30 })
      const token = "SECRETTOKENVALUE=.eyJ0b2tlbiI6dHJ1ZX0="
      const logs: Array<string> = []
      const logger = Logger.make(({ annotations, message }) => {
        logs.push(JSON.stringify(message) + JSON.stringify([...annotations]))
      })
      sim.setFaults([{
        fault: Faults.body(
          JSON.stringify({ accessTokenDetails: { accessToken: token, tokenType: "bearer", expirationTime: 42 } }),
          { contentType: "application/json" }
        ),
        match: (r) => r.path.startsWith("/Auth/")
      }])
      const client = yield* clientFor(sim, { auth: credentials })
      const error = yield* Effect.flip(client.listJobs()).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      expect(error).toMatchObject({ _tag: "DecodeError", operation: "login", format: "schema" })
      const everything = [JSON.stringify(error), String(error), error.message, ...logs].join("\n")
      expect(everything).toContain("expirationTime")
      expect(everything).not.toContain(token)
      expect(everything).not.toContain("SECRETTOKENVALUE")
      expect(everything).not.toContain(clientSecret)

      // A failing list call with a valid issued token does not leak it either.
      sim.setFaults([{ fault: Faults.status(500), match: (r) => r.path === "/api/v1/admin/jobs" }])
      const client2 = yield* clientFor(sim, { auth: credentials, retryPolicy: RetryPolicy.immediate(1) })
      const e2 = yield* Effect.flip(client2.listJobs()).pipe(
        Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      expect(e2._tag).toBe("ServerError")
      const issued = sim.issuedTokens[0]!
      expect([JSON.stringify(e2), String(e2), e2.message, ...logs].join("\n")).not.toContain(issued)
    }).pipe(Effect.provide(live)))

  it.scopedLive("tokens are refreshed ahead of expirationTime by a margin relative to their life, not on every call", () =>
    Effect.gen(function*() {
      // One hour of life, five minutes of margin: one login serves every call.
      const longLived = yield* InsideViewSimulator.makeInsideView({ jobs: 20, tokenLifetimeSeconds: 3600 })
      const a = yield* clientFor(longLived, { auth: credentials })
      for (let i = 0; i < 5; i++) yield* a.listJobs()
      expect(longLived.logins).toBe(1)

      // Two minutes or thirty seconds of life is shorter than the five-minute
      // margin; the margin becomes 10 % of the life (12 s, 3 s), so one login
      // still serves a burst of calls.
      for (const seconds of [120, 30]) {
        const shortLived = yield* InsideViewSimulator.makeInsideView({ jobs: 20, tokenLifetimeSeconds: seconds })
        const b = yield* clientFor(shortLived, { auth: credentials })
        for (let i = 0; i < 10; i++) yield* b.listJobs()
        expect(shortLived.logins).toBe(1)
        expect(listRequests(shortLived).every((r) => r.status === 200)).toBe(true)
      }

      // A token living two seconds is replaced in the background near its end,
      // while the calls go on.
      const brief = yield* InsideViewSimulator.makeInsideView({ jobs: 20, tokenLifetimeSeconds: 2 })
      const c = yield* clientFor(brief, { auth: credentials })
      for (let i = 0; i < 2000 && brief.logins < 2; i++) {
        yield* c.listJobs()
        yield* tick
      }
      expect(brief.logins).toBeGreaterThanOrEqual(2)
      expect(brief.logins).toBeLessThanOrEqual(3)
    }).pipe(Effect.provide(live)))

  it.scopedLive("the documented expirationTime format is what the simulator issues", () =>
    Effect.gen(function*() {
      expect(InsideViewSimulator.formatExpirationTime(Date.UTC(2015, 6, 21, 21, 8, 17))).toBe(
        "Tue, Jul 21, 2015 09:08:17 PM GMT"
      )
      expect(Date.parse("Tue, Jul 21, 2015 09:08:17 PM GMT")).toBe(Date.UTC(2015, 6, 21, 21, 8, 17))
      expect(Date.parse(InsideViewSimulator.formatExpirationTime(Date.UTC(2020, 0, 1, 0, 5, 0)))).toBe(
        Date.UTC(2020, 0, 1, 0, 5, 0)
      )
    }))
})
