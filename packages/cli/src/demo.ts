/**
 * `pnpm demo` (foundation version): starts the generic simulator in-process
 * and streams every job through core's HttpTransport + Paginate.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { HttpTransport, Paginate } from "@jobstream/core"
import { GenericSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const Page = Schema.Struct({
  items: Schema.Array(Schema.Struct({ id: Schema.String, name: Schema.String, status: Schema.String })),
  total: Schema.Number
})

const program = Effect.gen(function*() {
  const server = yield* GenericSimulator.makeGeneric({ jobs: 1000, latency: { millis: 5 } })
  const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: server.url })
  let count = 0
  yield* Paginate.numbered({
    pageSize: 100,
    concurrency: 4,
    fetch: (page) =>
      transport.execute({
        operation: "listJobs",
        request: HttpClientRequest.get(`/jobs?page=${page}&per_page=100`),
        decode: HttpTransport.decodeJson(Page)
      })
  }).pipe(
    Stream.runForEach((job) =>
      Effect.sync(() => {
        count++
        process.stdout.write(`${job.id}  ${job.status.padEnd(8)}  ${job.name}\n`)
      })
    )
  )
  process.stdout.write(`\n${count} jobs streamed from ${server.requestCount} requests\n`)
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))).catch((error) => {
  process.stderr.write(`${String(error)}\n`)
  process.exit(1)
})
