/**
 * ICWS's own secret cases (the shared suite in
 * `test/reliability/secrets.test.ts` covers what every provider has):
 * rotated cookies, an expired session, jobs submitted and canceled in the
 * session, a refused password. No password, session id, CSRF token or
 * cookie value — rotated ones included — appears in any error, log line or
 * span.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { expect, layer } from "@effect/vitest"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { Capture, Faults, IcwsHarness, IcwsSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

layer(FetchHttpClient.layer, { excludeTestServices: true })("icws secrets", (it) => {
  it.scoped("cookie rotation, session expiry, submit and cancel, a refused password: no secret anywhere", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 40 })
      const knobs = { retryPolicy: RetryPolicy.immediate(1), timeout: "2 seconds" } as const
      const audit = yield* Capture.audit((errors) =>
        Effect.gen(function*() {
          yield* Effect.scoped(Effect.gen(function*() {
            const client = yield* IcwsHarness.client(sim.url, knobs)
            expect((yield* Capture.collect(client.jobs()).pipe(Effect.orDie)).length).toBe(40)
            // Cookie rotation, then session expiry (401 → reconnect → success).
            sim.rotateCookies()
            yield* Capture.keep(errors, Capture.collect(Stream.take(client.jobs(), 5)))
            sim.expireSessions()
            yield* Capture.keep(errors, Capture.collect(Stream.take(client.jobs(), 5)))
            const submitted = yield* client.submitJob({ name: "audit", submittedUserId: "agent" }).pipe(Effect.orDie)
            yield* Capture.keep(errors, client.cancelJob(submitted.id))
            sim.setFaults([{ fault: Faults.status(401), match: IcwsHarness.isList }])
            yield* Capture.keep(errors, Stream.runDrain(client.jobs()))
            sim.setFaults([])
          }))
          // A refused password: the connection is refused.
          yield* Effect.scoped(Effect.flatMap(
            IcwsHarness.client(sim.url, { wrongCredentials: true }),
            (client) => Capture.keep(errors, Stream.runDrain(client.jobs()))
          ))
        })
      )
      expect(audit.errors.map((e) => (e as ApiError.ApiError)._tag)).toEqual(["Unauthorized", "BadRequest"])
      expect(sim.createdSessions.length).toBeGreaterThanOrEqual(3)
      // Cookie values seen on the wire (rotated ones included).
      const sentCookies = sim.requests.flatMap((r) =>
        (r.headers["cookie"] ?? "").split(";").map((c) => c.trim()).filter((c) => c.startsWith("icws_")).map((c) =>
          c.slice(c.indexOf("=") + 1)
        )
      )
      expect(sentCookies.length).toBeGreaterThan(0)
      expect(audit.spans.spans.some((s) => s.name === "icws.connect")).toBe(true)
      expect(audit.spans.spans.some((s) => s.name === "icws.listJobs")).toBe(true)
      const secrets = [...IcwsHarness.secrets(sim), ...new Set(sentCookies)]
      expect(Capture.findLeaks(secrets, audit.texts())).toEqual([])
    }))

  it.scoped("the session id (in every ICWS path) stays out of errors and logs", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 20, faults: [{ fault: Faults.status(500), match: IcwsHarness.isList }] })
      const audit = yield* Capture.audit((errors) =>
        Effect.scoped(Effect.gen(function*() {
          const client = yield* IcwsHarness.client(sim.url, { retryPolicy: RetryPolicy.immediate(1) })
          yield* Capture.keep(errors, Stream.runDrain(client.jobs()))
          yield* Capture.keep(errors, client.getJob("missing"))
        }))
      )
      expect(audit.errors.length).toBe(2)
      expect(Capture.findLeaks(sim.createdSessions.map((s) => s.sessionId), audit.texts())).toEqual([])
    }))
})
