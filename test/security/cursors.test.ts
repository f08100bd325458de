/**
 * A cursor is something the server hands out: a hostile one can hand back a
 * secret as the next page token (GreenArrow) or as the id of the last job
 * of a page (ICWS, whose cursor is that id). When the walk then stops with a
 * `PaginationError`, the cursor it quotes and its URL are redacted.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { Faults, GreenArrowSimulator, IcwsSimulator, Server, SimulatorEnv } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { attempt, audited, findLeaks, httpClient, icwsClient, inAllForms } from "./support.js"

const greenArrowKey = GreenArrowSimulator.defaultKeys[0]!
const icws = { password: SimulatorEnv.defaults.icwsPassword } as const

const getJson = (url: string, headers: Record<string, string>) =>
  Effect.promise(() => fetch(url, { headers }).then((r) => r.json() as Promise<Record<string, unknown>>))

describe("cursors that repeat a secret", () => {
  it.live("greenarrow: a next_page_token that is the API key → PaginationError, key redacted", () =>
    Effect.gen(function*() {
      const sim = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 5 })
      const page = yield* getJson(`${sim.url}/ga/api/v2/jobs/all?per_page=2`, { authorization: sim.basicAuth(greenArrowKey) })
      // Every page: the same two jobs, and the key as the next token.
      sim.setFaults([{
        fault: Faults.respond(() => Server.json(200, { ...page, next_page_token: greenArrowKey.apiKey })),
        match: (r) => r.path.startsWith("/ga/api/v2/")
      }])
      const audit = yield* audited((errors) =>
        Effect.gen(function*() {
          const client = yield* GreenArrowClient.make({
            baseUrl: sim.url,
            auth: { _tag: "Key", organizationId: greenArrowKey.organizationId, apiKey: Redacted.make(greenArrowKey.apiKey) },
            pageSize: 2,
            retryPolicy: RetryPolicy.none
          }).pipe(Effect.orDie)
          yield* attempt(errors, Stream.runDrain(client.jobs()))
        })
      )
      expect(audit.errors).toHaveLength(1)
      const error = audit.errors[0] as ApiError.PaginationError
      expect(error._tag).toBe("PaginationError")
      expect(error.cursor).toBe("<redacted>")
      expect(error.url).toContain("page_token=<redacted>")
      // The token did go back to the server that gave it (same origin), and nowhere in the error.
      expect(sim.requests.some((r) => r.query.get("page_token") === greenArrowKey.apiKey)).toBe(true)
      expect(findLeaks(inAllForms([greenArrowKey.apiKey]), audit.texts())).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(httpClient("fetch"))))

  it.live("icws: a full page whose last job id is the password → PaginationError, password redacted", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 12 })
      const audit = yield* audited((errors) =>
        Effect.scoped(Effect.gen(function*() {
          const client = yield* icwsClient(sim)
          // A real page first (to copy its shape), then the hostile one on every request.
          const first = yield* Stream.runCollect(Stream.take(client.jobs(), 5)).pipe(Effect.orDie)
          const jobs = [...first].map((record, i) =>
            i === 4 ? { ...record, jobStatus: { ...record.jobStatus!, id: icws.password } } : record
          )
          const body = JSON.stringify({ jobList: jobs })
          sim.setFaults([{
            fault: Faults.body(body, { contentType: IcwsSimulator.mediaType }),
            match: (r) => r.method === "GET" && r.path.endsWith("/data-extractor/jobs")
          }])
          yield* attempt(errors, Stream.runDrain(client.jobs()))
          sim.setFaults([])
        }))
      )
      expect(audit.errors).toHaveLength(1)
      const error = audit.errors[0] as ApiError.PaginationError
      expect(error._tag).toBe("PaginationError")
      expect(error.cursor).toBe("<redacted>")
      expect(findLeaks(inAllForms([icws.password]), audit.texts())).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(httpClient("fetch"))))
})
