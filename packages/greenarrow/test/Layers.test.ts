/** The GreenArrow client's Layers: `layer(options)`, `layerConfig(config)`, the environment. */
import { describe, expect, it } from "@effect/vitest"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Config, ConfigProvider, Effect, Either, Layer, Stream } from "effect"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { GreenArrowSimulator } from "@jobstream/testkit"
import { collect, ids, keyAuth, ofOrg, orgAdmin1, orgAdmin2, sysAdmin } from "./helpers.js"

describe("layers", () => {
  const runWith = (env: Record<string, string>, config?: Config.Config.Wrap<GreenArrowClient.Options>) =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 30 })
      const layer = GreenArrowClient.layerConfig(config).pipe(
        Layer.provide(FetchHttpClient.layer),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({
          GREENARROW_BASE_URL: s.url,
          ...env
        })))))
      )
      const result = yield* Effect.either(Effect.flatMap(GreenArrowClient.GreenArrowClient, (c) => collect(c.jobs())).pipe(
        Effect.provide(layer)
      ))
      return { s, result }
    }).pipe(Effect.scoped)

  it.live("layerConfig reads GREENARROW_ORGANIZATION_ID + GREENARROW_API_KEY (Key auth)", () =>
    Effect.gen(function*() {
      const { result, s } = yield* runWith({
        GREENARROW_ORGANIZATION_ID: String(orgAdmin2.organizationId),
        GREENARROW_API_KEY: orgAdmin2.apiKey,
        GREENARROW_PER_PAGE: "4"
      })
      expect(ids(Either.getOrThrow(result))).toEqual(ids(ofOrg(s, 2)))
      expect(s.requests[0]!.query.get("per_page")).toBe("4")
    }))

  it.live("layerConfig without an organization id takes the key as already encoded", () =>
    Effect.gen(function*() {
      const encoded = Buffer.from(`1:${orgAdmin1.apiKey}`).toString("base64")
      const { result, s } = yield* runWith({ GREENARROW_API_KEY: encoded })
      expect(ids(Either.getOrThrow(result))).toEqual(ids(ofOrg(s, 1)))
      expect(s.requests[0]!.headers["authorization"]).toBe(`Basic ${encoded}`)
    }))

  it.live("layerConfig fails with a ConfigError when the key is missing; a Config per option needs no variable", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.either(
        Layer.build(GreenArrowClient.layerConfig().pipe(
          Layer.provide(FetchHttpClient.layer),
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["GREENARROW_BASE_URL", "http://x"]]))))
        )).pipe(Effect.scoped)
      )
      expect(Either.isLeft(missing)).toBe(true)
      const { result, s } = yield* runWith({}, {
        baseUrl: Config.string("GREENARROW_BASE_URL"),
        auth: Config.succeed(keyAuth(sysAdmin))
      })
      expect(ids(Either.getOrThrow(result))).toEqual(ids(s.jobs))
    }))

  it.live("GreenArrowClient.config mapped: options of your own on top of the environment", () =>
    Effect.gen(function*() {
      const { result, s } = yield* runWith(
        { GREENARROW_API_KEY: orgAdmin1.apiKey, GREENARROW_ORGANIZATION_ID: "1" },
        Config.map(GreenArrowClient.config, (options) => ({ ...options, pageSize: 3, pagination: "pages" as const }))
      )
      expect(ids(Either.getOrThrow(result))).toEqual(ids(ofOrg(s, 1)))
      expect(s.requests[0]!.query.get("per_page")).toBe("3")
      expect(s.requests[0]!.query.get("page")).toBe("0")
    }))

  it.live("layer(options) provides the client", () =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 20 })
      const n = yield* Effect.flatMap(GreenArrowClient.GreenArrowClient, (c) => Stream.runCount(c.jobs())).pipe(
        Effect.provide(GreenArrowClient.layer({ baseUrl: `${s.url}/ga/api/v2/`, auth: keyAuth(orgAdmin1) }))
      )
      expect(n).toBe(ofOrg(s, 1).length)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
})
