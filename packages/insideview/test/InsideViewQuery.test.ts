import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { InsideViewQuery } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { clientFor, collect, listRequests } from "./utils.js"

/** [case, query, parameter at fault, text the message must contain] */
const invalid: ReadonlyArray<readonly [string, unknown, string, string]> = [
  ["unknown period", { period: "week" }, "period", `"week" is not one of "day", "month", "year"`],
  ["start without period", { start: "2015-08-01" }, "start", "needs a period"],
  ["end without period", { end: "2015" }, "end", "needs a period"],
  ["day start written as a month", { period: "day", start: "2015-08" }, "start", `"2015-08" is not written YYYY-MM-DD`],
  ["month start written as a day", { period: "month", start: "2015-08-01" }, "start", "is not written YYYY-MM,"],
  ["year written with two digits", { period: "year", end: "15" }, "end", "is not written YYYY,"],
  ["the documented typo 20014-09-01", { period: "day", start: "20014-09-01" }, "start", "YYYY-MM-DD"],
  ["month 13", { period: "month", start: "2015-13" }, "start", "is not a real date (month 13 does not exist)"],
  ["February 30th", { period: "day", end: "2015-02-30" }, "end", "is not a real date (February 2015 has 28 days)"],
  ["start after end (day)", { period: "day", start: "2015-09-02", end: "2015-09-01" }, "start", `is after end "2015-09-01"`],
  ["start after end (year)", { period: "year", start: "2016", end: "2015" }, "start", "is after end"],
  ["unknown job status", { jobStatuses: ["done"] }, "jobStatuses[0]", `"done" is not a job status`],
  ["numeric job status", { jobStatuses: [3] }, "jobStatuses[0]", "3 is not a job status"],
  ["empty job status list", { jobStatuses: [] }, "jobStatuses", "must list at least one status"],
  ["a single status, not a list", { jobStatuses: "finished" }, "jobStatuses", "is not a list"],
  ["unknown job type", { jobTypes: ["enrich", "report"] }, "jobTypes[1]", `"report" is not a job type with a filter code`],
  ["a job type without a filter code", { jobTypes: ["familyTree"] }, "jobTypes[0]", "have no filter code"],
  ["page 0", { page: 0 }, "page", "0 is below the minimum 1"],
  ["fractional page", { page: 1.5 }, "page", "1.5 is not a whole number"],
  ["resultsPerPage 0", { resultsPerPage: 0 }, "resultsPerPage", "0 is below the minimum 1"],
  ["resultsPerPage 51", { resultsPerPage: 51 }, "resultsPerPage", "51 is above the maximum 50"],
  ["resultsPerPage as text", { resultsPerPage: "10" }, "resultsPerPage", `"10" is text; give the number 10`],
  ["misspelt field", { jobStatus: ["finished"] }, "jobStatus", "did you mean jobStatuses?"],
  ["not an object", 5, "query", "5 is not an object of parameters"]
]

describe("InsideViewQuery.validate", () => {
  for (const [name, query, parameter, text] of invalid) {
    it(`rejects ${name}`, () => {
      const result = InsideViewQuery.validate(query)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left).toHaveLength(1)
        expect(result.left[0]!.parameter).toBe(parameter)
        expect(result.left[0]!.message).toContain(text)
      }
    })
  }

  it("reports every problem at once, one per parameter", () => {
    const result = InsideViewQuery.validate({ period: "day", start: "2015-02-30", resultsPerPage: 500, jobTypes: [] })
    expect(Either.isLeft(result) ? result.left : []).toEqual([
      { parameter: "start", message: `"2015-02-30" is not a real date (February 2015 has 28 days)` },
      { parameter: "jobTypes", message: "must list at least one type" },
      { parameter: "resultsPerPage", message: "500 is above the maximum 50" }
    ])
  })

  it("accepts each period with its own format, equal bounds, leap days, and the API's job type words", () => {
    for (
      const q of [
        { period: "day", start: "2016-02-29", end: "2016-02-29" },
        { period: "month", start: "2015-01", end: "2015-12" },
        { period: "year", start: "2014", end: "2015" },
        { period: "day" },
        { jobStatuses: ["notFound", "finished"], jobTypes: ["enrich", "newContactDetails"], page: 3, resultsPerPage: 50 },
        { jobTypes: ["targetCompanyDetails", "targetContactDetails", "contact", "targetLookup", "companies"] },
        {},
        undefined
      ]
    ) expect(Either.isRight(InsideViewQuery.validate(q))).toBe(true)
  })

  it("encodes named codes as numbers, comma-separated or repeated", () => {
    const q = { jobStatuses: ["failed", "finished", "failed"], jobTypes: ["companyDetails"], page: 2 } as const
    expect(InsideViewQuery.toUrlParams(q)).toEqual([["jobStatuses", "0,3"], ["jobTypes", "1"], ["page", "2"]])
    expect(InsideViewQuery.toUrlParams(q, "repeat")).toEqual([
      ["jobStatuses", "0"],
      ["jobStatuses", "3"],
      ["jobTypes", "1"],
      ["page", "2"]
    ])
    expect(InsideViewQuery.toUrlParams({ jobStatuses: ["notFound", "aborted"] })).toEqual([["jobStatuses", "-1,4"]])
    // A record's word and the code's name send the same code.
    expect(InsideViewQuery.toUrlParams({ jobTypes: ["targetCompanyDetails", "companyDetails", "contact"] })).toEqual([
      ["jobTypes", "1,2"]
    ])
  })
})

describe("invalid queries fail before any request", () => {
  it.scopedLive("listJobs, jobs, normalizedJobs and getJob send nothing on bad input", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 10 })
      const client = yield* clientFor(sim)
      for (const [, query] of invalid) {
        const q = query as InsideViewQuery.JobsQuery
        for (
          const run of [
            client.listJobs(q),
            Stream.runDrain(client.jobs(q)),
            Stream.runDrain(client.normalizedJobs(q))
          ]
        ) {
          const error = yield* Effect.flip(run)
          expect(error._tag).toBe("InvalidRequest")
          expect(error.message).toMatch(/^insideview\.\w+: invalid request: /)
        }
      }
      const empty = yield* Effect.flip(client.getJob(""))
      expect(empty._tag).toBe("InvalidRequest")
      expect(sim.requestCount).toBe(0)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})

describe("filters reach the server", () => {
  it.scopedLive("period/start/end, statuses and types select the same jobs the simulator holds", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 400 })
      const client = yield* clientFor(sim)
      const days = [...new Set(sim.jobs.map((j) => j.createdDate))].sort()
      const start = days[3]!
      const end = days[10]!
      const got = yield* collect(client.jobs({
        period: "day",
        start,
        end,
        jobStatuses: ["finished", "failed"],
        jobTypes: ["enrich", "companyDetails"]
      }))
      const types = new Set(["enrich", "targetCompanyDetails", "companies"])
      const expected = sim.jobs.filter((j) =>
        j.createdDate >= start && j.createdDate <= end && (j.jobStatus === "finished" || j.jobStatus === "failed") &&
        types.has(j.jobType)
      )
      expect(expected.length).toBeGreaterThan(3)
      expect(got.map((j) => j.jobId)).toEqual(expected.map((j) => j.jobId))
      const sent = listRequests(sim)[0]!.query
      expect(sent.get("period")).toBe("day")
      expect(sent.get("start")).toBe(start)
      expect(sent.get("end")).toBe(end)
      expect(sent.get("jobStatuses")).toBe("3,0")
      expect(sent.get("jobTypes")).toBe("3,1")

      const month = start.slice(0, 7)
      const byMonth = yield* collect(client.jobs({ period: "month", start: month, end: month }))
      expect(byMonth.map((j) => j.jobId)).toEqual(sim.jobs.filter((j) => j.createdDate.startsWith(month)).map((j) => j.jobId))
      const byYear = yield* client.listJobs({ period: "year", start: "2016", end: "2016", resultsPerPage: 1 })
      expect(byYear.totalResults).toBe(sim.jobs.filter((j) => j.createdDate.startsWith("2016")).length)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("repeated list encoding returns the same jobs as the comma form", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 120 })
      const comma = yield* clientFor(sim)
      const repeat = yield* clientFor(sim, { listEncoding: "repeat" })
      const q = { jobStatuses: ["accepted", "processing"], jobTypes: ["contactDetails", "contactLookup"] } as const
      const a = yield* collect(comma.jobs(q))
      const before = listRequests(sim).length
      const b = yield* collect(repeat.jobs(q))
      expect(b).toEqual(a)
      expect(a.length).toBeGreaterThan(0)
      const sent = listRequests(sim)[before]!.query
      expect(sent.getAll("jobStatuses")).toEqual(["1", "2"])
      expect(sent.getAll("jobTypes")).toEqual(["2", "4"])
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
