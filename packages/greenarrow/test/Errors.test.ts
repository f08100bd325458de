/** The GreenArrow client: authentication and the envelope's errors. */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, Stream } from "effect"
import { RetryPolicy } from "@jobstream/core"
import { Faults } from "@jobstream/testkit"
import { collect, ids, keyAuth, ofOrg, orgAdmin1, orgAdmin2, sysAdmin, withClient } from "./helpers.js"

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
