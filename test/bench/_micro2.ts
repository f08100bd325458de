import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { HttpTransport } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
const body = JSON.stringify({ bulkJobs: [], page: "1", resultsPerPage: "50", totalResults: "10" })
const fake = HttpClient.make((request) => Effect.sync(() => HttpClientResponse.fromWeb(request, new Response(body, { headers: { "content-type": "application/json", "content-length": String(body.length) } }))))
const layer = Layer.succeed(HttpClient.HttpClient, fake)
const n = 2000
const headers = { accept: "application/json", accesstoken: "sim-fixed-token" }
const run = (which: string) => { (globalThis as any).__T = which === "base" || which === "platform" ? {} : Object.fromEntries(which.split("+").map((k) => [k, true])); return Effect.runPromise(Effect.gen(function*() {
  const client = yield* HttpClient.HttpClient
  const transport = yield* HttpTransport.make({ provider: "bench", baseUrl: "http://127.0.0.1:1", secretHeaders: ["accesstoken"] })
  for (let i = 0; i < n; i++) {
    if (which === "platform") yield* Effect.flatMap(client.execute(HttpClientRequest.get(`http://127.0.0.1:1/api/v1/admin/jobs?page=${i}&resultsPerPage=50`, { headers })), (r) => r.text)
    else yield* transport.execute({ operation: "page", request: HttpClientRequest.get(`/api/v1/admin/jobs?page=${i}&resultsPerPage=50`, { headers }), decode: HttpTransport.decodeJson(Schema.Unknown) })
  }
}).pipe(Effect.scoped, Effect.provide(layer))) }
const ws = (process.argv[2] ?? "platform,base,timeout,span,scope,send,retry,outer,timeout+span+scope+send+retry+outer").split(",")
for (const w of ws) await run(w)
const res: Record<string, number[]> = {}
for (let r = 0; r < 5; r++) for (const w of ws) {
  const c0 = process.cpuUsage(); await run(w); const c = process.cpuUsage(c0); (res[w] ??= []).push((c.user + c.system) / n)
}
for (const [w, xs] of Object.entries(res)) console.log(w.padEnd(40), "µs/request", xs.sort((a, b) => a - b).map((x) => x.toFixed(0)).join(" "))
