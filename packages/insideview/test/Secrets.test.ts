/**
 * InsideView's own secret cases (the shared suite in
 * `test/reliability/secrets.test.ts` covers what every provider has): tokens
 * the server expires or revokes, a refused client secret and a login answer
 * carrying a token but not decoding. No client secret, fixed token or issued
 * token appears in any error, log line or span.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { expect, layer } from "@effect/vitest"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { InsideViewClient } from "@jobstream/insideview"
import { Capture, Faults, InsideViewHarness, InsideViewSimulator, SimulatorEnv } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"

layer(FetchHttpClient.layer, { excludeTestServices: true })("insideview secrets", (it) => {
  it.scoped("expired and revoked tokens, a refused secret, an undecodable login answer: no secret anywhere", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 120 })
      const leakyToken = "LEAKY-token-value-0123456789"
      const wrongSecret = "wrong-client-secret-9876"
      const knobs = { retryPolicy: RetryPolicy.immediate(1), pageSize: 20 }
      const audit = yield* Capture.audit((errors) =>
        Effect.gen(function*() {
          const creds = yield* InsideViewHarness.client(sim.url, { ...knobs, variant: "credentials" })
          expect((yield* Capture.collect(creds.jobs()).pipe(Effect.orDie)).length).toBe(120)
          // Expired, then revoked tokens: 401, one re-login, success.
          sim.expireIssuedTokens()
          yield* creds.listJobs().pipe(Effect.orDie)
          sim.revokeAllTokens()
          yield* creds.listJobs().pipe(Effect.orDie)
          // The fixed token, revoked: 401 (nothing to log in with).
          const fixed = yield* InsideViewHarness.client(sim.url, { ...knobs, variant: "token" })
          yield* Capture.keep(errors, fixed.listJobs())
          // A refused client secret: the login fails.
          const wrong = yield* InsideViewClient.make({
            baseUrl: sim.url,
            authBaseUrl: sim.url,
            auth: InsideViewClient.Auth.credentials(SimulatorEnv.defaults.insideViewClientId, Redacted.make(wrongSecret)),
            retryPolicy: RetryPolicy.none
          }).pipe(Effect.orDie)
          yield* Capture.keep(errors, wrong.listJobs())
          // A login answer that carries a token but does not decode.
          sim.setFaults([{
            fault: Faults.body(JSON.stringify({ accessTokenDetails: { accessToken: leakyToken, expirationTime: 5 } })),
            match: InsideViewHarness.isLogin
          }])
          const leaky = yield* InsideViewHarness.client(sim.url, knobs)
          yield* Capture.keep(errors, leaky.listJobs())
          sim.setFaults([])
        })
      )
      expect(sim.issuedTokens.length).toBeGreaterThanOrEqual(2)
      expect(audit.errors.map((e) => (e as ApiError.ApiError)._tag)).toEqual(["Unauthorized", "Unauthorized", "DecodeError"])
      expect(audit.spans.spans.some((s) => s.name === "insideview.login")).toBe(true)
      expect(audit.logs.records.length).toBeGreaterThan(0)
      const secrets = [
        SimulatorEnv.defaults.insideViewClientSecret,
        SimulatorEnv.defaults.insideViewToken,
        wrongSecret,
        leakyToken,
        ...sim.issuedTokens
      ]
      expect(Capture.findLeaks(secrets, audit.texts())).toEqual([])
    }))
})
