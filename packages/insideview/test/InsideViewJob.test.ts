import { describe, expect, it } from "@effect/vitest"
import { InsideViewJob } from "@jobstream/insideview"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"

describe("toJob", () => {
  it("maps the documented statuses and anything else to unknown", () => {
    const cases: ReadonlyArray<readonly [string, string]> = [
      ["accepted", "pending"],
      ["processing", "running"],
      ["finished", "succeeded"],
      ["failed", "failed"],
      ["aborted", "canceled"],
      ["Finished", "succeeded"],
      ["ready", "unknown"],
      ["notFound", "unknown"],
      ["", "unknown"]
    ]
    for (const [jobStatus, status] of cases) {
      expect(InsideViewJob.toJob({ jobId: "j", jobStatus }).status).toBe(status)
    }
  })

  it("parses date-only and full createdDate values; a bad date is null, not a failure", () => {
    const record = {
      jobId: "gqack4st85ffclb2qig1",
      jobType: "targetCompanyDetails",
      jobStatus: "finished",
      createdDate: "2015-08-17",
      creditsConsumed: 90
    }
    expect(InsideViewJob.toJob(record)).toEqual({
      provider: "insideview",
      id: "gqack4st85ffclb2qig1",
      name: null,
      type: "targetCompanyDetails",
      status: "succeeded",
      providerStatus: "finished",
      createdAt: new Date("2015-08-17T00:00:00Z"),
      startedAt: null,
      finishedAt: null,
      progress: null,
      raw: record
    })
    expect(InsideViewJob.toJob({ ...record, createdDate: "2016-09-15T03:36:05.000-07:00" }).createdAt?.toISOString()).toBe(
      "2016-09-15T10:36:05.000Z"
    )
    expect(InsideViewJob.toJob({ ...record, createdDate: "someday" }).createdAt).toBeNull()
    expect(InsideViewJob.toJob({ jobId: "x", jobStatus: "failed" })).toMatchObject({ type: null, createdAt: null })
  })
})

describe("BulkJob schema", () => {
  const decode = Schema.decodeUnknownEither(InsideViewJob.BulkJob)
  it("accepts numbers and numeric strings for creditsConsumed, and its absence or null", () => {
    expect(decode({ jobId: "a", jobStatus: "x", creditsConsumed: "12" })).toEqual(
      Either.right({ jobId: "a", jobStatus: "x", creditsConsumed: 12 })
    )
    expect(decode({ jobId: "a", jobStatus: "x", creditsConsumed: 12 })).toEqual(
      Either.right({ jobId: "a", jobStatus: "x", creditsConsumed: 12 })
    )
    expect(decode({ jobId: "a", jobStatus: "x", creditsConsumed: null })).toEqual(Either.right({ jobId: "a", jobStatus: "x" }))
    expect(Either.isLeft(decode({ jobId: "a", jobStatus: "x", creditsConsumed: "12 credits" }))).toBe(true)
    expect(Either.isLeft(decode({ jobId: "a", jobStatus: "x", creditsConsumed: 1.5 }))).toBe(true)
    expect(Either.isLeft(decode({ jobId: "", jobStatus: "x" }))).toBe(true)
  })
})

describe("0.1 module names", () => {
  it("BulkJob and JobsQuery are the modules InsideViewJob and InsideViewQuery (deprecated aliases)", async () => {
    const pkg = await import("@jobstream/insideview")
    expect(pkg.BulkJob.toJob).toBe(pkg.InsideViewJob.toJob)
    expect(pkg.BulkJob.BulkJob).toBe(pkg.InsideViewJob.BulkJob)
    expect(pkg.JobsQuery.validate).toBe(pkg.InsideViewQuery.validate)
    expect(Object.keys(pkg.BulkJob).sort()).toEqual(Object.keys(pkg.InsideViewJob).sort())
  })
})
