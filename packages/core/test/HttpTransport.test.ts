import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { ApiError, HttpTransport, RetryPolicy } from "@jobstream/core"
import { Faults, GenericSimulator, Server } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { get, listJobs, setup } from "./transportHelpers.js"

describe("HttpTransport", () => {
  describe("status → error", () => {
    const cases: ReadonlyArray<readonly [number, string]> = [
      [400, "BadRequest"],
      [401, "Unauthorized"],
      [403, "Forbidden"],
      [404, "NotFound"],
      [405, "MethodNotAllowed"],
      [409, "UnexpectedStatus"],
      [410, "Gone"],
      [429, "RateLimited"],
      [500, "ServerError"],
      [502, "ServerError"],
      [503, "ServerError"],
      [504, "ServerError"],
      [418, "UnexpectedStatus"]
    ]
    for (const [status, tag] of cases) {
      it.scopedLive(`${status} → ${tag}, with provider detail, sent once or retried per policy`, () =>
        Effect.gen(function*() {
          const { server, transport } = yield* setup({
            retryPolicy: RetryPolicy.immediate(2),
            readErrorBody: (raw) => {
              const body = JSON.parse(raw.body) as { error?: string; message?: string }
              return { providerCode: body.error, providerMessage: body.message }
            }
          })
          const error = yield* Effect.flip(get(transport, `/status/${status}`))
          expect(error._tag).toBe(tag)
          expect(error).toMatchObject({
            provider: "generic",
            operation: "listJobs",
            method: "GET",
            status,
            providerCode: `status_${status}`,
            providerMessage: "forced status"
          })
          expect(error.message).toContain(`generic.listJobs`)
          expect(error.message).toContain(`/status/${status}`)
          const retryable = [429, 500, 502, 503, 504].includes(status)
          expect(ApiError.isRetryable(error)).toBe(retryable)
          // immediate(2): retryable errors are attempted 3 times, others once.
          expect(server.requestCount).toBe(retryable ? 3 : 1)
        }).pipe(Effect.provide(FetchHttpClient.layer)))
    }

    it.scopedLive("a success decodes through the schema", () =>
      Effect.gen(function*() {
        const { transport } = yield* setup()
        const page = yield* get(transport, "/jobs?page=1&per_page=5")
        expect(page.total).toBe(20)
        expect(page.items.map((j) => j.id)).toHaveLength(5)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scopedLive("a body of the wrong shape is a DecodeError naming provider, operation and the path", () =>
      Effect.gen(function*() {
        const { transport } = yield* setup({}, { faults: [Faults.onRequests([1], Faults.body(`{"items":[{"id":7}],"total":1}`))] })
        const error = yield* Effect.flip(get(transport, "/jobs"))
        expect(error._tag).toBe("DecodeError")
        if (error._tag !== "DecodeError") return
        expect(error.format).toBe("schema")
        expect(error.issue).toContain("id")
        expect(error.message).toContain("generic.listJobs")
        expect(error.excerpt).toContain(`{"items"`)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scopedLive("malformed JSON and an empty 200 are DecodeErrors with format json", () =>
      Effect.gen(function*() {
        const { transport } = yield* setup({}, {
          faults: [
            Faults.onRequests([1], Faults.body(`{"items": [`)),
            Faults.onRequests([2], Faults.body(``))
          ]
        })
        const first = yield* Effect.flip(get(transport, "/jobs"))
        const second = yield* Effect.flip(get(transport, "/jobs"))
        expect(first).toMatchObject({ _tag: "DecodeError", format: "json" })
        expect(second).toMatchObject({ _tag: "DecodeError", format: "json", issue: "the body is empty" })
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scopedLive("an HTML 502 from a proxy maps by status and is retried", () =>
      Effect.gen(function*() {
        const { server, transport } = yield* setup(
          { retryPolicy: RetryPolicy.immediate(3) },
          { faults: [Faults.onRequests([1, 2], Faults.html502)] }
        )
        const page = yield* get(transport, "/jobs")
        expect(page.total).toBe(20)
        expect(server.requestCount).toBe(3)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scopedLive("connection reset and a cut-off body are TransportErrors, retried", () =>
      Effect.gen(function*() {
        const { server, transport } = yield* setup(
          { retryPolicy: RetryPolicy.immediate(3) },
          { faults: [Faults.onRequests([1], Faults.reset), Faults.onRequests([2], Faults.truncate(0.5))] }
        )
        const page = yield* get(transport, "/jobs")
        expect(page.total).toBe(20)
        expect(server.requests.map((r) => r.fault)).toEqual(["Reset", "Truncate", undefined])

        const { transport: noRetry } = yield* setup(
          { retryPolicy: RetryPolicy.none },
          { faults: [Faults.onRequests([1], Faults.reset), Faults.onRequests([2], Faults.truncate(0.3))] }
        )
        const reset = yield* Effect.flip(get(noRetry, "/jobs"))
        const cut = yield* Effect.flip(get(noRetry, "/jobs"))
        expect(reset._tag).toBe("TransportError")
        expect(cut._tag).toBe("TransportError")
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scopedLive("a refused connection is a TransportError", () =>
      Effect.gen(function*() {
        const server = yield* Effect.promise(() => GenericSimulator.startGeneric())
        const url = server.url
        yield* Effect.promise(() => server.close())
        const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: url, retryPolicy: RetryPolicy.none })
        const error = yield* Effect.flip(get(transport, "/jobs"))
        expect(error._tag).toBe("TransportError")
        if (error._tag === "TransportError") expect(error.reason).toMatch(/ECONNREFUSED|fetch failed/)
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scopedLive("a body over the size limit is a typed error, whether declared or streamed", () =>
      Effect.gen(function*() {
        const big = JSON.stringify({ items: [], total: 0, pad: "x".repeat(50_000) })
        const server = yield* Server.make({
          handler: (req) =>
            req.path === "/declared"
              ? Server.json(200, JSON.parse(big))
              : { status: 200, headers: { "content-type": "application/json", "transfer-encoding": "chunked" }, body: big }
        })
        const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: server.url, maxBodyBytes: 10_000 })
        const declared = yield* Effect.flip(get(transport, "/declared"))
        expect(declared).toMatchObject({ _tag: "DecodeError", format: "body" })
        const streamed = yield* Effect.flip(get(transport, "/streamed"))
        expect(streamed).toMatchObject({ _tag: "DecodeError", format: "body" })
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  })

  describe("tracing", () => {
    it.scopedLive("each request sent is a span of its own, and its trace context goes out in traceparent", () =>
      Effect.gen(function*() {
        const { server, transport } = yield* setup(
          { retryPolicy: RetryPolicy.immediate(2), secretHeaders: ["accessToken"] },
          { faults: [Faults.onRequests([1], Faults.status(503))] }
        )
        const request = HttpClientRequest.get("/jobs").pipe(HttpClientRequest.setHeader("accessToken", "t0ken"))
        yield* transport.execute({ operation: "listJobs", request, decode: listJobs }).pipe(Effect.withSpan("caller"))
        const parents = server.requests.map((r) => r.headers["traceparent"] ?? "")
        expect(parents).toHaveLength(2)
        const [first, second] = parents.map((p) => p.split("-"))
        expect(first).toHaveLength(4)
        // same trace, a different span per attempt
        expect(first![1]).toBe(second![1])
        expect(first![2]).not.toBe(second![2])
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  })

  describe("secrets", () => {
    it.scopedLive("a sensitive decode quotes neither the body nor the offending value", () =>
      Effect.gen(function*() {
        const Login = Schema.Struct({ token: Schema.String, expires: Schema.Number })
        const bodies = [`{"token":"s3cr3t-token","expires":"soon"}`, `{"token": s3cr3t-token}`]
        const { transport } = yield* setup({}, { faults: bodies.map((b, i) => Faults.onRequests([i + 1], Faults.body(b))) })
        for (let i = 0; i < bodies.length; i++) {
          const error = yield* Effect.flip(
            transport.execute({
              operation: "login",
              request: HttpClientRequest.get("/jobs"),
              decode: HttpTransport.decodeJson(Login, { sensitive: true })
            })
          )
          expect(error._tag).toBe("DecodeError")
          for (const text of [error.message, JSON.stringify(error)]) expect(text).not.toContain("s3cr3t-token")
          if (error._tag === "DecodeError") expect(error.excerpt).toBe(HttpTransport.omittedExcerpt)
        }
        // the plain decode does quote the body (so the test above can fail)
        const { transport: plain } = yield* setup({}, { faults: [Faults.onRequests([1], Faults.body(bodies[0]!))] })
        const quoted = yield* Effect.flip(
          plain.execute({ operation: "login", request: HttpClientRequest.get("/jobs"), decode: HttpTransport.decodeJson(Login) })
        )
        expect(quoted.message).toContain("s3cr3t-token")
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scopedLive("secret query values are redacted in errors; secret headers never reach them", () =>
      Effect.gen(function*() {
        const { transport } = yield* setup({ secretParams: ["clientSecret"], secretHeaders: ["accessToken"] })
        const request = HttpClientRequest.get("/status/401").pipe(
          HttpClientRequest.setUrlParams({ clientId: "me", clientSecret: "s3cr3t-value" }),
          HttpClientRequest.setHeader("accessToken", "t0ken-value")
        )
        const error = yield* Effect.flip(transport.execute({ operation: "login", request, decode: listJobs }))
        for (const text of [error.message, String(error), JSON.stringify(error)]) {
          expect(text).not.toContain("s3cr3t-value")
          expect(text).not.toContain("t0ken-value")
        }
        expect(error.message).toContain("clientSecret=<redacted>")
        expect(error.message).toContain("clientId=me")
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  })
})
