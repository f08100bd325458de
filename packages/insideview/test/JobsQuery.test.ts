import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { JobsQuery } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import { clientFor, collect, listRequests } from "./utils.js"

const invalid: ReadonlyArray<readonly [string, unknown, string]> = [
  ["unknown period", { period: "week" }, "period"],
  ["start without period", { start: "2015-08-01" }, "need a period"],
  ["end without period", { end: "2015" }, "need a period"],
  ["day start written as a month", { period: "day", start: "2015-08" }, "YYYY-MM-DD"],
  ["month start written as a day", { period: "month", start: "2015-08-01" }, "YYYY-MM"],
  ["year written with two digits", { period: "year", end: "15" }, "YYYY"],
  ["the documented typo 20014-09-01", { period: "day", start: "20014-09-01" }, "YYYY-MM-DD"],
  ["month 13", { period: "month", start: "2015-13" }, "not a real date"],
  ["February 30th", { period: "day", end: "2015-02-30" }, "not a real date"],
  ["start after end (day)", { period: "day", start: "2015-09-02", end: "2015-09-01" }, "after end"],
  ["start after end (year)", { period: "year", start: "2016", end: "2015" }, "after end"],
  ["unknown job status", { jobStatuses: ["done"] }, "jobStatuses"],
  ["numeric job status", { jobStatuses: [3] }, "jobStatuses"],
  ["empty job status list", { jobStatuses: [] }, "jobStatuses"],
  ["unknown job type", { jobTypes: ["companies"] }, "jobTypes"],
  ["page 0", { page: 0 }, "page"],
  ["fractional page", { page: 1.5 }, "page"],
  ["resultsPerPage 0", { resultsPerPage: 0 }, "resultsPerPage"],
  ["resultsPerPage 51", { resultsPerPage: 51 }, "resultsPerPage"],
  ["misspelt field", { jobStatus: ["finished"] }, "jobStatus"]
]

describe("JobsQuery.validate", () => {
  for (const [name, query, mention] of invalid) {
    it(`rejects ${name}`, () => {
      const result = JobsQuery.validate(query)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) expect(result.left).toContain(mention)
    })
  }

  it("accepts each period with its own format, equal bounds, and leap days", () => {
    for (
      const q of [
        { period: "day", start: "2016-02-29", end: "2016-02-29" },
        { period: "month", start: "2015-01", end: "2015-12" },
        { period: "year", start: "2014", end: "2015" },
        { period: "day" },
        { jobStatuses: ["notFound", "finished"], jobTypes: ["enrich", "newContactDetails"], page: 3, resultsPerPage: 50 },
        {}
      ]
    ) expect(Either.isRight(JobsQuery.validate(q))).toBe(true)
  })

  it("encodes named codes as numbers, comma-separated or repeated", () => {
    const q = { jobStatuses: ["failed", "finished", "failed"], jobTypes: ["companyDetails"], page: 2 } as const
    expect(JobsQuery.toUrlParams(q)).toEqual([["jobStatuses", "0,3"], ["jobTypes", "1"], ["page", "2"]])
    expect(JobsQuery.toUrlParams(q, "repeat")).toEqual([
      ["jobStatuses", "0"],
      ["jobStatuses", "3"],
      ["jobTypes", "1"],
      ["page", "2"]
    ])
    expect(JobsQuery.toUrlParams({ jobStatuses: ["notFound", "aborted"] })).toEqual([["jobStatuses", "-1,4"]])
  })
})

describe("invalid queries fail before any request", () => {
  it.scopedLive("listJobs, jobs, normalizedJobs and getJob send nothing on bad input", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 10 })
      const client = yield* clientFor(sim)
      for (const [, query] of invalid) {
        const q = query as JobsQuery.JobsQuery
        for (
          const run of [
            client.listJobs(q),
            Stream.runDrain(client.jobs(q)),
            Stream.runDrain(client.normalizedJobs(q))
          ]
        ) {
          const error = yield* Effect.flip(run)
          expect(error._tag).toBe("InvalidRequest")
          expect(error.message).toContain("insideview.")
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
