import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { InsideViewClient } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { listRequests, loginRequests } from "./utils.js"

const withEnv = (env: Record<string, string>, config?: Config.Config.Wrap<InsideViewClient.Options>) =>
  InsideViewClient.layerConfig(config).pipe(
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

  it.scopedLive("InsideViewClient.config mapped: the mapped options win over the environment", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 12 })
      yield* listOnce.pipe(Effect.provide(withEnv(
        { INSIDEVIEW_BASE_URL: "http://127.0.0.1:1", INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token" },
        Config.map(InsideViewClient.config, (options) => ({ ...options, baseUrl: sim.url, format: "xml" as const }))
      )))
      expect(listRequests(sim)[0]!.headers["accept"]).toBe("application/xml")
    }))

  it.scopedLive("one Config per option (the Effect convention): read from variables of your own", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 12 })
      const firstFive = Effect.flatMap(InsideViewClient.InsideViewClient, (c) => Stream.runCollect(Stream.take(c.jobs(), 5)))
      const jobs = yield* firstFive.pipe(Effect.provide(withEnv({ MY_URL: sim.url, MY_TOKEN: "sim-fixed-token" }, {
        auth: Config.map(Config.redacted("MY_TOKEN"), InsideViewClient.Auth.token),
        baseUrl: Config.string("MY_URL"),
        pageSize: Config.succeed(5),
        concurrency: Config.succeed(1)
      })))
      expect(jobs.length).toBe(5)
      expect(listRequests(sim).map((r) => r.query.get("resultsPerPage"))).toEqual(["5"])
    }))

  it.effect("a bad value from a Config of your own is named by its option (make checks it)", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(listOnce.pipe(Effect.provide(withEnv({ MY_URL: "ftp://x" }, {
        auth: Config.succeed(InsideViewClient.Auth.token(Redacted.make("t"))),
        baseUrl: Config.string("MY_URL"),
        pageSize: Config.succeed(51)
      }))))
      expect(Exit.isFailure(exit)).toBe(true)
      const text = String(exit)
      expect(text).toContain("baseUrl")
      expect(text).toContain("pageSize")
      expect(text).not.toContain("MY_URL")
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
