/**
 * A secret echoed back by the server never leaves the library. For every
 * provider call, a simulator answers by repeating the request — its headers
 * (token, Basic credentials, CSRF token, cookies), its URL (session id,
 * client secret) and its body (password) — raw, percent- and form-encoded,
 * base64 and JSON-escaped, inside JSON, XML, HTML and text error bodies
 * (400, 401, 500, a 429 with Retry-After), inside a 200 whose body does not
 * parse (the DecodeError excerpt) and inside a response header a provider
 * reads. Nothing derived from those answers — errors, logs at every level,
 * spans — holds a secret in any of those forms.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { InsideViewClient } from "@jobstream/insideview"
import { Faults, GreenArrowSimulator, Hostile, IcwsSimulator, InsideViewSimulator, Server } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import {
  attempt,
  audited,
  clientKinds,
  findLeaks,
  httpClient,
  icwsClient,
  inAllForms,
  surfaces,
  type Target,
  targets
} from "./support.js"

const secretHeaderNames = ["accesstoken", "authorization", "cookie", "inin-icws-csrf-token"]

/** The secret-bearing parts of a request, first (so they fall within a DecodeError's excerpt). */
const secretParts = (req: Server.SimRequest): ReadonlyArray<string | undefined> => [
  ...secretHeaderNames.map((name) => req.headers[name]),
  `${req.url.pathname}${req.url.search}`,
  req.body
]

/** A header-safe copy of the first secret-bearing header (for an echo into Content-Type). */
const firstSecret = (req: Server.SimRequest): string =>
  (secretParts(req).find((v) => v !== undefined && v !== "") ?? "none").replace(/[^\x21-\x7e]/g, "_")

interface Scenario {
  readonly label: string
  readonly fault: Faults.Fault
  /** The error the call should end with (when it surfaces), by tag; undefined when it depends on the call. */
  readonly tag?: ApiError.ApiError["_tag"]
}

const formats: ReadonlyArray<Hostile.EchoFormat> = ["json", "xml", "html", "text"]

const statusTags: ReadonlyArray<readonly [number, ApiError.ApiError["_tag"]]> = [
  [400, "BadRequest"],
  [401, "Unauthorized"],
  [500, "ServerError"]
]

const scenarios: ReadonlyArray<Scenario> = [
  ...formats.flatMap((format) =>
    statusTags.map(([status, tag]): Scenario => ({
      label: `${status}, ${format} body repeating the request`,
      fault: Hostile.echo({ status, format }),
      tag
    }))
  ),
  {
    label: "429 with Retry-After, JSON body repeating the request",
    fault: Hostile.echo({ status: 429, format: "json", headers: { "Retry-After": "120" } }),
    tag: "RateLimited"
  },
  ...Hostile.echoForms.map((form): Scenario => ({
    label: `200 whose body does not parse and starts with the request's secrets (${form})`,
    fault: Hostile.echo({ status: 200, format: "text", contentType: "application/json", values: secretParts, forms: [form] })
  })),
  {
    label: "200 whose Content-Type repeats a secret",
    fault: Hostile.echo({
      status: 200,
      format: "text",
      values: secretParts,
      forms: ["raw"],
      headers: (req) => ({ "Content-Type": `text/x-${firstSecret(req)}` })
    })
  },
  {
    label: "500 whose Location and Retry-After repeat a secret",
    fault: Hostile.echo({
      status: 500,
      format: "text",
      values: secretParts,
      headers: (req) => ({ Location: `http://127.0.0.1:1/${firstSecret(req)}`, "Retry-After": firstSecret(req) })
    }),
    tag: "ServerError"
  }
]

const run = (target: Target) =>
  Effect.gen(function*() {
    const { run, secrets: secretsOf, sim } = yield* target.start()
    let echoed = 0
    const audit = yield* audited((errors) =>
      Effect.gen(function*() {
        for (const scenario of scenarios) {
          sim.clearLog()
          sim.setFaults([{ fault: scenario.fault, match: target.match }])
          const error = yield* attempt(errors, run())
          const hit = sim.requests.filter(target.match)
          expect(hit.length, `${target.label} / ${scenario.label}: the hostile answer was sent`).toBeGreaterThan(0)
          const secrets = secretsOf()
          if (hit.some((r) => secrets.some((s) => Hostile.dump(r).includes(s)))) echoed++
          if (surfaces(target) && scenario.tag !== undefined) {
            expect((error as ApiError.ApiError | undefined)?._tag, `${target.label} / ${scenario.label}`).toBe(scenario.tag)
          }
        }
        sim.setFaults([])
      })
    )
    // The echoes did carry the secrets (so a clean audit means something).
    expect(echoed).toBe(scenarios.length)
    if (surfaces(target)) expect(audit.errors.length).toBeGreaterThanOrEqual(scenarios.filter((s) => s.tag !== undefined).length)
    expect(findLeaks(inAllForms(secretsOf()), audit.texts())).toEqual([])
  })

describe("echoed secrets never leave the library", () => {
  for (const target of targets) {
    for (const kind of clientKinds) {
      it.live(`${target.label} [${kind}]`, () => run(target).pipe(Effect.scoped, Effect.provide(httpClient(kind))))
    }
  }

  it.live("insideview, 8 pages in flight, XML: every page echoes the token into a 500", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 200 })
      const audit = yield* audited((errors) =>
        Effect.gen(function*() {
          const client = yield* InsideViewClient.make({
            baseUrl: sim.url,
            authBaseUrl: sim.url,
            auth: InsideViewClient.Auth.credentials("sim-client", Redacted.make("sim-secret")),
            retryPolicy: RetryPolicy.immediate(2),
            pageSize: 10,
            concurrency: 8,
            format: "xml"
          }).pipe(Effect.orDie)
          sim.setFaults([{
            fault: Hostile.echo({ status: 500, format: "xml" }),
            match: (r) => r.path === "/api/v1/admin/jobs" && r.query.get("page") !== "1"
          }])
          yield* attempt(errors, Stream.runDrain(client.jobs()))
        }).pipe(Effect.scoped)
      )
      expect(audit.errors.map((e) => (e as ApiError.ApiError)._tag)).toEqual(["ServerError"])
      // Several pages failed concurrently, each retried twice.
      expect(sim.requests.filter((r) => r.status === 500).length).toBeGreaterThanOrEqual(8)
      expect(findLeaks(inAllForms(["sim-secret", ...sim.issuedTokens]), audit.texts())).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(httpClient("fetch"))))

  it.live("insideview: a login answer whose expirationTime repeats the client secret (logged as unreadable)", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 5,
        faults: [{
          fault: Faults.respond((req) =>
            Server.json(200, {
              accessTokenDetails: {
                accessToken: "echo-token-1234",
                // The secret as sent: in the form body (the default) or the query.
                expirationTime: `never ${new URLSearchParams(req.body).get("clientSecret") ?? req.query.get("clientSecret")}`
              }
            })
          ),
          match: (r) => r.path.startsWith("/Auth/login/")
        }]
      })
      const audit = yield* audited((errors) =>
        Effect.gen(function*() {
          const client = yield* InsideViewClient.make({
            baseUrl: sim.url,
            authBaseUrl: sim.url,
            auth: InsideViewClient.Auth.credentials("sim-client", Redacted.make("sim-secret")),
            retryPolicy: RetryPolicy.none
          }).pipe(Effect.orDie)
          yield* attempt(errors, client.listJobs())
        }).pipe(Effect.scoped)
      )
      expect(audit.logs.records.some((r) => r.text.includes("expirationTime") && r.text.includes("never <redacted>"))).toBe(true)
      expect(findLeaks(inAllForms(["sim-secret"]), audit.texts())).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(httpClient("fetch"))))

  it.live("messages a provider cuts itself: a secret straddling the cut is not half-quoted", () =>
    Effect.gen(function*() {
      // GreenArrow: success:false in a 200 (the envelope's message, cut at 500 characters).
      const ga = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 5 })
      const gaKey = GreenArrowSimulator.defaultKeys[0]!
      // The secret's first half falls before the cut at 500 characters, its second half after.
      const straddle = (secret: string) => `${"x".repeat(500 - Math.ceil(secret.length / 2))}${secret}${"y".repeat(40)}`
      ga.setFaults([{
        fault: Faults.body(JSON.stringify({ success: false, error_code: "weird", error_message: straddle(gaKey.apiKey) })),
        match: (r) => r.path.startsWith("/ga/api/v2/")
      }])
      // ICWS: a 503 on connect whose message is cut the same way.
      const ic = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      ic.setFaults([{
        fault: Faults.respond(() =>
          Server.json(503, { errorId: "error.server.busy", message: straddle("s3cret-pw") }, { "Content-Type": IcwsSimulator.mediaType })
        ),
        match: (r) => r.method === "POST" && r.path.endsWith("/icws/connection")
      }])
      const audit = yield* audited((errors) =>
        Effect.gen(function*() {
          const client = yield* GreenArrowClient.make({
            baseUrl: ga.url,
            auth: { _tag: "Key", organizationId: gaKey.organizationId, apiKey: Redacted.make(gaKey.apiKey) },
            retryPolicy: RetryPolicy.none
          }).pipe(Effect.orDie)
          yield* attempt(errors, Stream.runDrain(client.jobs()))
          yield* attempt(errors, Effect.scoped(Effect.flatMap(icwsClient(ic), (c) => c.getJob("x"))))
        })
      )
      expect(audit.errors.map((e) => (e as ApiError.ApiError)._tag)).toEqual(["UnexpectedStatus", "ServerError"])
      for (const error of audit.errors as ReadonlyArray<ApiError.ServerError>) {
        expect(error.providerMessage).toMatch(/^x+<red[a-z>]*…$/)
      }
      // Any 4 characters of the secrets' beginnings would be too many.
      const pieces = [gaKey.apiKey.slice(0, 6), "s3cret"]
      expect(findLeaks(pieces, audit.texts())).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(httpClient("fetch"))))
})
