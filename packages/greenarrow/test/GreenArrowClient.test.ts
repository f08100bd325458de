/** The GreenArrow client: streaming (token and page modes, retries, one page at a time). */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { GreenArrowJob } from "@jobstream/greenarrow"
import { collect, ids, keyAuth, listRequests, ofOrg, orgAdmin2, sysAdmin, withClient } from "./helpers.js"

describe("streaming", () => {
  it.live("token mode (default) walks every page by page_token, in order, and stops on a null next_page_token", () =>
    withClient({ jobs: 60 }, { pageSize: 7 }, (c, s) =>
      Effect.gen(function*() {
        const jobs = yield* collect(c.jobs())
        const expected = ofOrg(s, 1)
        expect(expected.length).toBeGreaterThan(14)
        expect(ids(jobs)).toEqual(ids(expected))
        const reqs = listRequests(s)
        expect(reqs.length).toBe(Math.ceil(expected.length / 7))
        expect(reqs[0]!.query.get("page_token")).toBeNull()
        expect(reqs[0]!.query.get("page")).toBeNull()
        expect(reqs[0]!.query.get("per_page")).toBe("7")
        for (const r of reqs.slice(1)) {
          expect(r.query.get("page_token")).not.toBeNull()
          expect(r.query.get("page")).toBeNull()
        }
      })))

  it.live("per_page defaults to 2000 (one request for a small listing)", () =>
    withClient({ jobs: 30 }, {}, (c, s) =>
      Effect.gen(function*() {
        const jobs = yield* collect(c.jobs())
        expect(jobs.length).toBe(ofOrg(s, 1).length)
        expect(listRequests(s).map((r) => r.query.get("per_page"))).toEqual(["2000"])
      })))

  it.live("pages mode fetches 0-based pages concurrently, emits them in order, and asks exactly num_pages pages", () =>
    withClient({ jobs: 90, latency: { millis: 5, jitterMillis: 20 } }, {
      pageSize: 4,
      pagination: "pages",
      concurrency: 3,
      auth: keyAuth(sysAdmin)
    }, (c, s) =>
      Effect.gen(function*() {
        const jobs = yield* collect(c.jobs())
        expect(ids(jobs)).toEqual(ids(s.jobs))
        const pages = listRequests(s).map((r) => Number(r.query.get("page"))).sort((a, b) => a - b)
        expect(pages).toEqual(Array.from({ length: Math.ceil(90 / 4) }, (_, i) => i))
        expect(listRequests(s).every((r) => r.query.get("page_token") === null)).toBe(true)
      })))

  it.live("an old server without pagination keys is a single page, in both modes", () =>
    Effect.gen(function*() {
      for (const pagination of ["token", "pages"] as const) {
        yield* withClient({ jobs: 40, legacy: true }, { pageSize: 5, pagination }, (c, s) =>
          Effect.gen(function*() {
            const jobs = yield* collect(c.jobs())
            expect(ids(jobs)).toEqual(ids(ofOrg(s, 1)))
            expect(listRequests(s).length).toBe(1)
          }))
      }
    }))

  it.live("token mode against a server that sends page counts but no tokens walks by page number, losing nothing", () =>
    withClient({ jobs: 60 }, { pageSize: 4 }, (c, s) =>
      Effect.gen(function*() {
        s.setNoTokens(true)
        const jobs = yield* collect(c.jobs())
        expect(ids(jobs)).toEqual(ids(ofOrg(s, 1)))
        const reqs = listRequests(s)
        expect(reqs.length).toBe(Math.ceil(ofOrg(s, 1).length / 4))
        const pages = reqs.slice(1).map((r) => Number(r.query.get("page"))).sort((a, b) => a - b)
        expect(pages).toEqual(reqs.slice(1).map((_, i) => i + 1))
      })))

  it.live("a repeated page token ends the stream with a PaginationError instead of looping", () =>
    withClient({ jobs: 60 }, { pageSize: 5 }, (c, s) =>
      Effect.gen(function*() {
        s.setStuckToken(true)
        const seen: Array<number> = []
        const error = yield* Effect.flip(Stream.runForEach(c.jobs(), (job) => Effect.sync(() => seen.push(job.id))))
        // First page, then the stuck token's page (the first page again): it is not emitted.
        expect(seen).toEqual(ids(ofOrg(s, 1).slice(0, 5)))
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-page", requests: 2 })
        expect(listRequests(s).length).toBe(2)
      })))

  it.live("token pages stay contiguous while jobs are added and removed during the walk", () =>
    withClient({ jobs: 90 }, { pageSize: 3, auth: keyAuth(sysAdmin) }, (c, s) =>
      Effect.gen(function*() {
        const before = s.jobs
        const removed = before[before.length - 2]!.id
        const added = { ...before[0]!, id: 99_999, name: "late arrival" }
        let seen = 0
        const jobs = yield* collect(c.jobs().pipe(Stream.tap(() =>
          Effect.sync(() => {
            seen += 1
            if (seen === 10) {
              s.removeJob(removed)
              s.upsertJobs([added])
            }
          })
        )))
        expect(ids(jobs)).toEqual(ids(s.jobs))
        expect(ids(jobs)).toContain(99_999)
        expect(ids(jobs)).not.toContain(removed)
        expect(new Set(ids(jobs)).size).toBe(jobs.length)
      })))

  it.live("maxPages: reaching it while the server names more pages is a PaginationError; take(n) stops fetching", () =>
    withClient({ jobs: 90 }, { pageSize: 4, auth: keyAuth(sysAdmin) }, (c, s) =>
      Effect.gen(function*() {
        const seen: Array<number> = []
        const error = yield* Effect.flip(
          Stream.runForEach(c.jobs({ maxPages: 2 }), (job) => Effect.sync(() => seen.push(job.id)))
        )
        expect(seen).toEqual(ids(s.jobs.slice(0, 8)))
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "max-pages", requests: 2, provider: "greenarrow" })
        expect(listRequests(s).length).toBe(2)
        s.clearLog()
        const few = yield* collect(Stream.take(c.jobs(), 5))
        expect(few.length).toBe(5)
        // ⌈5/4⌉ pages + one read ahead, never the whole listing.
        expect(listRequests(s).length).toBeLessThanOrEqual(3)
      })))

  it.live("normalizedJobs maps every record with toJob", () =>
    withClient({ jobs: 80 }, { auth: keyAuth(sysAdmin) }, (c, s) =>
      Effect.gen(function*() {
        const jobs = yield* collect(c.normalizedJobs())
        expect(jobs.length).toBe(s.jobs.length)
        for (const [i, job] of jobs.entries()) {
          const raw = s.jobs[i]!
          expect(job.provider).toBe("greenarrow")
          expect(job.id).toBe(String(raw.id))
          expect(job.status).toBe(GreenArrowJob.statusOf(raw.state, raw.paused))
          expect(job.createdAt!.getTime()).toBe(Date.parse(raw.created_at))
        }
        // The seeded data has individually paused scheduled jobs: paused wins.
        const pausedScheduled = s.jobs.filter((j) => j.paused && j.state === "scheduled")
        expect(pausedScheduled.length).toBeGreaterThan(0)
        for (const p of pausedScheduled) expect(jobs.find((j) => j.id === String(p.id))!.status).toBe("paused")
        expect(new Set(jobs.map((j) => j.status)).size).toBeGreaterThanOrEqual(5)
      })))

  it.live("timestamps written with an organization's offset decode to the right instant", () =>
    withClient({ jobs: 40 }, { auth: keyAuth(orgAdmin2) }, (c, s) =>
      Effect.gen(function*() {
        const jobs = yield* collect(c.jobs())
        const raw = ofOrg(s, 2)
        expect(raw[0]!.created_at).toMatch(/-04:00$/)
        expect(jobs.map((j) => j.created_at!.getTime())).toEqual(raw.map((j) => Date.parse(j.created_at)))
      })))
})
