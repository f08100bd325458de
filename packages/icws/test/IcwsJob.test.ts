import { describe, expect, it } from "@effect/vitest"
import { IcwsJob } from "@jobstream/icws"
import { Either, Schema } from "effect"

const decodeDate = Schema.decodeUnknownEither(IcwsJob.DateTime)

describe("IcwsJob.DateTime", () => {
  it("decodes the extended and the compact form to the same instant", () => {
    const a = decodeDate("2014-07-03T13:37:00Z")
    const b = decodeDate("20140703T133700Z")
    expect(Either.getOrThrow(a).toISOString()).toBe("2014-07-03T13:37:00.000Z")
    expect(Either.getOrThrow(b).toISOString()).toBe("2014-07-03T13:37:00.000Z")
    expect(Either.getOrThrow(decodeDate("2014-07-03T13:37Z")).toISOString()).toBe("2014-07-03T13:37:00.000Z")
    expect(Either.getOrThrow(decodeDate("20140703T133700.25Z")).getUTCMilliseconds()).toBe(250)
  })

  it("rejects other forms and impossible dates", () => {
    for (const bad of ["2014-07-03T13:37:00", "2014-07-03 13:37:00Z", "2014-13-03T13:37:00Z", "20140230T000000Z", "2014-0703T13:37:00Z", ""]) {
      expect(Either.isLeft(decodeDate(bad))).toBe(true)
    }
  })

  it("encodes as extended UTC", () => {
    expect(Schema.encodeSync(IcwsJob.DateTime)(new Date(Date.UTC(2014, 6, 3, 13, 37)))).toBe("2014-07-03T13:37:00.000Z")
  })
})

describe("IcwsJob.toJob", () => {
  const status = (state: IcwsJob.State | undefined): IcwsJob.JobRecord => ({
    jobStatus: {
      name: "n",
      submittedUserId: "agent",
      id: "j1",
      submittedUserSiteId: 1,
      ...(state === undefined ? {} : { state }),
      submitTime: new Date("2024-01-01T00:00:00Z"),
      startedTime: new Date("2024-01-01T00:01:00Z"),
      canceledTime: new Date("2024-01-01T00:02:00Z")
    }
  })

  it("maps the six states and the absence of one", () => {
    const cases: Array<[IcwsJob.State | undefined, string, string]> = [
      [0, "pending", "submitted"],
      [1, "pending", "queued"],
      [2, "running", "started"],
      [3, "failed", "failed"],
      [4, "canceled", "canceled"],
      [5, "succeeded", "finished"],
      [undefined, "unknown", "unknown"]
    ]
    for (const [state, normalized, word] of cases) {
      const job = IcwsJob.toJob(status(state))
      expect(job.status).toBe(normalized)
      expect(job.providerStatus).toBe(word)
    }
  })

  it("takes times from the status and the id/name from the config when there is no status", () => {
    const job = IcwsJob.toJob(status(4))
    expect(job.createdAt?.toISOString()).toBe("2024-01-01T00:00:00.000Z")
    expect(job.startedAt?.toISOString()).toBe("2024-01-01T00:01:00.000Z")
    expect(job.finishedAt?.toISOString()).toBe("2024-01-01T00:02:00.000Z")
    const fromConfig = IcwsJob.toJob({ jobConfig: { name: "cfg", submittedUserId: "agent", id: "j9" } })
    expect([fromConfig.id, fromConfig.name, fromConfig.status]).toEqual(["j9", "cfg", "unknown"])
  })

  it("decodes a state outside 0..5 as an error", () => {
    const bad = Schema.decodeUnknownEither(IcwsJob.JobStatus)({ name: "n", submittedUserId: "u", id: "i", submittedUserSiteId: 1, state: 6 })
    expect(Either.isLeft(bad)).toBe(true)
  })
})

describe("IcwsQuery (moved out of IcwsJob in 0.2)", () => {
  it("validate reports every problem by parameter; the IcwsJob names are aliases", async () => {
    const { IcwsQuery } = await import("@jobstream/icws")
    expect(Either.getOrThrow(IcwsQuery.validate({ mode: "all", jobCount: 10 }))).toEqual({ mode: "all", jobCount: 10 })
    const bad = IcwsQuery.validate({ mode: "full", jobCount: 0, jobcount: 3 })
    expect(Either.isLeft(bad) ? bad.left.map((p) => p.parameter).sort() : []).toEqual(["jobCount", "jobcount", "mode"])
    expect(IcwsJob.validateQuery).toBe(IcwsQuery.validate)
    expect(IcwsJob.JobsQuery).toBe(IcwsQuery.JobsQuery)
    expect(IcwsJob.ResponseMode).toBe(IcwsQuery.ResponseMode)
  })
})
