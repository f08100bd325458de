/**
 * What the HttpTransport tests share: a transport on a fresh generic
 * simulator, a GET of one page, and a retry policy with exact delays.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { HttpTransport, RetryPolicy } from "@jobstream/core"
import { GenericSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

export const Page = Schema.Struct({
  items: Schema.Array(Schema.Struct({ id: Schema.String })),
  total: Schema.Number
})

export const listJobs = HttpTransport.decodeJson(Page)

/** A transport against a fresh generic simulator, with the given options. */
export const setup = (
  options: Partial<HttpTransport.Options> = {},
  sim: GenericSimulator.GenericOptions = {}
) =>
  Effect.gen(function*() {
    const server = yield* GenericSimulator.makeGeneric({ jobs: 20, ...sim })
    const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: server.url, timeout: "1 day", ...options })
    return { server, transport }
  })

export const get = (transport: HttpTransport.Service, path: string) =>
  transport.execute({ operation: "listJobs", request: HttpClientRequest.get(path), decode: listJobs })

// Deterministic policy for exact delay assertions: 100 ms, 200 ms, 400 ms…
export const exact = RetryPolicy.make({ base: "100 millis", jitter: false, maxRetries: 3 })
