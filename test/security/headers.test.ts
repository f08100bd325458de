/**
 * A header value that cannot be sent (a line break, a NUL, a character
 * beyond Latin-1) — in a configured token or key, or in a token or CSRF
 * token a server handed out — is a typed, non-retried `InvalidRequest` that
 * names the header and never quotes the value; nothing is sent. (Node's
 * clients would throw a TypeError quoting the value, which used to become a
 * retried `TransportError` carrying the secret.)
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { type ApiError, HttpTransport, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { InsideViewClient } from "@jobstream/insideview"
import { Faults, GenericSimulator, GreenArrowSimulator, IcwsSimulator, InsideViewSimulator, Server } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { attempt, audited, clientKinds, findLeaks, httpClient, icwsClient, inAllForms } from "./support.js"

/** Bad characters, each after a recognisable secret prefix. */
const bad = [
  ["a line feed", "\n"],
  ["CR LF", "\r\nX-Injected: 1"],
  ["a NUL", "\u0000"],
  ["a non-Latin-1 character", "€"],
  ["another control character", "\u0007"]
] as const

const retrying = RetryPolicy.immediate(3)

const expectRefused = (error: unknown, header: string) => {
  expect(error).toMatchObject({ _tag: "InvalidRequest" })
  const invalid = error as ApiError.InvalidRequest
  expect(invalid.issue).toContain(`header ${header}`)
  expect(invalid.problems?.[0]?.parameter).toBe(`header ${header}`)
}

describe("header values that cannot be sent", () => {
  for (const kind of clientKinds) {
    it.live(`insideview: a configured access token → InvalidRequest, nothing sent [${kind}]`, () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 10 })
        const audit = yield* audited((errors) =>
          Effect.forEach(bad, ([what, char]) =>
            Effect.gen(function*() {
              const client = yield* InsideViewClient.make({
                baseUrl: sim.url,
                auth: InsideViewClient.Auth.token(Redacted.make(`token-SECRET-${what.length}${char}tail-SECRET`)),
                retryPolicy: retrying
              }).pipe(Effect.orDie)
              expectRefused(yield* attempt(errors, client.listJobs()), "accesstoken")
            }).pipe(Effect.scoped))
        )
        expect(audit.errors).toHaveLength(bad.length)
        expect(sim.requestCount).toBe(0)
        const secrets = bad.flatMap(([what]) => [`token-SECRET-${what.length}`, "tail-SECRET"])
        expect(findLeaks(inAllForms(secrets), audit.texts())).toEqual([])
      }).pipe(Effect.scoped, Effect.provide(httpClient(kind))))

    it.live(`insideview: a token from the login answer that cannot be sent → InvalidRequest, the list is never asked [${kind}]`, () =>
      Effect.gen(function*() {
        const evil = "issued-SECRET\r\nSet-Cookie: x=1"
        const sim = yield* InsideViewSimulator.makeInsideView({
          jobs: 10,
          faults: [{
            fault: Faults.body(JSON.stringify({ accessTokenDetails: { accessToken: evil, tokenType: "Bearer" } })),
            match: (r) => r.path.startsWith("/Auth/login/")
          }]
        })
        const audit = yield* audited((errors) =>
          Effect.gen(function*() {
            const client = yield* InsideViewClient.make({
              baseUrl: sim.url,
              authBaseUrl: sim.url,
              auth: InsideViewClient.Auth.credentials("sim-client", Redacted.make("sim-secret")),
              retryPolicy: retrying
            }).pipe(Effect.orDie)
            expectRefused(yield* attempt(errors, client.listJobs()), "accesstoken")
          }).pipe(Effect.scoped)
        )
        expect(sim.requests.map((r) => r.path)).toEqual(["/Auth/login/v1/token.json"])
        expect(findLeaks(inAllForms(["issued-SECRET", "sim-secret"]), audit.texts())).toEqual([])
      }).pipe(Effect.scoped, Effect.provide(httpClient(kind))))

    // GreenArrow's header is base64 (always sendable): an encoded key that is not base64 is refused
    // earlier, when the client is built, without quoting it.
    it.live(`greenarrow: an encoded key beyond Latin-1 or with a control character → refused at build, not quoted, nothing sent [${kind}]`, () =>
      Effect.gen(function*() {
        const sim = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 10 })
        const keys = ["encoded-SECRET€key", "encoded-SECRET\u0001key", "encoded-SECRET\u007fkey"]
        const audit = yield* audited((errors) =>
          Effect.forEach(keys, (key) =>
            Effect.gen(function*() {
              const built = yield* Effect.either(GreenArrowClient.make({
                baseUrl: sim.url,
                auth: { _tag: "Encoded", encoded: Redacted.make(key) },
                retryPolicy: retrying
              }))
              expect(built._tag).toBe("Left")
              if (built._tag === "Left") errors.push(built.left)
            }))
        )
        expect(audit.errors).toHaveLength(keys.length)
        expect(sim.requestCount).toBe(0)
        expect(findLeaks(inAllForms(["encoded-SECRET"]), audit.texts())).toEqual([])
      }).pipe(Effect.scoped, Effect.provide(httpClient(kind))))

    it.live(`icws: a CSRF token from the server that cannot be sent → InvalidRequest, no session call sent [${kind}]`, () =>
      Effect.gen(function*() {
        const csrf = "csrf-SECRET-€-token"
        const sim = yield* IcwsSimulator.makeIcws({
          jobs: 5,
          faults: [{
            fault: Faults.respond(() =>
              Server.json(201, { sessionId: "session-SECRET-1", csrfToken: csrf }, { "Content-Type": IcwsSimulator.mediaType })
            ),
            match: (r) => r.method === "POST" && r.path === "/icws/connection"
          }]
        })
        const audit = yield* audited((errors) =>
          Effect.scoped(Effect.gen(function*() {
            const client = yield* icwsClient(sim)
            expectRefused(yield* attempt(errors, client.getJob("job-1")), "inin-icws-csrf-token")
          }))
        )
        // Only the connection was sent: not the call, not its retry, not the logout.
        expect(sim.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /icws/connection"])
        expect(findLeaks(inAllForms(["csrf-SECRET", "session-SECRET-1", "s3cret-pw"]), audit.texts())).toEqual([])
      }).pipe(Effect.scoped, Effect.provide(httpClient(kind))))

    it.live(`core: any header, any method → InvalidRequest naming it; a tab and Latin-1 pass [${kind}]`, () =>
      Effect.gen(function*() {
        const sim = yield* GenericSimulator.makeGeneric({ jobs: 3 })
        const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: sim.url, retryPolicy: retrying })
        const call = (request: HttpClientRequest.HttpClientRequest) =>
          transport.execute({ operation: "list", request, decode: HttpTransport.decodeJson(Schema.Unknown) })
        for (const [, char] of bad) {
          const get = HttpClientRequest.get("/jobs").pipe(HttpClientRequest.setHeader("x-custom", `value-SECRET${char}`))
          expectRefused(yield* Effect.flip(call(get)), "x-custom")
          const post = HttpClientRequest.post("/jobs").pipe(HttpClientRequest.setHeader("x-other", `value-SECRET${char}`))
          const error = yield* Effect.flip(call(post))
          expectRefused(error, "x-other")
          expect(JSON.stringify(error)).not.toContain("value-SECRET")
        }
        expect(sim.requestCount).toBe(0)
        // A header name that is not a token is refused too.
        expectRefused(yield* Effect.flip(call(HttpClientRequest.get("/jobs").pipe(HttpClientRequest.setHeader("bad name", "v")))), "bad name")
        // Tabs and Latin-1 letters are valid header text: sent.
        yield* call(HttpClientRequest.get("/jobs").pipe(HttpClientRequest.setHeader("x-ok", "caf\u00e9\tok")))
        expect(sim.requestCount).toBe(1)
      }).pipe(Effect.scoped, Effect.provide(httpClient(kind))))
  }

  it.live("the server never sees a request whose header was refused, even from an echoing server", () =>
    Effect.gen(function*() {
      const server = yield* Server.make({ handler: (req) => Server.json(200, { headers: req.headers }) })
      const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: server.url })
      const request = HttpClientRequest.get("/").pipe(HttpClientRequest.setHeader("authorization", "Bearer abc\ndef-SECRET"))
      const error = yield* Effect.flip(
        transport.execute({ operation: "echo", request, decode: HttpTransport.decodeJson(Schema.Unknown) })
      )
      expectRefused(error, "authorization")
      expect(String(error)).not.toContain("def-SECRET")
      expect(server.requestCount).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(httpClient("fetch"))))
})
