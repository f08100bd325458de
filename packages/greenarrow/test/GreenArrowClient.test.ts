import { describe, expect, it } from "@effect/vitest"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { Config, ConfigProvider, Effect, Either, Layer, Redacted, Stream } from "effect"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient, GreenArrowJob } from "@jobstream/greenarrow"
import { Faults, GreenArrowSimulator } from "@jobstream/testkit"

type SimOptions = GreenArrowSimulator.GreenArrowSimOptions
type Sim = GreenArrowSimulator.GreenArrowServer

const [orgAdmin1, orgAdmin2, sysAdmin] = GreenArrowSimulator.defaultKeys as [
  GreenArrowSimulator.GreenArrowSimKey,
  GreenArrowSimulator.GreenArrowSimKey,
  GreenArrowSimulator.GreenArrowSimKey
]

const keyAuth = (k: GreenArrowSimulator.GreenArrowSimKey): GreenArrowClient.Auth => ({
  _tag: "Key",
  organizationId: k.organizationId,
  apiKey: Redacted.make(k.apiKey)
})

/** Runs `f` with a fresh simulator and a client on it; both go away with the scope. */
const withClient = <A, E>(
  sim: SimOptions,
  client: Partial<GreenArrowClient.Options>,
  f: (c: GreenArrowClient.Service, s: Sim) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const s = yield* GreenArrowSimulator.makeGreenArrow(sim)
    const c = yield* GreenArrowClient.make({
      baseUrl: s.url,
      auth: keyAuth(orgAdmin1),
      retryPolicy: RetryPolicy.none,
      timeout: "2 seconds",
      ...client
    })
    return yield* f(c, s)
  }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), (c) => Array.from(c))
const ids = (jobs: ReadonlyArray<{ readonly id: number }>) => jobs.map((j) => j.id)
const ofOrg = (s: Sim, org: number) => s.jobs.filter((j) => j.organization_id === org)
const listRequests = (s: Sim) => s.requests.filter((r) => r.path.startsWith("/ga/api/v2/"))

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

describe("auth", () => {
  it.live("Key auth sends Basic base64(org:key); Encoded auth sends the key verbatim", () =>
    Effect.gen(function*() {
      yield* withClient({ jobs: 10 }, {}, (c, s) =>
        Effect.gen(function*() {
          yield* collect(c.jobs())
          expect(s.requests[0]!.headers["authorization"]).toBe(s.basicAuth(orgAdmin1))
          expect(s.requests[0]!.headers["authorization"]).toBe("Basic MTo1ZTk2NDY1Yzg4M2YzMzA5ZjAxMDVhMmUxMDc2NjMyYjY4N2U2MWQy")
        }))
      const encoded = Buffer.from(`${orgAdmin2.organizationId}:${orgAdmin2.apiKey}`).toString("base64")
      yield* withClient({ jobs: 30 }, { auth: { _tag: "Encoded", encoded: Redacted.make(encoded) } }, (c, s) =>
        Effect.gen(function*() {
          const jobs = yield* collect(c.jobs())
          expect(ids(jobs)).toEqual(ids(ofOrg(s, 2)))
          expect(s.requests[0]!.headers["authorization"]).toBe(`Basic ${encoded}`)
        }))
    }))

  it.live("a wrong key is Unauthorized (401, not_authorized) and the secret appears nowhere in the error", () =>
    withClient({ jobs: 10 }, {
      auth: { _tag: "Key", organizationId: 1, apiKey: Redacted.make("wrong-secret-key-123") },
      retryPolicy: RetryPolicy.immediate(3)
    }, (c, s) =>
      Effect.gen(function*() {
        const e = yield* Effect.flip(collect(c.jobs()))
        expect(e).toMatchObject({
          _tag: "Unauthorized",
          status: 401,
          providerCode: "not_authorized",
          providerMessage: "please specify a valid auth_id or auth_key"
        })
        expect(s.requestCount).toBe(1) // never retried
        const header = s.requests[0]!.headers["authorization"]!
        for (const text of [e.message, String(e), JSON.stringify(e)]) {
          expect(text).not.toContain("wrong-secret-key-123")
          expect(text).not.toContain(header.slice(6))
        }
      })))
})

describe("envelope errors", () => {
  const envelope = (code: string | null, message = "simulated") =>
    JSON.stringify({ success: false, data: null, error_code: code, error_message: message })

  const table = [
    ["validation_failed", "BadRequest", 400],
    ["invalid_request", "BadRequest", 400],
    ["requested_too_many", "BadRequest", 400],
    ["not_found", "NotFound", 404],
    ["not_authorized", "Unauthorized", 401],
    ["multiple_records_found", "UnexpectedStatus", 200],
    ["brand_new_code", "UnexpectedStatus", 200]
  ] as const
  for (const [code, tag, status] of table) {
    it.live(`success:false with ${code} inside a 200 is ${tag}, code and message kept`, () =>
      withClient({ jobs: 10, faults: [{ fault: Faults.body(envelope(code, `about ${code}`)) }] }, {
        retryPolicy: RetryPolicy.immediate(2)
      }, (c, s) =>
        Effect.gen(function*() {
          const e = yield* Effect.flip(collect(c.jobs()))
          expect(e).toMatchObject({ _tag: tag, status, providerCode: code, providerMessage: `about ${code}` })
          expect(s.requestCount).toBe(1)
        })))
  }

  it.live("internal_error inside a 200 is a retried ServerError", () =>
    withClient({
      jobs: 10,
      faults: [Faults.onRequests([1, 2], Faults.body(envelope("internal_error")))]
    }, { retryPolicy: RetryPolicy.immediate(3) }, (c, s) =>
      Effect.gen(function*() {
        const jobs = yield* collect(c.jobs())
        expect(jobs.length).toBe(ofOrg(s, 1).length)
        expect(s.requestCount).toBe(3)
      })))

  it.live("internal_error that keeps coming surfaces as ServerError(500) with the code", () =>
    withClient({ jobs: 10, faults: [{ fault: Faults.body(envelope("internal_error", "boom")) }] }, {
      retryPolicy: RetryPolicy.immediate(2)
    }, (c, s) =>
      Effect.gen(function*() {
        const e = yield* Effect.flip(collect(c.jobs()))
        expect(e).toMatchObject({ _tag: "ServerError", status: 500, providerCode: "internal_error", providerMessage: "boom" })
        expect(s.requestCount).toBe(3)
      })))

  it.live("an error status decides the class and keeps the envelope's code", () =>
    withClient({
      jobs: 10,
      faults: [
        Faults.onRequests([1], Faults.status(503, { body: envelope("internal_error", "maintenance") })),
        Faults.onRequests([2], Faults.status(422, { body: envelope("validation_failed", "bad filter") }))
      ]
    }, { retryPolicy: RetryPolicy.none }, (c) =>
      Effect.gen(function*() {
        const first = yield* Effect.flip(collect(c.jobs()))
        expect(first).toMatchObject({ _tag: "ServerError", status: 503, providerCode: "internal_error" })
        const second = yield* Effect.flip(collect(c.jobs()))
        expect(second).toMatchObject({ _tag: "BadRequest", status: 400, providerCode: "validation_failed" })
      })))

  it.live("errors the simulator reports in a 200 (errorsInOk) map the same as with HTTP statuses", () =>
    withClient({ jobs: 10, errorsInOk: true }, { auth: keyAuth(sysAdmin) }, (c) =>
      Effect.gen(function*() {
        const missing = yield* Effect.flip(collect(c.jobs({ scope: { _tag: "Organization", organizationId: 999 } })))
        expect(missing).toMatchObject({ _tag: "NotFound", providerCode: "not_found" })
        const badToken = yield* Effect.flip(c.page(undefined, { _tag: "Token", token: "garbage" }))
        expect(badToken).toMatchObject({ _tag: "BadRequest", providerCode: "invalid_request" })
      })))

  it.live("the simulator enforces per_page ≤ 2000 with requested_too_many, and page + page_token together", () =>
    withClient({ jobs: 40 }, {}, (c, s) =>
      Effect.gen(function*() {
        const res = yield* Effect.promise(() =>
          fetch(`${s.url}/ga/api/v2/jobs/all?per_page=2001`, { headers: { authorization: s.basicAuth(orgAdmin1) } })
            .then(async (r) => ({ status: r.status, body: await r.json() }))
        )
        expect(res).toMatchObject({ status: 400, body: { success: false, error_code: "requested_too_many" } })
        const both = yield* Effect.promise(() =>
          fetch(`${s.url}/ga/api/v2/jobs/all?page=0&page_token=abc`, { headers: { authorization: s.basicAuth(orgAdmin1) } })
            .then((r) => r.json())
        )
        expect(both).toMatchObject({ success: false, error_code: "invalid_request" })
        const page = yield* c.page({ perPage: 3 }, { _tag: "Number", page: 1 })
        expect(page).toMatchObject({ page: 1, perPage: 3, numRecords: ofOrg(s, 1).length })
        expect(page.nextPageToken).toEqual(expect.any(String))
      })))

  it.live("a proxy's HTML 502 maps by status, is retried, and succeeds after", () =>
    Effect.gen(function*() {
      yield* withClient({ jobs: 10, faults: [Faults.onRequests([1], Faults.html502)] }, {
        retryPolicy: RetryPolicy.immediate(2)
      }, (c, s) =>
        Effect.map(collect(c.jobs()), (jobs) => {
          expect(jobs.length).toBe(ofOrg(s, 1).length)
          expect(s.requestCount).toBe(2)
        }))
      yield* withClient({ jobs: 10, faults: [{ fault: Faults.html502 }] }, {}, (c) =>
        Effect.map(Effect.flip(collect(c.jobs())), (e) => {
          expect(e).toMatchObject({ _tag: "ServerError", status: 502 })
          expect(e).not.toHaveProperty("providerCode")
        }))
    }))

  it.live("malformed bodies are DecodeErrors naming what was wrong", () =>
    withClient({
      jobs: 10,
      faults: [
        Faults.onRequests([1], Faults.body("<html>not json</html>")),
        Faults.onRequests([2], Faults.body(JSON.stringify({ data: [], error_code: null }))),
        Faults.onRequests([3], Faults.body(JSON.stringify({ success: true, data: [{ id: 1 }, { id: "two" }] }))),
        Faults.onRequests([4], Faults.body(JSON.stringify({ success: true, data: [{ id: 1, created_at: "soon" }] }))),
        Faults.onRequests([5], Faults.truncate(0.5))
      ]
    }, {}, (c) =>
      Effect.gen(function*() {
        const e1 = yield* Effect.flip(collect(c.jobs()))
        expect(e1).toMatchObject({ _tag: "DecodeError", format: "json", provider: "greenarrow" })
        const e2 = yield* Effect.flip(collect(c.jobs()))
        expect(e2).toMatchObject({ _tag: "DecodeError", format: "schema" })
        expect(e2.message).toContain("success")
        const e3 = yield* Effect.flip(collect(c.jobs()))
        expect(e3).toMatchObject({ _tag: "DecodeError", format: "schema" })
        expect(e3.message).toContain("[1]")
        expect(e3.message).toContain("id")
        const e4 = yield* Effect.flip(collect(c.jobs()))
        expect(e4.message).toContain("created_at")
        const e5 = yield* Effect.flip(collect(c.jobs()))
        expect(e5._tag).toBe("TransportError")
      })))

  it.live("a reset connection is retried; a hanging server times out", () =>
    Effect.gen(function*() {
      yield* withClient({ jobs: 20, faults: [Faults.onRequests([1], Faults.reset)] }, {
        retryPolicy: RetryPolicy.immediate(2)
      }, (c, s) =>
        Effect.map(collect(c.jobs()), (jobs) => {
          expect(jobs.length).toBe(ofOrg(s, 1).length)
          expect(s.requestCount).toBe(2)
        }))
      yield* withClient({ jobs: 20, faults: [{ fault: Faults.hang }] }, { timeout: "150 millis" }, (c) =>
        Effect.map(Effect.flip(collect(c.jobs())), (e) => expect(e).toMatchObject({ _tag: "Timeout", scope: "attempt" })))
    }))

  it.live("a failing later page ends the stream with the error after the earlier pages' jobs", () =>
    withClient({ jobs: 60, faults: [Faults.onRequests([3], Faults.status(500))] }, { pageSize: 5 }, (c) =>
      Effect.gen(function*() {
        const got: Array<number> = []
        const e = yield* Effect.flip(Stream.runForEach(c.jobs(), (j) => Effect.sync(() => got.push(j.id))))
        expect(e).toMatchObject({ _tag: "ServerError", status: 500 })
        expect(got.length).toBe(10)
      })))
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
        expect(e).toMatchObject({ _tag: "NotFound", status: 404, provider: "greenarrow", operation: "getJob" })
        expect(e.message).toContain(String(otherOrg.id))
        const scoped = yield* Effect.flip(c.getJob(1, { scope: { _tag: "Organization", organizationId: 1 } }))
        expect(scoped._tag).toBe("NotFound")
      })))
})

describe("layers", () => {
  const runWith = (env: Record<string, string>, config?: Config.Config.Wrap<GreenArrowClient.Options>) =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 30 })
      const layer = GreenArrowClient.layerConfig(config).pipe(
        Layer.provide(FetchHttpClient.layer),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({
          GREENARROW_BASE_URL: s.url,
          ...env
        })))))
      )
      const result = yield* Effect.either(Effect.flatMap(GreenArrowClient.GreenArrowClient, (c) => collect(c.jobs())).pipe(
        Effect.provide(layer)
      ))
      return { s, result }
    }).pipe(Effect.scoped)

  it.live("layerConfig reads GREENARROW_ORGANIZATION_ID + GREENARROW_API_KEY (Key auth)", () =>
    Effect.gen(function*() {
      const { result, s } = yield* runWith({
        GREENARROW_ORGANIZATION_ID: String(orgAdmin2.organizationId),
        GREENARROW_API_KEY: orgAdmin2.apiKey,
        GREENARROW_PER_PAGE: "4"
      })
      expect(ids(Either.getOrThrow(result))).toEqual(ids(ofOrg(s, 2)))
      expect(s.requests[0]!.query.get("per_page")).toBe("4")
    }))

  it.live("layerConfig without an organization id takes the key as already encoded", () =>
    Effect.gen(function*() {
      const encoded = Buffer.from(`1:${orgAdmin1.apiKey}`).toString("base64")
      const { result, s } = yield* runWith({ GREENARROW_API_KEY: encoded })
      expect(ids(Either.getOrThrow(result))).toEqual(ids(ofOrg(s, 1)))
      expect(s.requests[0]!.headers["authorization"]).toBe(`Basic ${encoded}`)
    }))

  it.live("layerConfig fails with a ConfigError when the key is missing; a Config per option needs no variable", () =>
    Effect.gen(function*() {
      const missing = yield* Effect.either(
        Layer.build(GreenArrowClient.layerConfig().pipe(
          Layer.provide(FetchHttpClient.layer),
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map([["GREENARROW_BASE_URL", "http://x"]]))))
        )).pipe(Effect.scoped)
      )
      expect(Either.isLeft(missing)).toBe(true)
      const { result, s } = yield* runWith({}, {
        baseUrl: Config.string("GREENARROW_BASE_URL"),
        auth: Config.succeed(keyAuth(sysAdmin))
      })
      expect(ids(Either.getOrThrow(result))).toEqual(ids(s.jobs))
    }))

  it.live("GreenArrowClient.config mapped: options of your own on top of the environment", () =>
    Effect.gen(function*() {
      const { result, s } = yield* runWith(
        { GREENARROW_API_KEY: orgAdmin1.apiKey, GREENARROW_ORGANIZATION_ID: "1" },
        Config.map(GreenArrowClient.config, (options) => ({ ...options, pageSize: 3, pagination: "pages" as const }))
      )
      expect(ids(Either.getOrThrow(result))).toEqual(ids(ofOrg(s, 1)))
      expect(s.requests[0]!.query.get("per_page")).toBe("3")
      expect(s.requests[0]!.query.get("page")).toBe("0")
    }))

  it.live("layer(options) provides the client", () =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 20 })
      const n = yield* Effect.flatMap(GreenArrowClient.GreenArrowClient, (c) => Stream.runCount(c.jobs())).pipe(
        Effect.provide(GreenArrowClient.layer({ baseUrl: `${s.url}/ga/api/v2/`, auth: keyAuth(orgAdmin1) }))
      )
      expect(n).toBe(ofOrg(s, 1).length)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
})
