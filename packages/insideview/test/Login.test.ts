/**
 * The login request itself: where the credentials go (form body by default,
 * the documented query parameters as a remembered fallback, or pinned), which
 * URL it goes to, and how a malformed answer is reported without the token.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { InsideViewClient } from "@jobstream/insideview"
import { Faults, InsideViewSimulator } from "@jobstream/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import { clientFor, clientSecret, credentials, loginRequests } from "./utils.js"

const live = FetchHttpClient.layer

/** How a logged login request carried the credentials. */
const formOf = (r: { readonly body: string; readonly url: URL }) =>
  new URLSearchParams(r.body).get("clientSecret") !== null
    ? "body"
    : r.url.searchParams.get("clientSecret") !== null
    ? "query"
    : "none"

const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    lines.push(`${logLevel.label} ${JSON.stringify(message)} ${JSON.stringify([...annotations])}`)
  })
  const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.All))
  return { lines, provide }
}

describe("where the credentials go", () => {
  for (const format of ["json", "xml"] as const) {
    it.scopedLive(`${format}: a server reading only the query answers 400 to the form; the client falls back once and remembers`, () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30, loginParamsIn: "query" })
        const logs = captureLogs()
        const client = yield* clientFor(sim, { auth: credentials, format })
        yield* logs.provide(client.listJobs())
        expect(loginRequests(sim).map((r) => `${formOf(r)} ${r.status}`)).toEqual(["body 400", "query 200"])
        expect(logs.lines.some((l) => l.includes("using query parameters"))).toBe(true)
        // The next login (the token expired) goes straight to the form that worked.
        sim.expireIssuedTokens()
        yield* client.listJobs()
        expect(loginRequests(sim).map((r) => `${formOf(r)} ${r.status}`)).toEqual(["body 400", "query 200", "query 200"])
        expect(yield* client.logins).toBe(2)
        expect(logs.lines.join("\n")).not.toContain(clientSecret)
      }).pipe(Effect.provide(live)))
  }

  it.scopedLive("a 415 to the form (e.g. from a proxy) also leads to the query form", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 30,
        faults: [{
          match: (r) => r.path.startsWith("/Auth/"),
          times: 1,
          fault: Faults.status(415, { body: JSON.stringify({ message: "The Content-Type mandatory header is not provided." }) })
        }]
      })
      const client = yield* clientFor(sim, { auth: credentials })
      yield* client.listJobs()
      expect(loginRequests(sim).map((r) => `${formOf(r)} ${r.status}`)).toEqual(["body 415", "query 200"])
    }).pipe(Effect.provide(live)))

  it.scopedLive("a server reading only the body: the form works at once and the query form is never tried", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30, loginParamsIn: "body" })
      const client = yield* clientFor(sim, { auth: credentials })
      yield* client.listJobs()
      sim.expireIssuedTokens()
      yield* client.listJobs()
      expect(loginRequests(sim).map((r) => `${formOf(r)} ${r.status}`)).toEqual(["body 200", "body 200"])
    }).pipe(Effect.provide(live)))

  it.scopedLive("credentialsIn pins the form: no fallback either way", () =>
    Effect.gen(function*() {
      const queryOnly = yield* InsideViewSimulator.makeInsideView({ jobs: 30, loginParamsIn: "query" })
      const pinnedBody = yield* clientFor(queryOnly, { auth: credentials, credentialsIn: "body" })
      const bad = yield* Effect.flip(pinnedBody.listJobs())
      expect(bad).toMatchObject({ _tag: "BadRequest", operation: "login", status: 400 })
      expect(loginRequests(queryOnly).map(formOf)).toEqual(["body"])

      const bodyOnly = yield* InsideViewSimulator.makeInsideView({ jobs: 30, loginParamsIn: "body" })
      const pinnedQuery = yield* clientFor(bodyOnly, { auth: credentials, credentialsIn: "query" })
      const unsupported = yield* Effect.flip(pinnedQuery.listJobs())
      expect(unsupported).toMatchObject({ _tag: "UnexpectedStatus", operation: "login", status: 415 })
      expect(loginRequests(bodyOnly).map(formOf)).toEqual(["query"])
      // The secret in the query is redacted from the error's URL.
      expect(unsupported._tag === "UnexpectedStatus" && unsupported.url).toContain("clientSecret=<redacted>")
      expect(JSON.stringify(unsupported) + unsupported.message).not.toContain(clientSecret)

      const works = yield* clientFor(queryOnly, { auth: credentials, credentialsIn: "query" })
      yield* works.listJobs()
      expect(loginRequests(queryOnly).map((r) => `${formOf(r)} ${r.status}`)).toEqual(["body 400", "query 200"])
    }).pipe(Effect.provide(live)))

  it.scopedLive("when the query form fails too, its error surfaces (wrong secret), after exactly two login requests", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30, loginParamsIn: "query" })
      const wrong = "definitely-not-the-secret"
      const client = yield* clientFor(sim, { auth: InsideViewClient.Auth.credentials("sim-client", Redacted.make(wrong)) })
      const error = yield* Effect.flip(client.listJobs())
      expect(error).toMatchObject({ _tag: "Unauthorized", operation: "login" })
      expect(loginRequests(sim).map((r) => `${formOf(r)} ${r.status}`)).toEqual(["body 400", "query 401"])
      expect(JSON.stringify(error) + error.message + String(error)).not.toContain(wrong)
    }).pipe(Effect.provide(live)))
})

describe("the token URL", () => {
  it.scopedLive("authBaseUrl is a base; a full token URL given there is not doubled; tokenUrl wins", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30 })
      const full = yield* clientFor(sim, { auth: credentials, authBaseUrl: `${sim.url}/Auth/login/v1/token.json/` })
      yield* full.listJobs()
      const explicit = yield* clientFor(sim, {
        auth: credentials,
        authBaseUrl: "http://127.0.0.1:9/never",
        tokenUrl: `${sim.url}/Auth/login/v1/token`
      })
      yield* explicit.listJobs()
      expect(loginRequests(sim).map((r) => r.path)).toEqual(["/Auth/login/v1/token.json", "/Auth/login/v1/token"])
    }).pipe(Effect.provide(live)))

  it.scopedLive("layerConfig reads INSIDEVIEW_TOKEN_URL", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30 })
      const provider = ConfigProvider.fromMap(
        new Map([
          ["INSIDEVIEW_BASE_URL", sim.url],
          ["INSIDEVIEW_CLIENT_ID", "sim-client"],
          ["INSIDEVIEW_CLIENT_SECRET", clientSecret],
          ["INSIDEVIEW_TOKEN_URL", `${sim.url}/Auth/login/v1/token`]
        ])
      )
      const page = yield* Effect.flatMap(InsideViewClient.InsideViewClient, (c) => c.listJobs()).pipe(
        Effect.provide(InsideViewClient.layerConfig()),
        Effect.withConfigProvider(provider)
      )
      expect(page.bulkJobs.length).toBeGreaterThan(0)
      expect(loginRequests(sim).map((r) => r.path)).toEqual(["/Auth/login/v1/token"])
    }).pipe(Effect.provide(live)))
})

describe("a malformed login answer never prints the token", () => {
  const token = "SECRETTOKENVALUE=.eyJzZWNyZXQiOnRydWV9"
  const cases: ReadonlyArray<{ readonly name: string; readonly body: string; readonly contentType: string; readonly format: string }> = [
    {
      name: "truncated JSON",
      body: `{"accessTokenDetails": {"accessToken": "${token}`,
      contentType: "application/json",
      format: "json"
    },
    {
      name: "JSON with a wrongly typed field next to the token",
      body: JSON.stringify({ accessTokenDetails: { accessToken: token, tokenType: { weird: true }, expirationTime: 42 } }),
      contentType: "application/json",
      format: "schema"
    },
    {
      name: "JSON with the token where an object belongs",
      body: JSON.stringify({ accessTokenDetails: token }),
      contentType: "application/json",
      format: "schema"
    },
    {
      name: "truncated XML",
      body: `<?xml version="1.0"?><accessTokenDetails><accessToken>${token}</accessToken><expirationTime>`,
      contentType: "application/xml",
      format: "xml"
    },
    {
      name: "XML with a nested element where text belongs",
      body: `<accessTokenDetails><accessToken>${token}</accessToken><tokenType><x>${token}</x></tokenType></accessTokenDetails>`,
      contentType: "application/xml",
      format: "schema"
    },
    {
      name: "an HTML page quoting the token",
      body: `<html><body>token=${token}</body>`,
      contentType: "text/html",
      format: "xml"
    }
  ]
  for (const c of cases) {
    it.scopedLive(c.name, () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30 })
        sim.setFaults([{
          fault: Faults.body(c.body, { contentType: c.contentType }),
          match: (r) => r.path.startsWith("/Auth/")
        }])
        const logs = captureLogs()
        const client = yield* clientFor(sim, { auth: credentials })
        const error = yield* logs.provide(Effect.flip(client.listJobs()))
        expect(error).toMatchObject({ _tag: "DecodeError", operation: "login", format: c.format })
        const everything = [JSON.stringify(error), String(error), error.message, ...logs.lines].join("\n")
        expect(everything).not.toContain("SECRETTOKENVALUE")
        expect(everything).not.toContain("eyJzZWNyZXQiOnRydWV9")
        expect(everything).not.toContain(clientSecret)
      }).pipe(Effect.provide(live)))
  }

  it.scopedLive("a well-formed XML answer works (the endpoint answers XML when it likes)", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 30, staticTokens: ["xml-issued-token"] })
      sim.setFaults([{
        fault: Faults.body(
          `<?xml version="1.0"?><accessTokenDetails><accessToken>xml-issued-token</accessToken>` +
            `<expirationTime>Tue, Jul 21, 2099 09:08:17 PM GMT</expirationTime><tokenType>bearer</tokenType></accessTokenDetails>`,
          { contentType: "application/xml" }
        ),
        match: (r) => r.path.startsWith("/Auth/")
      }])
      const client = yield* clientFor(sim, { auth: credentials })
      const page = yield* client.listJobs()
      expect(page.bulkJobs.length).toBeGreaterThan(0)
      expect(sim.requests.at(-1)!.headers["accesstoken"]).toBe("xml-issued-token")
    }).pipe(Effect.provide(live)))
})
