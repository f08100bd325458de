/**
 * Where the library's per-page CPU goes: the same 336 InsideView JSON pages
 * fetched sequentially from a simulator without latency, through
 * successively more of the stack, reporting this process's CPU time per page.
 * The differences between rows explain the "library sequential / plain" and
 * "concurrency 8 / latency bound" figures.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { HttpTransport } from "@jobstream/core"
import { InsideViewClient } from "@jobstream/insideview"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { token } from "./cases.js"
import { median, round } from "./util.js"

export interface BreakdownRow {
  readonly name: string
  readonly cpuMsPerPage: number
  readonly wallMsPerPage: number
}

const pages = 336
const path = (page: number) => `/api/v1/admin/jobs?page=${page}&resultsPerPage=50`
const headers = { accept: "application/json", accesstoken: token }

const inEffect = <A>(f: Effect.Effect<A, unknown, HttpClient.HttpClient | Scope.Scope>) =>
  Effect.runPromise(f.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

const eachPage = <A, E, R>(f: (page: number) => Effect.Effect<A, E, R>) =>
  Effect.forEach(Array.from({ length: pages }, (_, i) => i + 1), f, { discard: true })

export const breakdown = async (url: string, rounds: number): Promise<ReadonlyArray<BreakdownRow>> => {
  const clientOf = InsideViewClient.make({
    baseUrl: url,
    authBaseUrl: url,
    auth: InsideViewClient.Auth.token(Redacted.make(token)),
    format: "json",
    concurrency: 1
  })

  const cases: ReadonlyArray<readonly [string, () => Promise<unknown>]> = [
    ["plain fetch + JSON.parse", async () => {
      for (let page = 1; page <= pages; page++) {
        JSON.parse(await (await fetch(`${url}${path(page)}`, { headers })).text())
      }
    }],
    ["HttpClient.execute + text + JSON.parse (platform only)", () =>
      inEffect(Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        yield* eachPage((page) =>
          Effect.flatMap(client.execute(HttpClientRequest.get(`${url}${path(page)}`, { headers })), (r) =>
            Effect.map(r.text, (t) => JSON.parse(t))))
      }))],
    ["HttpTransport.execute, decode = JSON.parse only", () =>
      inEffect(Effect.gen(function*() {
        const transport = yield* HttpTransport.make({ provider: "bench", baseUrl: url })
        yield* eachPage((page) =>
          transport.execute({
            operation: "page",
            request: HttpClientRequest.get(path(page), { headers }),
            decode: HttpTransport.decodeJson(Schema.Unknown)
          }))
      }))],
    ["InsideViewClient.listJobs (transport + page schema)", () =>
      inEffect(Effect.gen(function*() {
        const client = yield* clientOf
        yield* eachPage((page) => client.listJobs({ page, resultsPerPage: 50 }))
      }))],
    ["InsideViewClient.jobs() stream, concurrency 1", () =>
      inEffect(Effect.gen(function*() {
        const client = yield* clientOf
        yield* Stream.runCount(client.jobs())
      }))]
  ]

  for (const [, f] of cases) await f()
  const cpu = cases.map(() => [] as Array<number>)
  const wall = cases.map(() => [] as Array<number>)
  for (let r = 0; r < rounds; r++) {
    for (const [i, [, f]] of cases.entries()) {
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      await f()
      const c = process.cpuUsage(c0)
      wall[i]!.push((performance.now() - t0) / pages)
      cpu[i]!.push((c.user + c.system) / 1000 / pages)
    }
  }
  return cases.map(([name], i) => ({
    name,
    cpuMsPerPage: round(median(cpu[i]!), 3),
    wallMsPerPage: round(median(wall[i]!), 3)
  }))
}
