/**
 * Run as a child process by `oversize.test.ts`, against simulators running in
 * the parent (their URLs in argv[2], as JSON) whose job lists answer with a
 * 2 GB `Content-Length` or a body that never ends. Each provider's client, with
 * fetch and with undici, gets its typed error and a summary is printed. The
 * process must then end by itself, WITHOUT `process.exit`: the parent's
 * servers keep streaming, so an abandoned body still holding its socket
 * would keep this process alive.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type { ApiError } from "@jobstream/core"
import { RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { IcwsClient } from "@jobstream/icws"
import { InsideViewClient } from "@jobstream/insideview"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

const urls = JSON.parse(process.argv[2] ?? "{}") as { insideview: string; greenarrow: string; icws: string }
const common = { retryPolicy: RetryPolicy.immediate(2), maxBodyBytes: 64 * 1024 }

const calls: ReadonlyArray<readonly [string, Effect.Effect<unknown, ApiError.ApiError, HttpClient.HttpClient>]> = [
  [
    "insideview",
    Effect.flatMap(
      InsideViewClient.make({ ...common, baseUrl: urls.insideview, auth: InsideViewClient.Auth.token(Redacted.make("sim-fixed-token")) })
        .pipe(Effect.orDie),
      (c) => c.listJobs()
    ).pipe(Effect.scoped)
  ],
  [
    "greenarrow",
    Effect.flatMap(
      GreenArrowClient.make({
        ...common,
        baseUrl: urls.greenarrow,
        auth: { _tag: "Key", organizationId: 1, apiKey: Redacted.make("5e96465c883f3309f0105a2e1076632b687e61d2") }
      }).pipe(Effect.orDie),
      (c) => c.page(undefined, { _tag: "First" })
    )
  ],
  [
    "icws",
    Effect.flatMap(
      IcwsClient.make({ ...common, baseUrl: urls.icws, user: "agent", password: Redacted.make("s3cret-pw") }).pipe(Effect.orDie),
      (c) => Stream.runDrain(Stream.take(c.jobs(), 1))
    ).pipe(Effect.scoped)
  ]
]

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
