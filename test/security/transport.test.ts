/**
 * The core transport on its own (what every provider inherits), over real
 * HTTP: the redirect policy with every platform client (fetch — also when
 * the program asked fetch to follow redirects —, undici, node:http) and over
 * HTTPS (no step down to http); the redaction of a secret with awkward
 * characters in every form a server may echo it in, also where the text is
 * cut (the provider message, the excerpt); secrets in the URL itself.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { ApiError, HttpTransport, RetryPolicy } from "@jobstream/core"
import { Faults, Hostile, Server, Tls } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { attempt, audited, errorTexts, findLeaks, receivedTexts, tlsClient } from "./support.js"

const decode = HttpTransport.decodeJson(Schema.Struct({ items: Schema.Array(Schema.String) }))

const withToken = (path: string, token: string) =>
  HttpClientRequest.get(path).pipe(HttpClientRequest.setHeader("authorization", `Bearer ${token}`))

const allClients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["fetch", FetchHttpClient.layer],
  ["undici", NodeHttpClient.layerUndici],
  ["node:http", NodeHttpClient.layer]
]

describe("core transport: redirects", () => {
  for (const [name, layer] of allClients) {
    it.live(`${name}: cross-origin refused with the target's origin only; same-origin GET followed with its headers`, () =>
      Effect.gen(function*() {
        const foreign = yield* Hostile.makeForeign()
        const server = yield* Server.make({
          handler: (req) =>
            req.path === "/away"
              ? { status: 302, headers: { Location: `${foreign.url}/steal/token-SECRET-1?k=token-SECRET-1` } }
              : req.path === "/here"
              ? { status: 301, headers: { Location: "/there?x=1" } }
              : Server.json(200, { items: [req.headers["authorization"] ?? ""] })
        })
        const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: server.url, retryPolicy: RetryPolicy.immediate(2) })
        const refused = yield* Effect.flip(transport.execute({ operation: "away", request: withToken("/away", "token-SECRET-1"), decode }))
        expect(refused).toMatchObject({ _tag: "Redirected", reason: "cross-origin", location: new URL(foreign.url).origin, status: 302 })
        expect(foreign.requestCount).toBe(0)
        for (const { text } of errorTexts(refused)) expect(text).not.toContain("token-SECRET-1")
        // Same origin: followed, the credential goes along (to the server it was meant for).
        const page = yield* transport.execute({ operation: "here", request: withToken("/here", "token-SECRET-2"), decode })
        expect(page.items).toEqual(["Bearer token-SECRET-2"])
        expect(server.requests.map((r) => `${r.path}${r.url.search}`)).toEqual(["/away", "/here", "/there?x=1"])
      }).pipe(Effect.scoped, Effect.provide(layer)))
  }

  it.live("fetch: a RequestInit asking to follow redirects (at build or call time) is overridden; its other settings are kept", () =>
    Effect.gen(function*() {
      const foreign = yield* Hostile.makeForeign()
      const server = yield* Server.make({
        handler: (req) =>
          req.path === "/away" ? { status: 307, headers: { Location: `${foreign.url}/x` } } : Server.json(200, { items: [] })
      })
      const follow: RequestInit = { redirect: "follow", headers: { "x-from-init": "kept" } }
      const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: server.url }).pipe(
        Effect.provideService(FetchHttpClient.RequestInit, follow)
      )
      const call = (path: string) => transport.execute({ operation: "call", request: withToken(path, "token-SECRET-3"), decode })
      expect(yield* Effect.flip(call("/away"))).toMatchObject({ _tag: "Redirected", reason: "cross-origin" })
      expect(yield* Effect.flip(call("/away").pipe(Effect.provideService(FetchHttpClient.RequestInit, follow))))
        .toMatchObject({ _tag: "Redirected" })
      yield* call("/ok")
      expect(foreign.requestCount).toBe(0)
      expect(server.requests.every((r) => r.headers["x-from-init"] === "kept")).toBe(true)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("https: a redirect to http (same host or another) is a scheme-downgrade, and nothing goes there", () =>
    Effect.gen(function*() {
      const foreign = yield* Hostile.makeForeign()
      const plain = yield* Server.make({ handler: () => Server.json(200, { items: [] }) })
      const secure = yield* Server.make({
        tls: Tls.selfSigned,
        handler: (req) =>
          req.path === "/down-other"
            ? { status: 308, headers: { Location: `${foreign.url}/x` } }
            : req.path === "/down-same"
            ? { status: 302, headers: { Location: `http://127.0.0.1:${plain.port}/x` } }
            : req.path === "/up"
            ? { status: 302, headers: { Location: "/ok" } }
            : Server.json(200, { items: ["ok"] })
      })
      expect(secure.url.startsWith("https://")).toBe(true)
      const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: secure.url })
      const call = (path: string) => transport.execute({ operation: "call", request: withToken(path, "token-SECRET-4"), decode })
      for (const path of ["/down-other", "/down-same"]) {
        expect(yield* Effect.flip(call(path))).toMatchObject({ _tag: "Redirected", reason: "scheme-downgrade" })
      }
      expect((yield* call("/up")).items).toEqual(["ok"])
      expect(foreign.requestCount + plain.requestCount).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(tlsClient)))
})

describe("core transport: redaction of echoed secrets", () => {
  const secret = "p@ss w/rd+é\"'<>&ü€~*-1234"
  const forms = (s: string) => {
    const json = JSON.stringify(s).slice(1, -1)
    const percent = encodeURIComponent(s)
    const base64 = Buffer.from(s).toString("base64")
    return [
      s,
      percent,
      percent.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
      percent.replace(/%20/g, "+"),
      new URLSearchParams([["", s]]).toString().slice(1),
      json,
      json.replace(/\//g, "\\/"),
      json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
      s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;"),
      base64,
      base64.replace(/=+$/, ""),
      base64.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")
    ]
  }
  const all = forms(secret)

  it.live("every form, in the provider message, the excerpt and the issue, also where they are cut", () =>
    Effect.gen(function*() {
      const server = yield* Server.make({
        handler: (req) => {
          switch (req.path) {
            case "/400":
              return Server.text(400, all.join(" | "))
            case "/cut-message":
              return Server.text(400, `${"m".repeat(487)}${secret}${"m".repeat(20)}`)
            case "/cut-excerpt":
              return Server.text(200, `${"e".repeat(186)}${encodeURIComponent(secret)}`, "application/json")
            case "/schema":
              return Server.json(200, { items: secret })
            default:
              return Server.text(200, `not json ${all.join(" ")}`, "application/json")
          }
        }
      })
      const transport = yield* HttpTransport.make({
        provider: "generic",
        baseUrl: server.url,
        secrets: [secret],
        readErrorBody: (raw) => ({ providerMessage: raw.body }),
        retryPolicy: RetryPolicy.none
      })
      // A provider's own mapping that cuts the body itself (as an envelope reader may).
      const mapped = yield* HttpTransport.make({
        provider: "generic",
        baseUrl: server.url,
        secrets: [secret],
        mapError: (raw, where) => new ApiError.UnexpectedStatus({ ...where, status: raw.status, providerMessage: raw.body.slice(0, 500) }),
        retryPolicy: RetryPolicy.none
      })
      const audit = yield* audited((errors) =>
        Effect.gen(function*() {
          for (const path of ["/400", "/cut-message", "/cut-excerpt", "/schema", "/garbage"]) {
            yield* attempt(errors, transport.execute({ operation: "echo", request: HttpClientRequest.get(path), decode }))
          }
          yield* attempt(errors, mapped.execute({ operation: "echo", request: HttpClientRequest.get("/cut-message"), decode }))
        })
      )
      expect(audit.errors.map((e) => (e as ApiError.ApiError)._tag)).toEqual(
        ["BadRequest", "BadRequest", "DecodeError", "DecodeError", "DecodeError", "UnexpectedStatus"]
      )
      // The servers did echo it, in every form, and the errors still say something.
      expect((audit.errors[0] as ApiError.BadRequest).providerMessage).toContain("<redacted>")
      expect((audit.errors[2] as ApiError.DecodeError).excerpt).toMatch(/^e{186}<redacted>/)
      // Any 6 characters of a form are too many: search slices, so a half-cut secret is caught too.
      const pieces = all.flatMap((f) => f.length <= 12 ? [f] : [f.slice(0, 12), f.slice(-12), f.slice(6, 18)])
      expect(findLeaks(pieces, audit.texts())).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("secrets in the URL itself: secret parameters (in the params or the URL string) and user info", () =>
    Effect.gen(function*() {
      const server = yield* Server.make({ handler: () => Server.json(500, { error: "boom" }) })
      const transport = yield* HttpTransport.make({
        provider: "generic",
        baseUrl: server.url,
        secretParams: ["clientSecret"],
        retryPolicy: RetryPolicy.none
      })
      const requests = [
        HttpClientRequest.get("/a?clientSecret=url-SECRET-5&page=2"),
        HttpClientRequest.get("/b").pipe(HttpClientRequest.setUrlParams({ clientSecret: "param-SECRET-6", page: "3" }))
      ]
      const audit = yield* audited((errors) =>
        Effect.forEach(requests, (request) => attempt(errors, transport.execute({ operation: "call", request, decode })))
      )
      expect(audit.errors.map((e) => (e as ApiError.ServerError).url)).toEqual([
        `${server.url}/a?clientSecret=<redacted>&page=2`,
        `${server.url}/b?clientSecret=<redacted>&page=3`
      ])
      expect(findLeaks(["url-SECRET-5", "param-SECRET-6"], audit.texts())).toEqual([])
      const withUser = transport.where("call", HttpClientRequest.get(`http://someone:user-SECRET-7@127.0.0.1:${server.port}/c`))
      expect(withUser.url).toBe(`http://127.0.0.1:${server.port}/c`)
      expect(receivedTexts(server, Hostile.received).length).toBe(2)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("a secret header added late (by transformClient) still keeps the platform span off and out of errors", () =>
    Effect.gen(function*() {
      const server = yield* Server.make({
        handler: () => Server.json(200, { items: [] }),
        faults: [Faults.onRequests([1], Faults.reset), Faults.onRequests([2], Faults.status(401))]
      })
      const transport = yield* HttpTransport.make({
        provider: "generic",
        baseUrl: server.url,
        retryPolicy: RetryPolicy.none,
        transformClient: HttpClient.mapRequest(HttpClientRequest.setHeader("authorization", "Bearer late-SECRET-8"))
      })
      const audit = yield* audited((errors) =>
        Effect.forEach([1, 2], () =>
          attempt(errors, transport.execute({ operation: "call", request: HttpClientRequest.get("/jobs"), decode })))
      )
      expect(audit.errors.map((e) => (e as ApiError.ApiError)._tag)).toEqual(["TransportError", "Unauthorized"])
      expect(server.requests.every((r) => r.headers["authorization"] === "Bearer late-SECRET-8")).toBe(true)
      // Only the transport's own spans: the operation and the request sent.
      expect(audit.spans.spans.map((span) => span.name)).toEqual([
        "generic.call",
        "http.client GET",
        "generic.call",
        "http.client GET"
      ])
      expect(findLeaks(["late-SECRET-8"], audit.texts())).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
})
