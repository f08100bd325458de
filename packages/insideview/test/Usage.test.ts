import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { InsideViewProvider, InsideViewUsage } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { clientFor, credentials } from "./utils.js"

const live = FetchHttpClient.layer
const usageRequests = (sim: InsideViewSimulator.InsideViewServer) => sim.requests.filter((r) => r.path === "/api/v1/admin/usage")
const today = new Date().toISOString().slice(0, 10)

describe("usage (GET /api/v1/admin/usage)", () => {
  for (const format of ["json", "xml"] as const) {
    it.scoped(`${format}: reports the requests the server counted and the credits of the period`, () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({
          jobs: 0,
          records: [
            { jobId: "a", jobType: "enrich", jobStatus: "finished", createdDate: "2016-03-02", creditsConsumed: 40 },
            { jobId: "b", jobType: "enrich", jobStatus: "finished", createdDate: "2016-03-01", creditsConsumed: 2 },
            { jobId: "c", jobType: "enrich", jobStatus: "finished", createdDate: "2016-02-28", creditsConsumed: 500 }
          ],
          usage: {
            accountId: "acct-7",
            allocatedCredits: 1000,
            rows: [
              { api: "company/search", transactions: 12, date: "2016-03-05" },
              { api: "company/search", transactions: 99, date: "2016-04-01" }
            ]
          }
        })
        const client = yield* clientFor(sim, { format })
        yield* client.listJobs()
        yield* client.listJobs()
        const march = yield* client.usage({ period: "month", start: "2016-03", end: "2016-03" })
        expect(march).toMatchObject({ accountId: "acct-7", period: "month", start: "2016-03", end: "2016-03" })
        expect(march.usageForAccount).toEqual([{ api: "company/search", transactions: 12, date: "2016-03-05" }])
        expect(march.creditsForAccount).toEqual([{ allocatedCredits: 1000, consumedCredits: 42 }])
        expect(InsideViewUsage.remainingCredits(march)).toBe(958)
        expect(march.bulkJobReferenceUrl).toBe("https://api.insideview.com/api/v1/admin/jobs")
        // Today: the two list requests and the March usage request, then this one.
        const now = yield* client.usage({ period: "day", start: today, end: today })
        expect(InsideViewUsage.transactionsByApi(now)).toEqual(new Map([["admin/jobs", 2], ["admin/usage", 2]]))
        const sent = usageRequests(sim)
        expect(sent.map((r) => [r.query.get("period"), r.query.get("start"), r.query.get("end")])).toEqual([
          ["month", "2016-03", "2016-03"],
          ["day", today, today]
        ])
        expect(sent[0]!.headers["accept"]).toBe(format === "json" ? "application/json" : "application/xml")
      }).pipe(Effect.provide(live)))
  }

  it.scoped("with client credentials: logs in first; the token travels in the header only", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 3 })
      const client = yield* clientFor(sim, { auth: credentials })
      const usage = yield* client.usage({ period: "year", start: "2015", end: "2016" })
      expect(usage.creditsForAccount).toHaveLength(1)
      expect(sim.logins).toBe(1)
      const [request] = usageRequests(sim)
      expect(request!.headers["accesstoken"]).toBe(sim.issuedTokens[0])
      expect(request!.url.search).not.toContain(sim.issuedTokens[0]!.slice(0, 10))
    }).pipe(Effect.provide(live)))

  it.scoped("a bad period is refused before anything is sent, naming every parameter at fault", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 1 })
      const client = yield* clientFor(sim)
      const cases: ReadonlyArray<[unknown, ReadonlyArray<string>]> = [
        [{}, ["period", "start", "end"]],
        [{ period: "week", start: "2016-01", end: "2016-02" }, ["period"]],
        [{ period: "month", start: "2016-13", end: "2016-02" }, ["start"]],
        [{ period: "month", start: "2016-03", end: "2016-02" }, ["start"]],
        [{ period: "day", start: "2016-02-30", end: "2016-03-01" }, ["start"]],
        [{ period: "month", start: "2016-01", end: "2016-02", jobStatuses: ["finished"] }, ["jobStatuses"]],
        [undefined, ["query"]]
      ]
      for (const [query, parameters] of cases) {
        const error = yield* Effect.flip(client.usage(query as InsideViewUsage.UsageQuery))
        expect(error._tag).toBe("InvalidRequest")
        if (error._tag === "InvalidRequest") expect((error.problems ?? []).map((p) => p.parameter)).toEqual(parameters)
      }
      expect(sim.requests).toHaveLength(0)
    }).pipe(Effect.provide(live)))

  it.scoped("server errors are typed: 429 (counted with the list's throttle)", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 1, throttle: { limit: 2 } })
      const client = yield* clientFor(sim)
      yield* client.listJobs()
      yield* client.usage({ period: "year", start: "2016", end: "2016" })
      const throttled = yield* Effect.flip(client.usage({ period: "year", start: "2016", end: "2016" }))
      expect(throttled).toMatchObject({ _tag: "RateLimited", status: 429, operation: "usage" })
      sim.resetThrottle()
      sim.revokeAllTokens()
      const unauthorized = yield* Effect.flip(client.usage({ period: "year", start: "2016", end: "2016" }))
      expect(unauthorized).toMatchObject({ _tag: "Unauthorized", status: 401, operation: "usage" })
    }).pipe(Effect.provide(live)))

  it("a lenient decoder: numbers as strings, a numeric accountId, missing lists, unknown fields", () => {
    const decode = Schema.decodeUnknownEither(InsideViewUsage.Usage)
    const decoded = decode({ accountId: 42, usageForAccount: [{ api: "x", transactions: "7", date: "2016-01-01" }], extra: 1 })
    expect(decoded._tag).toBe("Right")
    if (decoded._tag === "Right") {
      expect(decoded.right.accountId).toBe("42")
      expect(decoded.right.usageForAccount[0]!.transactions).toBe(7)
      expect(decoded.right.creditsForAccount).toEqual([])
    }
    expect(decode({ usageForAccount: [{ transactions: "many" }] })._tag).toBe("Left")
  })

  it.scoped("an answer that is not a usage report is a DecodeError", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 1,
        faults: [{ match: (r) => r.path === "/api/v1/admin/usage", fault: { _tag: "Body", status: 200, body: "[1,2]", contentType: "application/json" } }]
      })
      const client = yield* clientFor(sim)
      const error = yield* Effect.flip(client.usage({ period: "year", start: "2016", end: "2016" }))
      expect(error).toMatchObject({ _tag: "DecodeError", operation: "usage" })
    }).pipe(Effect.provide(live)))

  it.scoped("through the descriptor's handle: the shared Usage shape", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 0, records: [], usage: { allocatedCredits: 10 } })
      const handle = InsideViewProvider.handle(yield* clientFor(sim))
      const usage = yield* handle.usage!({ period: "day", start: today, end: today })
      expect(usage).toMatchObject({
        provider: "insideview",
        account: "sim-account",
        credits: { allocated: 10, consumed: 0, remaining: 10 },
        transactions: [{ api: "admin/usage", date: today, count: 1 }]
      })
    }).pipe(Effect.provide(live)))
})
