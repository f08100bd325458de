/**
 * The GreenArrow descriptor opens the client from the environment, with the
 * caller's URL override and shared options on top, against the simulator.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { GreenArrowProvider } from "@jobstream/greenarrow"
import { Faults, GreenArrowSimulator } from "@jobstream/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"

const provider = GreenArrowProvider.provider
const key = GreenArrowSimulator.defaultKeys[0]!
const env = (vars: Record<string, string>) => Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))
const keyVars = { GREENARROW_API_KEY: key.apiKey, GREENARROW_ORGANIZATION_ID: String(key.organizationId) }

describe("GreenArrowProvider", () => {
  it.scopedLive("opens from the variables; the URL override stands for GREENARROW_BASE_URL", () =>
    Effect.gen(function*() {
      const sim = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 40 })
      const handle = yield* provider.open({ urls: { GREENARROW_BASE_URL: sim.url } }).pipe(env(keyVars))
      const ids = yield* Stream.runCollect(Stream.map(handle.jobs, (job) => job.id))
      const own = sim.jobs.filter((job) => job.organization_id === key.organizationId).map((job) => String(job.id))
      expect([...ids]).toEqual(own)
      expect(yield* handle.getJob(own[2]!)).toMatchObject({ provider: "greenarrow", id: own[2] })
      expect(provider.missing((name) => name === "GREENARROW_API_KEY")).toEqual(["GREENARROW_BASE_URL"])
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("`retries: 0` is applied: a 503 is not retried", () =>
    Effect.gen(function*() {
      const sim = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 40, faults: [Faults.onRequests([1], Faults.status(503))] })
      const handle = yield* provider.open({ retries: 0 }).pipe(env({ ...keyVars, GREENARROW_BASE_URL: sim.url }))
      const error = yield* Effect.flip(Stream.runDrain(handle.jobs))
      expect(error).toMatchObject({ _tag: "ServerError", status: 503, provider: "greenarrow" })
      expect(sim.requestCount).toBe(1)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
