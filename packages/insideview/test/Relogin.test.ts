/**
 * Tokens that the server stops accepting after a few requests, at several
 * concurrencies and in both formats: the listing completes, logins stay
 * bounded, and the client reports them. Real HTTP against the simulator.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { Faults, InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import { clientFor, collect, credentials, listRequests } from "./utils.js"

const live = FetchHttpClient.layer
const maxUses = 10

describe("a token expiring after a few requests", () => {
  for (const format of ["json", "xml"] as const) {
    for (const concurrency of [1, 4, 8]) {
      it.scopedLive(`${format}, concurrency ${concurrency}: the listing completes; logins bounded and reported`, () =>
        Effect.gen(function*() {
          const sim = yield* InsideViewSimulator.makeInsideView({
            jobs: 495, // 50 pages, the last one short
            tokenMaxUses: maxUses,
            latency: { millis: 1, jitterMillis: 3 }
          })
          const client = yield* clientFor(sim, { auth: credentials, format, concurrency, pageSize: 10 })
          const jobs = yield* collect(client.jobs())
          expect(jobs.map((j) => j.jobId)).toEqual(sim.jobs.map((j) => j.jobId))

          const answered = listRequests(sim).filter((r) => r.status === 200).length
          expect(answered).toBe(50)
          // A login happens only once the token in use has served its 10 requests.
          const logins = yield* client.logins
          expect(logins).toBe(sim.logins)
          expect(logins).toBeGreaterThanOrEqual(answered / maxUses)
          expect(logins).toBeLessThanOrEqual(1 + Math.ceil(answered / maxUses))
          // Each exhausted token turns away at most the requests in flight with it.
          const rejected = listRequests(sim).filter((r) => r.status === 401).length
          expect(rejected).toBe(sim.exhaustedTokenRejections)
          expect(rejected).toBeGreaterThanOrEqual(logins - 1)
          expect(rejected).toBeLessThanOrEqual(concurrency * (logins - 1))
        }).pipe(Effect.provide(live)))
    }
  }

  it.scopedLive("tokens lasting 3 requests under concurrency 8, with maxRelogins 4: the listing still completes", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 300, tokenMaxUses: 3 })
      const client = yield* clientFor(sim, { auth: credentials, concurrency: 8, pageSize: 10, maxRelogins: 4 })
      const jobs = yield* collect(client.jobs())
      expect(jobs.map((j) => j.jobId)).toEqual(sim.jobs.map((j) => j.jobId))
      expect(yield* client.logins).toBeLessThanOrEqual(1 + Math.ceil(30 / 3))
    }).pipe(Effect.provide(live)))

  it.scopedLive("a server rejecting every token, 8 calls at once: 3 logins in all (single flight), 3 tries per call", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 30,
        faults: [{ fault: Faults.status(401), match: (r) => r.path === "/api/v1/admin/jobs" }]
      })
      const client = yield* clientFor(sim, { auth: credentials })
      const errors = yield* Effect.forEach(
        Array.from({ length: 8 }),
        () => Effect.flip(client.listJobs()),
        { concurrency: "unbounded" }
      )
      expect(errors.map((e) => e._tag)).toEqual(Array.from({ length: 8 }, () => "Unauthorized"))
      expect(sim.logins).toBe(3)
      expect(yield* client.logins).toBe(3)
      expect(listRequests(sim).length).toBe(24)
    }).pipe(Effect.provide(live)))
})
