/**
 * Every invalid input of the InsideView client, table by table, against the
 * simulator over real HTTP: the exact error, a message naming the parameter
 * (or option, or variable) without any secret, and no request sent.
 *
 * - options of `make` / `layer` → `ConfigError` (`InvalidData`) whose path is the option;
 * - the environment of `layerConfig` → `ConfigError` whose path is the variable;
 * - queries → `InvalidRequest` with one problem per parameter (see also JobsQuery.test.ts);
 * - impossible dates in server data (JSON and XML) → `DecodeError`.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { ClientOptions } from "@jobstream/core"
import { InsideViewClient } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { clientFor, collect, fixedToken, listRequests } from "./utils.js"

const secret = "iv-secret-value-0042"
const auth = InsideViewClient.Auth.token(Redacted.make(secret))

/** [case, options, path, message] — message is the whole text of the one problem. */
const badOptions: ReadonlyArray<readonly [string, Partial<InsideViewClient.Options>, string, string]> = [
  ["empty token", { auth: InsideViewClient.Auth.token(Redacted.make("")) }, "auth.accessToken", "must not be empty"],
  ["blank token", { auth: InsideViewClient.Auth.token(Redacted.make(" \t ")) }, "auth.accessToken", "must not be blank (only whitespace)"],
  [
    "blank client id",
    { auth: InsideViewClient.Auth.credentials("  ", Redacted.make(secret)) },
    "auth.clientId",
    "must not be blank (only whitespace)"
  ],
  ["empty client secret", { auth: InsideViewClient.Auth.credentials("id", Redacted.make("")) }, "auth.clientSecret", "must not be empty"],
  ["ftp base URL", { baseUrl: "ftp://x" }, "baseUrl", `uses the "ftp" scheme; only http and https are supported`],
  [
    "base URL with user info",
    { baseUrl: `https://u:${secret}@host` },
    "baseUrl",
    `must not contain user info ("user:password@"); credentials have options of their own`
  ],
  ["base URL with a query", { baseUrl: "https://h/?q=1" }, "baseUrl", `must not have a query ("?…"): "https://h/"`],
  ["base URL with a fragment", { baseUrl: "https://h/#f" }, "baseUrl", `must not have a fragment ("#…"): "https://h/"`],
  ["base URL that is not a URL", { baseUrl: "not a url" }, "baseUrl", `"not a url" is not an absolute http(s) URL such as "https://api.example.com"`],
  ["empty base URL", { baseUrl: "" }, "baseUrl", "must not be empty"],
  ["auth base URL without scheme", { authBaseUrl: "login.insideview.com" }, "authBaseUrl", `"login.insideview.com" is not an absolute http(s) URL such as "https://api.example.com"`],
  ["unknown format", { format: "yaml" as "json" }, "format", `"yaml" is not one of "json", "xml"`],
  ["concurrency 0", { concurrency: 0 }, "concurrency", "0 is below the minimum 1"],
  ["concurrency 65", { concurrency: 65 }, "concurrency", "65 is above the maximum 64"],
  ["fractional concurrency", { concurrency: 1.5 }, "concurrency", "1.5 is not a whole number"],
  ["pageSize 0", { pageSize: 0 }, "pageSize", "0 is below the minimum 1"],
  ["pageSize 51 (no silent clamp)", { pageSize: 51 }, "pageSize", "51 is above the maximum 50"],
  ["unknown list encoding", { listEncoding: "csv" as "comma" }, "listEncoding", `"csv" is not one of "comma", "repeat"`],
  ["zero rateLimitWait", { rateLimitWait: "0 seconds" }, "rateLimitWait", `"0 seconds" must be more than zero`],
  ["unreadable maxRetryAfter", { maxRetryAfter: "soon" as never }, "maxRetryAfter", `"soon" is not a duration (e.g. "30 seconds", "500 millis", or a number of millis)`],
  ["zero timeout", { timeout: 0 }, "timeout", "0 must be more than zero"],
  ["negative timeout", { timeout: -5 }, "timeout", "-5 is not a duration of zero or more"],
  ["infinite timeout", { timeout: Duration.infinity }, "timeout", "Duration Infinity is not finite"],
  ["zero deadline", { deadline: "0 millis" }, "deadline", `"0 millis" must be more than zero`],
  ["zero maxBodyBytes", { maxBodyBytes: 0 }, "maxBodyBytes", "0 is below the minimum 1"],
  ["negative tokenRefreshMargin", { tokenRefreshMargin: -1 }, "tokenRefreshMargin", "-1 is not a duration of zero or more"],
  ["transformClient that is not a function", { transformClient: "x" as never }, "transformClient", `"x" is not a function`]
]

describe("options are checked when the client is built", () => {
  it.scopedLive("each bad option is a ConfigError naming it, without the secret, and nothing is sent", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
      for (const [name, options, path, message] of badOptions) {
        const error = yield* Effect.flip(clientFor(sim, { auth, ...options }))
        expect({ name, problems: ClientOptions.problems(error) }).toEqual({ name, problems: [{ path, message }] })
        expect(error).toMatchObject({ _tag: "ConfigError", _op: "InvalidData" })
        for (const text of [String(error), JSON.stringify(error), ClientOptions.format(error)]) expect(text).not.toContain(secret)
      }
      expect(sim.requestCount).toBe(0)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("several bad options are reported together; layer() fails the same way", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
      const error = yield* Effect.flip(clientFor(sim, { baseUrl: "ftp://x", pageSize: 500, timeout: 0 }))
      expect(ClientOptions.format(error)).toBe(
        `baseUrl: uses the "ftp" scheme; only http and https are supported; pageSize: 500 is above the maximum 50; timeout: 0 must be more than zero`
      )
      const viaLayer = yield* Effect.flip(
        Layer.build(InsideViewClient.layer({ baseUrl: "https://u:p@h", auth })).pipe(Effect.scoped)
      )
      expect(ClientOptions.problems(viaLayer)).toEqual([
        { path: "baseUrl", message: `must not contain user info ("user:password@"); credentials have options of their own` }
      ])
      expect(sim.requestCount).toBe(0)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("a good base URL is normalized (trailing slash) and used; the bad one is not retried as a TransportError", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
      const client = yield* clientFor(sim, { baseUrl: `${sim.url}/`, auth: InsideViewClient.Auth.token(Redacted.make(fixedToken)) })
      expect((yield* client.listJobs()).bulkJobs).toHaveLength(5)
      expect(listRequests(sim)).toHaveLength(1)
      expect(listRequests(sim)[0]!.path).toBe("/api/v1/admin/jobs")
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})

describe("layerConfig names the variable", () => {
  const build = (env: Record<string, string>) =>
    Layer.build(InsideViewClient.layerConfig()).pipe(
      Effect.scoped,
      Effect.provide(FetchHttpClient.layer),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.flip
    )

  it.scopedLive("missing, empty, blank and malformed variables", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
      const url = { INSIDEVIEW_BASE_URL: sim.url, INSIDEVIEW_AUTH_BASE_URL: sim.url }
      const table: ReadonlyArray<readonly [Record<string, string>, string, string]> = [
        [url, "INSIDEVIEW_ACCESS_TOKEN", "set INSIDEVIEW_ACCESS_TOKEN, or INSIDEVIEW_CLIENT_ID and INSIDEVIEW_CLIENT_SECRET"],
        [{ ...url, INSIDEVIEW_ACCESS_TOKEN: "" }, "INSIDEVIEW_ACCESS_TOKEN", "must not be empty"],
        [{ ...url, INSIDEVIEW_ACCESS_TOKEN: "  " }, "INSIDEVIEW_ACCESS_TOKEN", "must not be blank (only whitespace)"],
        [{ ...url, INSIDEVIEW_CLIENT_ID: "sim-client" }, "INSIDEVIEW_CLIENT_SECRET", "is needed with INSIDEVIEW_CLIENT_ID (or set INSIDEVIEW_ACCESS_TOKEN instead)"],
        [{ ...url, INSIDEVIEW_CLIENT_SECRET: secret }, "INSIDEVIEW_CLIENT_ID", "is needed with INSIDEVIEW_CLIENT_SECRET (or set INSIDEVIEW_ACCESS_TOKEN instead)"],
        [{ ...url, INSIDEVIEW_CLIENT_ID: "id", INSIDEVIEW_CLIENT_SECRET: " " }, "INSIDEVIEW_CLIENT_SECRET", "must not be blank (only whitespace)"],
        [{ INSIDEVIEW_BASE_URL: "ftp://x", INSIDEVIEW_ACCESS_TOKEN: secret }, "INSIDEVIEW_BASE_URL", `uses the "ftp" scheme; only http and https are supported`],
        [{ INSIDEVIEW_BASE_URL: `https://a:${secret}@h`, INSIDEVIEW_ACCESS_TOKEN: "t" }, "INSIDEVIEW_BASE_URL", `must not contain user info ("user:password@"); credentials have options of their own`],
        [{ ...url, INSIDEVIEW_AUTH_BASE_URL: "https://h/#f", INSIDEVIEW_ACCESS_TOKEN: "t" }, "INSIDEVIEW_AUTH_BASE_URL", `must not have a fragment ("#…"): "https://h/"`],
        [{ ...url, INSIDEVIEW_ACCESS_TOKEN: "t", INSIDEVIEW_FORMAT: "yaml" }, "INSIDEVIEW_FORMAT", `"yaml" is not one of "json", "xml"`]
      ]
      for (const [env, path, message] of table) {
        const error = yield* build(env)
        expect({ env, problems: ClientOptions.problems(error) }).toEqual({ env, problems: [{ path, message }] })
        expect(JSON.stringify(error)).not.toContain(secret)
      }
      expect(sim.requestCount).toBe(0)
    }))

  it.scopedLive("a set token wins: the client-credential variables are then not read", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
      const page = yield* Effect.flatMap(InsideViewClient.InsideViewClient, (c) => c.listJobs()).pipe(
        Effect.provide(InsideViewClient.layerConfig()),
        Effect.provide(FetchHttpClient.layer),
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries({
          INSIDEVIEW_BASE_URL: `${sim.url}/`,
          INSIDEVIEW_ACCESS_TOKEN: fixedToken,
          INSIDEVIEW_CLIENT_ID: " ",
          INSIDEVIEW_CLIENT_SECRET: ""
        }))))
      )
      expect(page.bulkJobs).toHaveLength(5)
      expect(sim.logins).toBe(0)
    }))
})

describe("dates in server data", () => {
  const record = (createdDate: string): InsideViewSimulator.InsideViewJob => ({
    jobId: "job-1",
    jobType: "enrich",
    jobStatus: "finished",
    createdDate
  })

  for (const format of ["json", "xml"] as const) {
    it.scopedLive(`${format}: an impossible createdDate is a DecodeError naming the field, not a rolled-over date`, () =>
      Effect.gen(function*() {
        for (const [createdDate, why] of [
          ["2014-02-30", "is not a real date (February 2014 has 28 days)"],
          ["2014-02-30T10:00:00Z", "is not a real date (February 2014 has 28 days)"],
          ["2015-13-01", "is not a real date (month 13 does not exist)"],
          ["2015-06-01T24:00:00Z", "is not a real time (hour 24 is outside 0..23)"]
        ] as const) {
          const sim = yield* InsideViewSimulator.makeInsideView({ records: [record(createdDate)] })
          const client = yield* clientFor(sim, { format })
          const error = yield* Effect.flip(collect(client.jobs()))
          expect(error).toMatchObject({ _tag: "DecodeError", format: "schema", provider: "insideview" })
          expect(error.message).toContain(`"${createdDate}" ${why}`)
          expect(error.message).toMatch(/bulkJobs?\[0\]\.createdDate|createdDate/)
        }
      }).pipe(Effect.provide(FetchHttpClient.layer)))

    it.scopedLive(`${format}: real dates, with or without time and zone, decode and normalize to the right instant`, () =>
      Effect.gen(function*() {
        const dates = ["2016-02-29", "2016-09-15T03:36:05.000-07:00", "2016-09-15T10:36:05"]
        const sim = yield* InsideViewSimulator.makeInsideView({
          records: dates.map((d, i) => ({ ...record(d), jobId: `job-${i}` }))
        })
        const client = yield* clientFor(sim, { format })
        const jobs = yield* collect(client.normalizedJobs())
        expect(jobs.map((j) => j.createdAt?.toISOString())).toEqual([
          "2016-02-29T00:00:00.000Z",
          "2016-09-15T10:36:05.000Z",
          "2016-09-15T10:36:05.000Z"
        ])
      }).pipe(Effect.provide(FetchHttpClient.layer)))
  }
})

describe("queries are checked before anything is sent", () => {
  it.scopedLive("the InvalidRequest names every parameter in one line each and carries the problems", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
      const client = yield* clientFor(sim)
      const error = yield* Effect.flip(
        Stream.runDrain(client.jobs({ period: "day", start: "2014-02-30", resultsPerPage: 500 }))
      )
      expect(error).toMatchObject({
        _tag: "InvalidRequest",
        provider: "insideview",
        operation: "jobs",
        problems: [
          { parameter: "start", message: `"2014-02-30" is not a real date (February 2014 has 28 days)` },
          { parameter: "resultsPerPage", message: "500 is above the maximum 50" }
        ]
      })
      expect(error.message).toBe(
        `insideview.jobs: invalid request: start: "2014-02-30" is not a real date (February 2014 has 28 days); resultsPerPage: 500 is above the maximum 50`
      )
      expect(sim.requestCount).toBe(0)
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
