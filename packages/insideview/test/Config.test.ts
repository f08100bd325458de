import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { InsideViewClient } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import { listRequests, loginRequests } from "./utils.js"

const withEnv = (env: Record<string, string>, overrides?: Partial<InsideViewClient.Options>) =>
  InsideViewClient.layerConfig(overrides).pipe(
    Layer.provide(FetchHttpClient.layer),
    Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
  )

const listOnce = Effect.flatMap(InsideViewClient.InsideViewClient, (c) => c.listJobs())

describe("layerConfig", () => {
  it.scopedLive("INSIDEVIEW_ACCESS_TOKEN + INSIDEVIEW_BASE_URL + INSIDEVIEW_FORMAT", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 12 })
      const page = yield* listOnce.pipe(Effect.provide(withEnv({
        INSIDEVIEW_BASE_URL: sim.url,
        INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token",
        INSIDEVIEW_FORMAT: "xml"
      })))
      expect(page.totalResults).toBe(12)
      expect(listRequests(sim)[0]!.headers["accept"]).toBe("application/xml")
      expect(loginRequests(sim)).toEqual([])
    }))

  it.scopedLive("INSIDEVIEW_CLIENT_ID + INSIDEVIEW_CLIENT_SECRET log in; JSON by default", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 12 })
      yield* listOnce.pipe(Effect.provide(withEnv({
        INSIDEVIEW_BASE_URL: sim.url,
        INSIDEVIEW_AUTH_BASE_URL: sim.url,
        INSIDEVIEW_CLIENT_ID: "sim-client",
        INSIDEVIEW_CLIENT_SECRET: "sim-secret"
      })))
      expect(sim.logins).toBe(1)
      expect(listRequests(sim)[0]!.headers["accept"]).toBe("application/json")
    }))

  it.scopedLive("overrides win over the environment", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 12 })
      yield* listOnce.pipe(Effect.provide(withEnv(
        { INSIDEVIEW_BASE_URL: "http://127.0.0.1:1", INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token" },
        { baseUrl: sim.url, format: "xml" }
      )))
      expect(listRequests(sim)[0]!.headers["accept"]).toBe("application/xml")
    }))

  it.effect("missing credentials or a bad format are ConfigErrors naming the variables", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.exit(listOnce.pipe(Effect.provide(withEnv({ INSIDEVIEW_CLIENT_ID: "x" }))))
      expect(Exit.isFailure(missing)).toBe(true)
      expect(String(missing)).toContain("INSIDEVIEW_ACCESS_TOKEN")
      expect(String(missing)).toContain("INSIDEVIEW_CLIENT_SECRET")
      const format = yield* Effect.exit(
        listOnce.pipe(Effect.provide(withEnv({ INSIDEVIEW_ACCESS_TOKEN: "t", INSIDEVIEW_FORMAT: "yaml" })))
      )
      expect(Exit.isFailure(format)).toBe(true)
      expect(String(format)).toContain("INSIDEVIEW_FORMAT")
    }))
})
