/**
 * Secrets never leave the clients: for each provider, succeeding and failing
 * calls run under a logger that records every line at every level and a
 * tracer that records every span (ours and the platform HttpClient's, with
 * all their attributes); no known secret may appear in any error text, log
 * line or span.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { IcwsClient } from "@jobstream/icws"
import { InsideViewClient } from "@jobstream/insideview"
import { Faults, GreenArrowSimulator, IcwsSimulator, InsideViewSimulator } from "@jobstream/testkit"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import {
  collect,
  errorTexts,
  findLeaks,
  greenArrowKey,
  icws,
  icwsClient,
  insideView,
  insideViewClient,
  isGreenArrowList,
  isIcwsList,
  isInsideViewList,
  live,
  recordLogs,
  recordSpans
} from "./support.js"

/** Runs the scenario under recorders; returns what to search. */
const audited = <A, R>(scenario: (errors: Array<unknown>) => Effect.Effect<A, never, R>) =>
  Effect.gen(function*() {
    const logs = recordLogs()
    const spans = recordSpans()
    const errors: Array<unknown> = []
    const result = yield* scenario(errors).pipe(Effect.provide(Layer.merge(logs.layer, spans.layer)))
    const texts = () => [
      ...errors.flatMap(errorTexts),
      ...logs.records.map((r, i) => ({ where: `log #${i} (${r.level})`, text: r.text })),
      ...spans.texts()
    ]
    return { result, errors, logs, spans, texts }
  })

/** Runs a call, keeping its error (if any) for the audit. */
const attempt = <A>(errors: Array<unknown>, effect: Effect.Effect<A, ApiError.ApiError>) =>
  Effect.catchAll(Effect.asVoid(effect), (error) => Effect.sync(() => errors.push(error)))

/** InsideView: succeeding and failing calls; the secrets they involve. */
const insideViewScenario = Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 120 })
      const leakyToken = "LEAKY-token-value-0123456789"
      const wrongSecret = "wrong-client-secret-9876"
      const audit = yield* audited((errors) =>
        Effect.gen(function*() {
          const policy = RetryPolicy.immediate(1)
          const creds = yield* insideViewClient(sim, { retryPolicy: policy, pageSize: 20 })
          // Success: login, then every page.
          const ids = yield* collect(creds.jobs()).pipe(Effect.orDie)
          expect(ids.length).toBe(120)
          // 500s (retried, then surfaced), a reset, a malformed body, a timeout.
          for (const fault of [Faults.status(500), Faults.reset, Faults.body("{oops"), Faults.hang]) {
            sim.setFaults([{ fault, match: isInsideViewList }])
            const client = yield* insideViewClient(sim, { retryPolicy: policy, timeout: "100 millis" })
            yield* attempt(errors, client.listJobs())
          }
          sim.setFaults([])
          // Expired, then revoked tokens: 401, one re-login, success.
          sim.expireIssuedTokens()
          yield* creds.listJobs().pipe(Effect.orDie)
          sim.revokeAllTokens()
          yield* creds.listJobs().pipe(Effect.orDie)
          // The fixed token, revoked: 401 (nothing to log in with).
          const fixed = yield* insideViewClient(sim, { retryPolicy: policy, insideViewAuth: "token" })
          yield* attempt(errors, fixed.listJobs())
          // Wrong client secret: the login fails.
          const wrong = yield* InsideViewClientWithSecret(sim, wrongSecret)
          yield* attempt(errors, wrong.listJobs())
          // A login answer that carries a token but does not decode.
          sim.setFaults([{
            fault: Faults.body(JSON.stringify({ accessTokenDetails: { accessToken: leakyToken, expirationTime: 5 } })),
            match: (r) => r.path.startsWith("/Auth/login/")
          }])
          const leaky = yield* insideViewClient(sim, { retryPolicy: policy })
          yield* attempt(errors, leaky.listJobs())
          sim.setFaults([])
        }).pipe(Effect.scoped)
      )
      const secrets = [insideView.clientSecret, insideView.fixedToken, wrongSecret, leakyToken, ...sim.issuedTokens]
      expect(sim.issuedTokens.length).toBeGreaterThanOrEqual(2)
      expect(audit.errors.map((e) => (e as ApiError.ApiError)._tag)).toEqual([
        "ServerError",
        "TransportError",
        "DecodeError",
        "Timeout",
        "Unauthorized",
        "Unauthorized",
        "DecodeError"
      ])
      // The recorders did see the traffic (so an empty audit cannot pass by accident).
      expect(audit.spans.spans.some((s) => s.name === "insideview.login")).toBe(true)
      // Requests carrying a secret get no platform span (it would keep the raw request); the
      // transport's own spans (per operation, per request) carry the redacted URL and the status.
      expect(audit.spans.spans.some((s) => s.name.startsWith("http.client"))).toBe(true)
      expect(audit.spans.spans.some((s) => [...s.attributes.keys()].some((k) => k.startsWith("http.request.header.")))).toBe(false)
      expect(audit.spans.spans.some((s) => s.name === "insideview.listJobs" && s.attributes.has("url.full"))).toBe(true)
      expect(audit.spans.spans.some((s) => s.attributes.has("http.response.status_code"))).toBe(true)
      expect(audit.logs.records.length).toBeGreaterThan(0)
      return { audit, secrets }
})

const InsideViewClientWithSecret = (sim: { readonly url: string }, secret: string) =>
  InsideViewClient.make({
    baseUrl: sim.url,
    authBaseUrl: sim.url,
    auth: InsideViewClient.Auth.credentials(insideView.clientId, Redacted.make(secret)),
    retryPolicy: RetryPolicy.none
  }).pipe(Effect.orDie)

/** GreenArrow: succeeding and failing calls; the secrets they involve. */
const greenArrowScenario = Effect.gen(function*() {
      const sim = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 90 })
      const basic = sim.basicAuth(greenArrowKey)
      const encoded = basic.replace(/^Basic /, "")
      const wrongKey = "0000wrong-api-key-ffff"
      const wrongEncoded = Buffer.from(`1:${wrongKey}`).toString("base64")
      const make = (auth: GreenArrowClient.Auth, timeout: Duration.DurationInput = "2 seconds") =>
        GreenArrowClient.make({ baseUrl: sim.url, auth, retryPolicy: RetryPolicy.immediate(1), perPage: 25, timeout }).pipe(Effect.orDie)
      const key: GreenArrowClient.Auth = {
        _tag: "Key",
        organizationId: greenArrowKey.organizationId,
        apiKey: Redacted.make(greenArrowKey.apiKey)
      }
      const audit = yield* audited((errors) =>
        Effect.gen(function*() {
          const ok = yield* make(key)
          const ids = yield* collect(ok.jobs()).pipe(Effect.orDie)
          expect(ids.length).toBeGreaterThan(0)
          const viaEncoded = yield* make({ _tag: "Encoded", encoded: Redacted.make(basic) })
          expect((yield* collect(viaEncoded.jobs()).pipe(Effect.orDie)).length).toBe(ids.length)
          for (const fault of [Faults.status(500), Faults.reset, Faults.body("{oops"), Faults.hang, Faults.status(403)]) {
            sim.setFaults([{ fault, match: isGreenArrowList }])
            const client = yield* make(key, "100 millis")
            yield* attempt(errors, Stream.runDrain(client.jobs()))
          }
          sim.setFaults([])
          yield* attempt(errors, Stream.runDrain((yield* make({ ...key, apiKey: Redacted.make(wrongKey) })).jobs()))
          yield* attempt(
            errors,
            Stream.runDrain((yield* make({ _tag: "Encoded", encoded: Redacted.make(wrongEncoded) })).jobs())
          )
          yield* attempt(errors, ok.getJob(999_999_999))
          yield* attempt(errors, ok.jobs({ scope: { _tag: "AllOrganizations" } }).pipe(Stream.runDrain))
        })
      )
      expect(audit.errors.map((e) => (e as ApiError.ApiError)._tag)).toEqual([
        "ServerError",
        "TransportError",
        "DecodeError",
        "Timeout",
        "Forbidden",
        "Unauthorized",
        "Unauthorized",
        "NotFound",
        "Forbidden"
      ])
      expect(audit.spans.spans.some((s) => s.name.startsWith("http.client"))).toBe(true)
      expect(audit.spans.spans.some((s) => [...s.attributes.keys()].some((k) => k.startsWith("http.request.header.")))).toBe(false)
      expect(audit.spans.spans.some((s) => s.name.startsWith("greenarrow.") && s.attributes.has("url.full"))).toBe(true)
      expect(audit.spans.spans.some((s) => s.attributes.has("http.response.status_code"))).toBe(true)
      const secrets = [greenArrowKey.apiKey, encoded, wrongKey, wrongEncoded]
      return { audit, secrets }
})

/** ICWS: succeeding and failing calls; the secrets they involve. */
const icwsScenario = Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 40 })
      const wrongPassword = "wr0ng-pa55word-xyz"
      const audit = yield* audited((errors) =>
        Effect.gen(function*() {
          const policy = RetryPolicy.immediate(1)
          yield* Effect.scoped(Effect.gen(function*() {
            const client = yield* icwsClient(sim, { retryPolicy: policy, timeout: "2 seconds" })
            expect((yield* collect(client.jobs()).pipe(Effect.orDie)).length).toBe(40)
            // Cookie rotation, then session expiry (401 → reconnect → success).
            sim.rotateCookies()
            yield* attempt(errors, collect(Stream.take(client.jobs(), 5)))
            sim.expireSessions()
            yield* attempt(errors, collect(Stream.take(client.jobs(), 5)))
            const submitted = yield* client.submitJob({ name: "audit", submittedUserId: "agent" }).pipe(Effect.orDie)
            yield* attempt(errors, client.cancelJob(submitted.id))
            yield* attempt(errors, client.getJob("no-such-job"))
            for (const fault of [Faults.status(500), Faults.reset, Faults.body("{oops"), Faults.status(401)]) {
              sim.setFaults([{ fault, match: isIcwsList }])
              yield* attempt(errors, Stream.runDrain(client.jobs()))
            }
            sim.setFaults([])
          }))
          // Timeouts on a fresh session.
          yield* Effect.scoped(Effect.gen(function*() {
            sim.setFaults([{ fault: Faults.hang, match: isIcwsList }])
            const client = yield* icwsClient(sim, { retryPolicy: policy, timeout: "100 millis" })
            yield* attempt(errors, Stream.runDrain(client.jobs()))
            sim.setFaults([])
          }))
          // A wrong password: the connection is refused.
          yield* Effect.scoped(Effect.gen(function*() {
            const client = yield* IcwsClient.make({
              baseUrl: sim.url,
              user: icws.user,
              password: Redacted.make(wrongPassword),
              retryPolicy: RetryPolicy.none
            }).pipe(Effect.orDie)
            yield* attempt(errors, Stream.runDrain(client.jobs()))
          }))
        })
      )
      expect(audit.errors.map((e) => (e as ApiError.ApiError)._tag)).toEqual([
        "NotFound",
        "ServerError",
        "TransportError",
        "DecodeError",
        "Unauthorized",
        "Timeout",
        "BadRequest"
      ])
      const sessions = sim.createdSessions
      expect(sessions.length).toBeGreaterThanOrEqual(3)
      const cookieValues = sessions.flatMap((s) => [...s.cookies].filter(([name]) => name.startsWith("icws_")).map(([, v]) => v))
      // Cookie values seen on the wire (rotated ones included).
      const sentCookies = sim.requests.flatMap((r) =>
        (r.headers["cookie"] ?? "").split(";").map((c) => c.trim()).filter((c) => c.startsWith("icws_")).map((c) =>
          c.slice(c.indexOf("=") + 1)
        )
      )
      const secrets = [
        icws.password,
        wrongPassword,
        ...sessions.map((s) => s.csrfToken),
        ...new Set([...cookieValues, ...sentCookies])
      ]
      expect(sentCookies.length).toBeGreaterThan(0)
      // ICWS requests get no platform client span (its transport's client is transformed); ours cover them.
      expect(audit.spans.spans.some((s) => s.name === "icws.connect")).toBe(true)
      expect(audit.spans.spans.some((s) => s.name === "icws.listJobs")).toBe(true)
      return { audit, secrets }
})

const scenarios = { insideview: insideViewScenario, greenarrow: greenArrowScenario, icws: icwsScenario } as const

for (const [name, scenario] of Object.entries(scenarios)) {
  describe(`secrets: ${name}`, () => {
    it.live("no secret in errors (message, String, JSON), logs (all levels) or spans (names, attributes, events, Cause.pretty of exits)", () =>
      Effect.gen(function*() {
        const { audit, secrets } = yield* scenario
        expect(findLeaks(secrets, audit.texts())).toEqual([])
      }).pipe(Effect.scoped, Effect.provide(live)))

    // Regression: the platform HttpClient's span used to end with its RequestError, which holds
    // the request as sent (raw headers included); secret-bearing requests no longer get that span.
    it.live("no secret in the JSON of the errors spans end with", () =>
      Effect.gen(function*() {
        const { audit, secrets } = yield* scenario
        expect(audit.spans.spans.some((s) => s.exit !== undefined && s.exit._tag === "Failure")).toBe(true)
        expect(findLeaks(secrets, audit.spans.exitJsonTexts())).toEqual([])
      }).pipe(Effect.scoped, Effect.provide(live)))
  })
}

describe("secrets: icws session id", () => {

  it.live("the session id (in every ICWS path) stays out of errors and logs", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 20, faults: [{ fault: Faults.status(500), match: isIcwsList }] })
      const audit = yield* audited((errors) =>
        Effect.scoped(Effect.gen(function*() {
          const client = yield* icwsClient(sim, { retryPolicy: RetryPolicy.immediate(1) })
          yield* attempt(errors, Stream.runDrain(client.jobs()))
          yield* attempt(errors, client.getJob("missing"))
        }))
      )
      expect(audit.errors.length).toBe(2)
      const ids = sim.createdSessions.map((s) => s.sessionId)
      const texts = [
        ...audit.errors.flatMap(errorTexts),
        ...audit.logs.records.map((r, i) => ({ where: `log #${i}`, text: r.text }))
      ]
      expect(findLeaks(ids, texts)).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(live)))
})
