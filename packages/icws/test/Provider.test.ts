/**
 * The ICWS descriptor opens the client (and its session) from the
 * environment, with the caller's URL override and shared options on top,
 * against the simulator; the session is logged out when the scope closes.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { IcwsProvider } from "@jobstream/icws"
import { Faults, IcwsSimulator } from "@jobstream/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"

const provider = IcwsProvider.provider
const env = (vars: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))
const user = { ICWS_USER: "agent", ICWS_PASSWORD: "s3cret-pw" }

describe("IcwsProvider", () => {
  it.live("opens from the variables (URL override), watches and cancels, and logs out with the scope", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 12 })
      yield* Effect.gen(function*() {
        const handle = yield* provider.open({ urls: { ICWS_BASE_URL: sim.url } }).pipe(env(user))
        const jobs = yield* Stream.runCollect(handle.jobs)
        expect(jobs.length).toBe(12)
        const running = sim.jobs.find((job) => job.status.state < IcwsSimulator.State.failed && job.status.submittedUserId === "agent")!
        const seen = yield* Stream.runCollect(handle.watchJob!(running.status.id, Schedule.recurs(10)))
        expect([...seen].at(-1)?.status).toBe("succeeded")
        expect(provider.capabilities).toEqual({ cancel: true, watch: true })
      }).pipe(Effect.scoped)
      expect(sim.createdSessions.length).toBe(1)
      expect(sim.deletedSessions).toEqual([sim.createdSessions[0]!.sessionId])
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("`retries: 0` is applied: a 503 on the list is not retried", () =>
    Effect.gen(function*() {
      // Request 1 is the login, request 2 the first list page.
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 12, faults: [Faults.onRequests([2], Faults.status(503))] })
      const handle = yield* provider.open({ retries: 0 }).pipe(env({ ...user, ICWS_BASE_URL: sim.url }))
      const error = yield* Effect.flip(Stream.runDrain(handle.jobs))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, provider: "icws" })
      expect(sim.requests.filter((r) => r.path.endsWith("/data-extractor/jobs")).length).toBe(1)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
