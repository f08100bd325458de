/** The GreenArrow client: endpoints, scopes and filters; invalid input; getJob. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { type ApiError } from "@jobstream/core"
import { collect, ids, keyAuth, listRequests, ofOrg, orgAdmin2, sysAdmin, withClient } from "./helpers.js"

describe("endpoints, scopes and filters", () => {
  it.live("Own scope: an organization admin sees its organization, a system admin everything", () =>
    Effect.gen(function*() {
      yield* withClient({ jobs: 50 }, { auth: keyAuth(orgAdmin2) }, (c, s) =>
        Effect.map(collect(c.jobs()), (jobs) => {
          expect(ids(jobs)).toEqual(ids(ofOrg(s, 2)))
          expect(listRequests(s)[0]!.path).toBe("/ga/api/v2/jobs/all")
        }))
      yield* withClient({ jobs: 50 }, { auth: keyAuth(sysAdmin) }, (c, s) =>
        Effect.map(collect(c.jobs()), (jobs) => expect(ids(jobs)).toEqual(ids(s.jobs))))
    }))

  it.live("Organization and AllOrganizations scopes hit their endpoints", () =>
    withClient({ jobs: 50 }, { auth: keyAuth(sysAdmin) }, (c, s) =>
      Effect.gen(function*() {
        const org3 = yield* collect(c.jobs({ scope: { _tag: "Organization", organizationId: 3 } }))
        expect(ids(org3)).toEqual(ids(ofOrg(s, 3)))
        const all = yield* collect(c.jobs({ scope: { _tag: "AllOrganizations" }, which: "unfinished" }))
        const finished = new Set(["finished", "failed", "cancelled"])
        expect(ids(all)).toEqual(ids(s.jobs.filter((j) => !finished.has(j.state))))
        expect(listRequests(s).map((r) => r.path)).toEqual([
          "/ga/api/v2/organizations/3/jobs/all",
          "/ga/api/v2/jobs/unfinished_on_all_organizations"
        ])
      })))

  it.live("an organization admin asking for another organization or all organizations gets Forbidden", () =>
    withClient({ jobs: 20 }, {}, (c) =>
      Effect.gen(function*() {
        const other = yield* Effect.flip(collect(c.jobs({ scope: { _tag: "Organization", organizationId: 2 } })))
        expect(other).toMatchObject({ _tag: "Forbidden", status: 403, providerCode: "not_authorized" })
        const all = yield* Effect.flip(collect(c.jobs({ scope: { _tag: "AllOrganizations" } })))
        expect(all).toMatchObject({ _tag: "Forbidden", providerCode: "not_authorized" })
      })))

  it.live("unknown organization is NotFound with the provider's code and message", () =>
    withClient({ jobs: 20 }, { auth: keyAuth(sysAdmin) }, (c) =>
      Effect.gen(function*() {
        const e = yield* Effect.flip(collect(c.jobs({ scope: { _tag: "Organization", organizationId: 999 } })))
        expect(e).toMatchObject({ _tag: "NotFound", status: 404, providerCode: "not_found" })
        expect(e.message).toContain("organization not found")
      })))

  it.live("time filters are sent as ISO 8601 and select what the server selects", () =>
    withClient({ jobs: 80 }, { auth: keyAuth(sysAdmin) }, (c, s) =>
      Effect.gen(function*() {
        const after = new Date(Date.parse(s.jobs[20]!.begins_at!))
        const before = "2024-03-03T12:00:00+02:00"
        const jobs = yield* collect(c.jobs({ beginsAfter: after, beginsBefore: before }))
        const expected = s.jobs.filter((j) =>
          Date.parse(j.begins_at!) > after.getTime() && Date.parse(j.begins_at!) < Date.parse(before)
        )
        expect(expected.length).toBeGreaterThan(0)
        expect(expected.length).toBeLessThan(s.jobs.length - 20)
        expect(ids(jobs)).toEqual(ids(expected))
        const q = listRequests(s)[0]!.query
        expect(q.get("begins_at__after")).toBe(after.toISOString())
        expect(q.get("begins_at__before")).toBe("2024-03-03T10:00:00.000Z")

        const finished = yield* collect(c.jobs({ finishedAfter: "2024-03-02", finishedBefore: "2024-03-04T00:00:00Z" }))
        expect(ids(finished)).toEqual(ids(s.jobs.filter((j) =>
          j.finished_at !== null && Date.parse(j.finished_at) > Date.UTC(2024, 2, 2) &&
          Date.parse(j.finished_at) < Date.UTC(2024, 2, 4)
        )))
      })))

  for (const arrayEncoding of ["brackets", "repeat", "comma"] as const) {
    it.live(`state and job_type with several values, "${arrayEncoding}" encoding`, () =>
      withClient({ jobs: 80, arrayParams: arrayEncoding }, { auth: keyAuth(sysAdmin), arrayEncoding }, (c, s) =>
        Effect.gen(function*() {
          const jobs = yield* collect(c.jobs({ state: ["finished", "failed"], jobType: "Campaign" }))
          const expected = s.jobs.filter((j) => (j.state === "finished" || j.state === "failed") && j.job_type === "Campaign")
          expect(expected.length).toBeGreaterThan(2)
          expect(ids(jobs)).toEqual(ids(expected))
        })))
  }

  it.live("the array encoding matters: brackets against a server that reads repeated keys is not filtered", () =>
    Effect.gen(function*() {
      yield* withClient({ jobs: 80, arrayParams: "repeat" }, { auth: keyAuth(sysAdmin), arrayEncoding: "repeat" }, (c, s) =>
        Effect.gen(function*() {
          const jobs = yield* collect(c.jobs({ state: ["finished", "sending"] }))
          expect(new Set(jobs.map((j) => j.state))).toEqual(new Set(["finished", "sending"]))
          expect(listRequests(s)[0]!.query.getAll("state")).toEqual(["finished", "sending"])
        }))
      yield* withClient({ jobs: 80, arrayParams: "repeat" }, { auth: keyAuth(sysAdmin) }, (c, s) =>
        Effect.gen(function*() {
          const jobs = yield* collect(c.jobs({ state: ["finished", "sending"] }))
          expect(jobs.length).toBe(s.jobs.length)
          expect(listRequests(s)[0]!.query.getAll("state[]")).toEqual(["finished", "sending"])
        }))
    }))
})

describe("invalid input fails before any request", () => {
  it.live("bad filters and page sizes are InvalidRequest and nothing is sent", () =>
    Effect.gen(function*() {
      yield* withClient({ jobs: 10 }, {}, (c, s) =>
        Effect.gen(function*() {
          const bad: ReadonlyArray<Stream.Stream<unknown, ApiError.ApiError>> = [
            c.jobs({ beginsAfter: "not a date" }),
            c.jobs({ finishedBefore: new Date("nope") }),
            c.jobs({ perPage: 2001 }),
            c.jobs({ state: [] }),
            c.normalizedJobs({ scope: { _tag: "Organization", organizationId: -1 } })
          ]
          for (const stream of bad) {
            const e = yield* Effect.flip(collect(stream))
            expect(e._tag).toBe("InvalidRequest")
          }
          const getBad = yield* Effect.flip(c.getJob("12x"))
          expect(getBad._tag).toBe("InvalidRequest")
          expect(s.requestCount).toBe(0)
        }))
      // Bad options are refused when the client is built: see Validation.test.ts.
    }))
})

describe("getJob", () => {
  it.live("finds a job by scanning and stops fetching once found", () =>
    withClient({ jobs: 90 }, { pageSize: 5, auth: keyAuth(sysAdmin) }, (c, s) =>
      Effect.gen(function*() {
        const target = s.jobs[7]!
        const job = yield* c.getJob(target.id)
        expect(job.id).toBe(target.id)
        expect(job.name).toBe(target.name)
        expect(listRequests(s).length).toBeLessThanOrEqual(3)
        const viaString = yield* c.getJob(String(target.id))
        expect(viaString.id).toBe(target.id)
      })))

  it.live("is NotFound when the listing does not contain the id", () =>
    withClient({ jobs: 30 }, { pageSize: 10 }, (c, s) =>
      Effect.gen(function*() {
        const otherOrg = ofOrg(s, 2)[0]!
        const e = yield* Effect.flip(c.getJob(otherOrg.id))
        expect(e).toMatchObject({ _tag: "NotFound", provider: "greenarrow", operation: "getJob" })
        expect(e.status).toBeUndefined()
        // No invented status in the text: a status shows as "(404)". The URL's
        // random port may contain the digits 404, so the bare number is not checked.
        expect(e.message).not.toMatch(/\(404\)|HTTP 404|status 404/i)
        expect(e.message).toContain(String(otherOrg.id))
        const scoped = yield* Effect.flip(c.getJob(1, { scope: { _tag: "Organization", organizationId: 1 } }))
        expect(scoped._tag).toBe("NotFound")
      })))
})
