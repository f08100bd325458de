import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { GreenArrowJob, GreenArrowQuery } from "@jobstream/greenarrow"

const decode = Schema.decodeUnknownEither(GreenArrowJob.GreenArrowJob)

/** The record of the documented example response. */
const documented = {
  begins_at: "2014-07-03T13:37:00Z",
  created_at: "2014-07-03T13:37:33Z",
  finished_at: null,
  id: 1,
  job_type: "SubscriberImport",
  mailing_list_id: 12,
  name: "50-subscribers.csv",
  organization_id: 1,
  paused: false,
  progress_total: null,
  progress_value: 0,
  retry_at: null,
  started_at: null,
  state: "scheduled",
  state2: null,
  suppression_list_id: null,
  updated_at: "2014-07-03T13:37:39Z"
}

const ok = (input: unknown) => {
  const result = decode(input)
  if (Either.isLeft(result)) throw new Error(String(result.left))
  return result.right
}

describe("GreenArrowJob schema", () => {
  it("decodes the documented example with every field, nulls kept and timestamps as Dates", () => {
    const job = ok(documented)
    expect(job.id).toBe(1)
    expect(job.mailing_list_id).toBe(12)
    expect(job.suppression_list_id).toBeNull()
    expect(job.state2).toBeNull()
    expect(job.progress_total).toBeNull()
    expect(job.progress_value).toBe(0)
    expect(job.begins_at).toEqual(new Date(Date.UTC(2014, 6, 3, 13, 37, 0)))
    expect(job.updated_at).toEqual(new Date(Date.UTC(2014, 6, 3, 13, 37, 39)))
    expect(job.finished_at).toBeNull()
    expect(job.job_type).toBe("SubscriberImport")
  })

  it("parses timestamps with numeric offsets (with and without a colon) and fractions", () => {
    const job = ok({
      ...documented,
      begins_at: "2014-07-03T09:37:00-04:00",
      started_at: "2014-07-03T15:37:00+0200",
      finished_at: "2014-07-03T13:37:00.250Z"
    })
    expect(job.begins_at!.toISOString()).toBe("2014-07-03T13:37:00.000Z")
    expect(job.started_at!.toISOString()).toBe("2014-07-03T13:37:00.000Z")
    expect(job.finished_at!.toISOString()).toBe("2014-07-03T13:37:00.250Z")
  })

  it("rejects a timestamp without a zone, or garbage, naming the field", () => {
    for (const bad of ["2014-07-03T13:37:00", "yesterday", "2014-13-03T13:37:00Z", ""]) {
      const result = decode({ ...documented, created_at: bad })
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) expect(String(result.left)).toContain("created_at")
    }
  })

  it("tolerates missing optional fields (decoded as null) but requires an integer id", () => {
    const job = ok({ id: 7, state: "sending" })
    expect(job.name).toBeNull()
    expect(job.paused).toBeNull()
    expect(job.created_at).toBeNull()
    expect(job.progress_value).toBeNull()
    expect(Either.isLeft(decode({ state: "sending" }))).toBe(true)
    expect(Either.isLeft(decode({ id: "7" }))).toBe(true)
    expect(Either.isLeft(decode({ id: 1.5 }))).toBe(true)
    expect(Either.isLeft(decode({ id: 1, paused: "false" }))).toBe(true)
  })

  it("keeps unknown state / state2 / job_type strings", () => {
    const job = ok({ ...documented, state: "mystery", state2: "onhold_something", job_type: "Export" })
    expect(job.state).toBe("mystery")
    expect(job.state2).toBe("onhold_something")
    expect(job.job_type).toBe("Export")
  })
})

describe("toJob", () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ["scheduled", "pending"],
    ["idle", "pending"],
    ["pending", "pending"],
    ["active", "running"],
    ["sending", "running"],
    ["downloading", "running"],
    ["splitting", "running"],
    ["importing", "running"],
    ["paused", "paused"],
    ["finished", "succeeded"],
    ["failed", "failed"],
    ["cancelled", "canceled"],
    ["mystery", "unknown"]
  ]
  for (const [state, status] of cases) {
    it(`maps state ${state} → ${status}`, () => {
      const job = GreenArrowJob.toJob(ok({ ...documented, state }))
      expect(job.status).toBe(status)
      expect(job.providerStatus).toBe(state)
    })
  }

  it("lets paused: true win over the state word", () => {
    expect(GreenArrowJob.toJob(ok({ ...documented, state: "sending", paused: true })).status).toBe("paused")
    expect(GreenArrowJob.toJob(ok({ ...documented, state: "paused", paused: false })).status).toBe("paused")
  })

  it("carries id, name, type, dates, progress and the raw record", () => {
    const record = ok({
      ...documented,
      id: 31281,
      state: "importing",
      progress_value: 12,
      progress_total: 10002,
      started_at: "2014-07-03T13:38:00Z",
      finished_at: null
    })
    const job = GreenArrowJob.toJob(record)
    expect(job).toMatchObject({
      provider: "greenarrow",
      id: "31281",
      name: "50-subscribers.csv",
      type: "SubscriberImport",
      status: "running",
      progress: { done: 12, total: 10002 }
    })
    expect(job.createdAt).toEqual(new Date("2014-07-03T13:37:33Z"))
    expect(job.startedAt).toEqual(new Date("2014-07-03T13:38:00Z"))
    expect(job.finishedAt).toBeNull()
    expect(job.raw).toBe(record)
    expect(GreenArrowJob.toJob(ok({ id: 1, state: "idle" })).progress).toBeNull()
    expect(GreenArrowJob.toJob(ok({ ...documented, progress_value: 0, progress_total: null })).progress).toEqual({
      done: 0,
      total: null
    })
  })
})

describe("GreenArrowQuery.resolve", () => {
  const defaults = { perPage: 2000, arrayEncoding: "brackets" as const }

  it("maps scope × which to the documented paths", () => {
    const path = (q: GreenArrowQuery.JobsQuery) => Either.getOrThrow(GreenArrowQuery.resolve(q, defaults)).path
    expect(path({})).toBe("/ga/api/v2/jobs/all")
    expect(path({ which: "unfinished" })).toBe("/ga/api/v2/jobs/unfinished")
    expect(path({ scope: { _tag: "Organization", organizationId: 42 } })).toBe("/ga/api/v2/organizations/42/jobs/all")
    expect(path({ scope: { _tag: "Organization", organizationId: "7" }, which: "unfinished" })).toBe(
      "/ga/api/v2/organizations/7/jobs/unfinished"
    )
    expect(path({ scope: { _tag: "AllOrganizations" } })).toBe("/ga/api/v2/jobs/all_on_all_organizations")
    expect(path({ scope: { _tag: "AllOrganizations" }, which: "unfinished" })).toBe(
      "/ga/api/v2/jobs/unfinished_on_all_organizations"
    )
  })

  it("sends time filters as UTC ISO 8601, from a Date or an ISO string with an offset", () => {
    const resolved = Either.getOrThrow(GreenArrowQuery.resolve({
      beginsAfter: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      beginsBefore: "2024-01-03T00:00:00-05:00",
      finishedAfter: "2024-02-01",
      finishedBefore: "2024-02-02T10:00:00Z"
    }, defaults))
    expect(resolved.params).toEqual([
      ["begins_at__after", "2024-01-02T03:04:05.000Z"],
      ["begins_at__before", "2024-01-03T05:00:00.000Z"],
      ["finished_at__after", "2024-02-01T00:00:00.000Z"],
      ["finished_at__before", "2024-02-02T10:00:00.000Z"]
    ])
  })

  it("refuses invalid times, empty lists, bad page sizes and unknown keys, naming the parameter and the value", () => {
    const problems = (q: unknown) => {
      const r = GreenArrowQuery.resolve(q, defaults)
      return Either.isLeft(r) ? r.left : "accepted"
    }
    const table: ReadonlyArray<readonly [unknown, string, string]> = [
      [{ beginsAfter: "next tuesday" }, "beginsAfter", `"next tuesday" is not an ISO 8601 date-time with a zone`],
      [{ finishedBefore: "2024-01-03T00:00:00" }, "finishedBefore", `"2024-01-03T00:00:00" has no zone`],
      [{ finishedBefore: "2024-02-30" }, "finishedBefore", `"2024-02-30" is not a real date (February 2024 has 29 days)`],
      [{ beginsAfter: "2014-02-30T10:00:00Z" }, "beginsAfter", "is not a real date (February 2014 has 28 days)"],
      [{ beginsBefore: new Date(Number.NaN) }, "beginsBefore", "an invalid Date cannot be sent"],
      [{ beginsBefore: 1.5 }, "beginsBefore", "1.5 is not a whole number of seconds"],
      [{ beginsBefore: -1 }, "beginsBefore", "-1 is before 1970-01-01T00:00:00Z"],
      [{ finishedAfter: 1_714_557_600_000 }, "finishedAfter", "(is it in milliseconds?)"],
      [{ state: [] }, "state", "must list at least one value"],
      [{ jobType: [""] }, "jobType[0]", "must not be empty"],
      [{ jobType: ["Campaign", "  "] }, "jobType[1]", "must not be blank"],
      [{ state: 5 }, "state", "5 is neither a string nor a list of strings"],
      [{ perPage: 2001 }, "perPage", "2001 is above the maximum 2000"],
      [{ perPage: 0 }, "perPage", "0 is below the minimum 1"],
      [{ maxPages: 0 }, "maxPages", "0 is below the minimum 1"],
      [{ scope: { _tag: "Organization", organizationId: "abc" } }, "scope.organizationId", `"abc" is not an organization id`],
      [{ scope: { _tag: "Mine" } }, "scope._tag", `"Mine" is not one of "Own", "Organization", "AllOrganizations"`],
      [{ which: "some" }, "which", `"some" is not one of "all", "unfinished"`],
      [{ statee: "x" }, "statee", "did you mean state?"],
      [{ per_page: 10 }, "per_page", "did you mean perPage?"]
    ]
    for (const [query, parameter, text] of table) {
      const found = problems(query)
      expect(found, JSON.stringify(query)).not.toBe("accepted")
      expect(found).toHaveLength(1)
      expect((found as ReadonlyArray<{ parameter: string }>)[0]!.parameter).toBe(parameter)
      expect((found as ReadonlyArray<{ message: string }>)[0]!.message).toContain(text)
    }
  })

  it("takes UNIX seconds (number or digits) as the API does, and sends them as given", () => {
    const r = Either.getOrThrow(GreenArrowQuery.resolve({ beginsAfter: 1_714_557_600, finishedBefore: "1714561200" }, defaults))
    expect(r.params).toEqual([["begins_at__after", "1714557600"], ["finished_at__before", "1714561200"]])
    const iso = Either.getOrThrow(GreenArrowQuery.resolve({ beginsAfter: "2024-05-01T10:00:00+02:00" }, defaults))
    expect(iso.params).toEqual([["begins_at__after", "2024-05-01T08:00:00.000Z"]])
  })

  it("spells multi-valued filters per the array encoding", () => {
    const params = (arrayEncoding: GreenArrowQuery.ArrayEncoding, state: string | ReadonlyArray<string>) =>
      Either.getOrThrow(GreenArrowQuery.resolve({ state, jobType: "Campaign" }, { perPage: 10, arrayEncoding })).params
    expect(params("brackets", ["a", "b"])).toEqual([["state[]", "a"], ["state[]", "b"], ["job_type[]", "Campaign"]])
    expect(params("repeat", ["a", "b"])).toEqual([["state", "a"], ["state", "b"], ["job_type", "Campaign"]])
    expect(params("comma", ["a", "b"])).toEqual([["state", "a,b"], ["job_type", "Campaign"]])
    expect(params("brackets", "a")).toEqual([["state[]", "a"], ["job_type[]", "Campaign"]])
    expect(Either.isLeft(GreenArrowQuery.resolve({ state: ["a,b"] }, { perPage: 10, arrayEncoding: "comma" }))).toBe(true)
  })
})

describe("GreenArrowQuery.OrganizationScope (Scope before 0.2)", () => {
  it("decodes the three scopes, and the old name is gone (it collided with Effect's Scope)", () => {
    const decodeScope = Schema.decodeUnknownEither(GreenArrowQuery.OrganizationScope)
    for (const scope of [{ _tag: "Own" }, { _tag: "Organization", organizationId: 7 }, { _tag: "AllOrganizations" }]) {
      expect(Either.getOrThrow(decodeScope(scope))).toEqual(scope)
    }
    expect(Either.isLeft(decodeScope({ _tag: "Organization", organizationId: "x7" }))).toBe(true)
    expect("Scope" in GreenArrowQuery).toBe(false)
  })
})
