/**
 * The InsideView descriptor opens the client from the environment, with the
 * caller's URL overrides and shared options on top, against the simulator.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { ClientOptions } from "@jobstream/core"
import { InsideViewProvider } from "@jobstream/insideview"
import { Faults, InsideViewSimulator } from "@jobstream/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const provider = InsideViewProvider.provider
const env = (vars: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))

describe("InsideViewProvider", () => {
  it.scopedLive("opens from the variables; a URL override wins over INSIDEVIEW_BASE_URL", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30 })
      const handle = yield* provider.open({ urls: { INSIDEVIEW_BASE_URL: sim.url } }).pipe(
        env({ INSIDEVIEW_BASE_URL: "http://127.0.0.1:1", INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token" })
      )
      expect(handle.provider).toBe("insideview")
      const ids = yield* Stream.runCollect(Stream.map(handle.jobs, (job) => job.id))
      expect([...ids]).toEqual(sim.jobs.map((job) => job.jobId))
      const one = yield* handle.getJob(sim.jobs[3]!.jobId)
      expect(one).toMatchObject({ provider: "insideview", id: sim.jobs[3]!.jobId })
      expect(handle.cancelJob).toBeUndefined()
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("`retries: 0` is applied: a 503 is not retried", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30, faults: [Faults.onRequests([1], Faults.status(503))] })
      const handle = yield* provider.open({ retries: 0 }).pipe(
        env({ INSIDEVIEW_BASE_URL: sim.url, INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token" })
      )
      const error = yield* Effect.flip(Stream.runDrain(handle.jobs))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, provider: "insideview" })
      expect(sim.requestCount).toBe(1)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("a bad override is a ConfigError naming the variable it stands for", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        Effect.scoped(provider.open({ urls: { INSIDEVIEW_BASE_URL: "ftp://x" } })).pipe(
          env({ INSIDEVIEW_ACCESS_TOKEN: "t" })
        )
      )
      expect(ClientOptions.format(error)).toBe(`INSIDEVIEW_BASE_URL: uses the "ftp" scheme; only http and https are supported`)
      expect(provider.missing(() => false)).toEqual(["INSIDEVIEW_ACCESS_TOKEN (or INSIDEVIEW_CLIENT_ID and INSIDEVIEW_CLIENT_SECRET)"])
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
