/**
 * Every invalid input of the ICWS client, table by table, against the
 * simulator over real HTTP: the exact error, a message naming the parameter
 * (or option, or variable) without the password, and no request sent (no
 * login either). Also impossible dates in server data.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { ClientOptions } from "@jobstream/core"
import { IcwsClient, IcwsSession } from "@jobstream/icws"
import { IcwsSimulator } from "@jobstream/testkit"
import { ConfigProvider, Effect, Layer, Redacted, Stream } from "effect"
import { options, withClient } from "./helpers.js"

const secret = "icws-secret-pw-0042"

/** [case, options, path, message] */
const badOptions: ReadonlyArray<readonly [string, Partial<IcwsClient.Options>, string, string]> = [
  ["ftp base URL", { baseUrl: "ftp://x" }, "baseUrl", `uses the "ftp" scheme; only http and https are supported`],
  ["base URL with user info", { baseUrl: `http://agent:${secret}@cic1:8018` }, "baseUrl", `must not contain user info ("user:password@"); credentials have options of their own`],
  ["base URL with a query", { baseUrl: "https://h/?q=1" }, "baseUrl", `must not have a query ("?…"): "https://h/"`],
  ["base URL with a fragment", { baseUrl: "https://h/#f" }, "baseUrl", `must not have a fragment ("#…"): "https://h/"`],
  ["base URL that is not a URL", { baseUrl: "not a url" }, "baseUrl", `"not a url" is not an absolute http(s) URL such as "https://api.example.com"`],
  ["host:port without a scheme", { baseUrl: "cic1:8018" }, "baseUrl", `uses the "cic1" scheme; only http and https are supported`],
  ["empty user", { user: "" }, "user", "must not be empty"],
  ["blank user", { user: "  " }, "user", "must not be blank (only whitespace)"],
  ["empty password", { password: Redacted.make("") }, "password", "must not be empty"],
  ["blank password", { password: Redacted.make("\t") }, "password", "must not be blank (only whitespace)"],
  ["blank application name", { applicationName: " " }, "applicationName", "must not be blank (only whitespace)"],
  ["language with a line break", { language: "en-us\r\nX-Evil: 1" }, "language", `"en-us\\r\\nX-Evil: 1" is not a language tag such as "en-us"`],
  ["maxAlternates -1 (no silent clamp)", { maxAlternates: -1 }, "maxAlternates", "-1 is below the minimum 0"],
  ["maxAlternates 17", { maxAlternates: 17 }, "maxAlternates", "17 is above the maximum 16"],
  ["pageSize 0", { pageSize: 0 }, "pageSize", "0 is below the minimum 1"],
  ["pageSize 10001", { pageSize: 10_001 }, "pageSize", "10001 is above the maximum 10000"],
  ["zero timeout", { timeout: 0 }, "timeout", "0 must be more than zero"],
  ["zero deadline", { deadline: "0 seconds" }, "deadline", `"0 seconds" must be more than zero`],
  ["fractional maxBodyBytes", { maxBodyBytes: 1.5 }, "maxBodyBytes", "1.5 is not a whole number"],
  ["transformClient that is not a function", { transformClient: {} as never }, "transformClient", "an object is not a function"]
]

describe("options are checked when the client is built", () => {
  it.live("each bad option is a ConfigError naming it, without the password; no login is attempted", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      for (const [name, extra, path, message] of badOptions) {
        const error = yield* Effect.flip(
          Layer.build(IcwsClient.layer(options(sim, { password: Redacted.make(secret), ...extra })))
        )
        expect({ name, problems: ClientOptions.problems(error) }).toEqual({ name, problems: [{ path, message }] })
        for (const text of [String(error), JSON.stringify(error)]) expect(text).not.toContain(secret)
      }
      const make = yield* Effect.flip(IcwsClient.make(options(sim, { baseUrl: "ftp://x", user: "", pageSize: 0 })))
      expect(ClientOptions.format(make)).toBe(
        `baseUrl: uses the "ftp" scheme; only http and https are supported; user: must not be empty; pageSize: 0 is below the minimum 1`
      )
      const session = yield* Effect.flip(IcwsSession.make(options(sim, { baseUrl: "ftp://x", user: "" })))
      expect(ClientOptions.format(session)).toBe(
        `baseUrl: uses the "ftp" scheme; only http and https are supported; user: must not be empty`
      )
      expect(sim.requestCount).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("a base URL with a trailing slash is normalized and used", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 7 })
      const n = yield* withClient(sim, (c) => Stream.runCount(c.jobs()), { baseUrl: `${sim.url}/` })
      expect(n).toBe(7)
      expect(sim.requests[0]!.path).toBe("/icws/connection")
    }).pipe(Effect.scoped))
})

describe("layerConfig names the variable", () => {
  it.live("missing, empty, blank and malformed variables", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      const env = { ICWS_BASE_URL: sim.url, ICWS_USER: "agent", ICWS_PASSWORD: secret }
      const without = (name: keyof typeof env) => Object.fromEntries(Object.entries(env).filter(([k]) => k !== name))
      const table: ReadonlyArray<readonly [Record<string, string>, string, string]> = [
        [without("ICWS_BASE_URL"), "ICWS_BASE_URL", "is not set"],
        [without("ICWS_USER"), "ICWS_USER", "is not set"],
        [without("ICWS_PASSWORD"), "ICWS_PASSWORD", "is not set"],
        [{ ...env, ICWS_BASE_URL: "ftp://x" }, "ICWS_BASE_URL", `uses the "ftp" scheme; only http and https are supported`],
        [{ ...env, ICWS_BASE_URL: `https://agent:${secret}@cic1` }, "ICWS_BASE_URL", `must not contain user info ("user:password@"); credentials have options of their own`],
        [{ ...env, ICWS_USER: "" }, "ICWS_USER", "must not be empty"],
        [{ ...env, ICWS_PASSWORD: "" }, "ICWS_PASSWORD", "must not be empty"],
        [{ ...env, ICWS_PASSWORD: "   " }, "ICWS_PASSWORD", "must not be blank (only whitespace)"],
        [{ ...env, ICWS_APPLICATION_NAME: " " }, "ICWS_APPLICATION_NAME", "must not be blank (only whitespace)"],
        [{ ...env, ICWS_LANGUAGE: "en us" }, "ICWS_LANGUAGE", `"en us" is not a language tag such as "en-us"`]
      ]
      for (const [vars, path, message] of table) {
        const error = yield* Effect.flip(
          Layer.build(IcwsClient.layerConfig()).pipe(
            Effect.provide(FetchHttpClient.layer),
            Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(vars))))
          )
        )
        expect({ vars, problems: ClientOptions.problems(error) }).toEqual({ vars, problems: [{ path, message }] })
        expect(JSON.stringify(error)).not.toContain(secret)
      }
      expect(sim.requestCount).toBe(0)
    }).pipe(Effect.scoped))
})

describe("queries and arguments", () => {
  it.live("bad list queries, modes, job ids and job configurations are InvalidRequests naming each parameter", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      const problems = yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          const flip = <A>(e: Effect.Effect<A, { readonly _tag: string }>) =>
            Effect.map(Effect.flip(e), (error) => (error._tag === "InvalidRequest" ? (error as { problems?: unknown }).problems : error._tag))
          return [
            yield* flip(Stream.runDrain(c.jobs({ jobCount: 0, mode: "full" as "all" }))),
            yield* flip(Stream.runDrain(c.jobs({ jobCount: 10_001 }))),
            yield* flip(Stream.runDrain(c.jobs({ fromJobId: "x" } as never))),
            yield* flip(c.getJob("x", "everything" as "all")),
            yield* flip(c.getJob(" ")),
            yield* flip(c.cancelJob("")),
            yield* flip(c.submitJob({
              name: " ",
              submittedUserId: "agent",
              tables: { tableList: [{ name: "T", column: [{ name: "" }] }] },
              startTimeFilter: new Date("2024-05-02T00:00:00Z"),
              endTimeFilter: new Date("2024-05-01T00:00:00Z")
            }))
          ]
        }))
      expect(problems).toEqual([
        [
          { parameter: "mode", message: `"full" is not one of "configuration", "status", "all"` },
          { parameter: "jobCount", message: "0 is below the minimum 1" }
        ],
        [{ parameter: "jobCount", message: "10001 is above the maximum 10000" }],
        [{ parameter: "fromJobId", message: "is not a known parameter (known: mode, jobCount)" }],
        [{ parameter: "mode", message: `"everything" is not one of "configuration", "status", "all"` }],
        [{ parameter: "jobId", message: "must not be blank (only whitespace)" }],
        [{ parameter: "jobId", message: "must not be empty" }],
        [
          { parameter: "name", message: "must not be blank (only whitespace)" },
          { parameter: "tables.tableList[0].column[0].name", message: "must not be empty" },
          { parameter: "startTimeFilter", message: "2024-05-02T00:00:00.000Z is after endTimeFilter 2024-05-01T00:00:00.000Z" }
        ]
      ])
      // The session was never needed: nothing reached the server.
      expect(sim.requestCount).toBe(0)
    }).pipe(Effect.scoped))
})

describe("dates in server data", () => {
  it.live("an impossible date in a job status is a DecodeError naming the field", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      sim.jobs[0]!.status.submitTime = "2014-02-30T10:00:00Z"
      const error = yield* withClient(sim, (c) => Effect.flip(Stream.runDrain(c.jobs())))
      expect(error).toMatchObject({ _tag: "DecodeError", format: "schema", provider: "icws" })
      expect(error.message).toContain("jobList[")
      expect(error.message).toContain("submitTime")
      expect(error.message).toContain("2014-02-30T10:00:00Z")
    }).pipe(Effect.scoped))
})
