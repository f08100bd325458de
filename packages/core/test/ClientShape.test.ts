/**
 * The pieces of core every provider package is built from: the shared
 * options (`ClientOptions.transport`), a client's two Layers
 * (`Provider.layers`), the descriptor helpers (`Provider.withOptions`) and a
 * client's `AllJobs` source (`AllJobs.sourceOf`).
 */
import { describe, expect, it } from "@effect/vitest"
import { AllJobs, ApiError, ClientOptions, HttpTransport, Job, Provider, RetryPolicy } from "@jobstream/core"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"

describe("ClientOptions.transport", () => {
  it("fills the defaults and leaves retryPolicy to the client", () => {
    const resolved = Either.getOrThrow(ClientOptions.transport({}))
    expect(Duration.toMillis(resolved.timeout)).toBe(Duration.toMillis(HttpTransport.defaultTimeout))
    expect(resolved.maxBodyBytes).toBe(HttpTransport.defaultMaxBodyBytes)
    expect(resolved.retryPolicy).toBeUndefined()
    expect(resolved.deadline).toBeUndefined()
    expect(resolved.transformClient).toBeUndefined()
  })

  it("reports every bad shared option at once, by its name", () => {
    const bad = ClientOptions.transport({
      retryPolicy: "often",
      timeout: 0,
      deadline: "soon",
      maxBodyBytes: 1.5,
      transformClient: 42
    })
    expect(Either.isLeft(bad) ? ClientOptions.problems(bad.left).map((p) => p.path) : []).toEqual([
      "retryPolicy",
      "timeout",
      "deadline",
      "maxBodyBytes",
      "transformClient"
    ])
  })
})

interface Echo {
  readonly options: { readonly name: string }
}
class EchoTag extends Context.Tag("test/Echo")<EchoTag, Echo>() {}
const makeEcho = (options: { readonly name: string }) =>
  options.name.trim() === ""
    ? Effect.fail(ConfigError.InvalidData(["name"], "must not be empty"))
    : Effect.succeed<Echo>({ options })

describe("Provider.layers", () => {
  const { layer, layerConfig } = Provider.layers(EchoTag, makeEcho)

  it.effect("layer(options) and layerConfig(one Config per option) build the same client", () =>
    Effect.gen(function*() {
      const direct = yield* Effect.provide(EchoTag, layer({ name: "a" }))
      const configured = yield* Effect.provide(EchoTag, layerConfig({ name: Config.string("NAME") })).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["NAME", "a"]])))
      )
      expect(configured.options).toEqual(direct.options)
    }))

  it.effect("a failing make or a missing variable fails the Layer with a ConfigError", () =>
    Effect.gen(function*() {
      const bad = yield* Effect.flip(Layer.build(layer({ name: " " })).pipe(Effect.scoped))
      expect(ClientOptions.format(bad)).toBe("name: must not be empty")
      const missing = yield* Effect.flip(Layer.build(layerConfig({ name: Config.string("NAME") })).pipe(
        Effect.scoped,
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
      ))
      expect(ClientOptions.format(missing)).toBe("NAME: is not set")
    }))
})

describe("Provider.withOptions", () => {
  it.effect("puts the overrides' retryPolicy and timeout on top of a client's config, and nothing else", () =>
    Effect.gen(function*() {
      const base = Config.succeed({ name: "x", timeout: "1 second" as Duration.DurationInput })
      const untouched = yield* Provider.withOptions(base, undefined)
      expect(untouched).toEqual({ name: "x", timeout: "1 second" })
      const policy = RetryPolicy.immediate(1)
      const replaced = yield* Provider.withOptions(base, { timeout: "5 seconds", retryPolicy: policy })
      expect(replaced).toEqual({ name: "x", timeout: "5 seconds", retryPolicy: policy })
      const counted: Array<number> = []
      yield* Provider.withOptions(base, { retries: 3 }, (n) => {
        counted.push(n)
        return policy
      })
      expect(counted).toEqual([3])
    }))
})

describe("AllJobs.sourceOf and ApiError.notInListing", () => {
  it.effect("a client's normalized jobs as a source; NotFound for a scan that found nothing", () =>
    Effect.gen(function*() {
      const job = Job.make({ provider: "p", id: "1", status: "running", providerStatus: "busy", raw: {} })
      class Client extends Context.Tag("test/Client")<Client, { readonly normalizedJobs: () => Stream.Stream<Job.Job> }>() {}
      const source = yield* AllJobs.sourceOf(Client, "p").pipe(
        Effect.provideService(Client, { normalizedJobs: () => Stream.make(job) })
      )
      expect(source.provider).toBe("p")
      expect([...yield* Stream.runCollect(source.jobs)]).toEqual([job])
      const where = { provider: "p", operation: "getJob", method: "GET", url: "http://x/jobs" }
      expect(ApiError.notInListing(where, "no job 7")).toMatchObject({ _tag: "NotFound", providerMessage: "no job 7" })
      expect(ApiError.notInListing(where, "no job 7").status).toBeUndefined()
    }))
})
