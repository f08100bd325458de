/**
 * Run as a child process by `oversize.test.ts`, against simulators running in
 * the parent (their URLs by provider name in argv[2], as JSON) whose job
 * lists answer with a 2 GB `Content-Length` or a body that never ends. Each
 * provider's list call, with fetch and with undici, gets its typed error and
 * a summary is printed. The process must then end by itself, WITHOUT
 * `process.exit`: the parent's servers keep streaming, so an abandoned body
 * still holding its socket would keep this process alive.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { RetryPolicy } from "@jobstream/core"
import { Registry } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"

const urls = JSON.parse(process.argv[2] ?? "{}") as Record<string, string>
const knobs = { retryPolicy: RetryPolicy.immediate(2), maxBodyBytes: 64 * 1024 }

/** The first list call of each provider the parent started a simulator for. */
const calls = Object.entries(urls).map(([provider, url]) => {
  const entry = Registry.get(provider)
  const call = entry.calls.find((c) => c.list)!
  return [provider, Effect.scoped(Effect.flatMap(entry.connect(url, { ...knobs, variant: call.variant }), (c) => c.send(call)))] as const
})

const clients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["fetch", FetchHttpClient.layer],
  ["undici", NodeHttpClient.layerUndici]
]

const program = Effect.forEach(clients, ([kind, layer]) =>
  Effect.forEach(calls, ([provider, call]) =>
    Effect.map(Effect.flip(call), (error) => `${kind} ${provider}: ${error._tag}`)).pipe(Effect.provide(layer))).pipe(
    Effect.map((lines) => lines.flat())
  )

Effect.runPromise(program).then(
  (lines) => {
    console.log(JSON.stringify(lines))
  },
  (error: unknown) => {
    console.error(error)
    process.exitCode = 1
  }
)
