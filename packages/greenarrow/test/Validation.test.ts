/**
 * Every invalid input of the GreenArrow client, table by table, against the
 * simulator over real HTTP: the exact error, a message naming the parameter
 * (or option, or variable) without any key, and no request sent. Also the
 * input forms the API documents (UNIX seconds), the one rule for
 * `GREENARROW_API_KEY`, impossible dates in server data, and the envelope's
 * request errors kept apart by their real `error_code`.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { type ApiError, ClientOptions, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { Faults, GreenArrowSimulator } from "@jobstream/testkit"
import { ConfigProvider, Effect, Layer, Redacted, Stream } from "effect"

const [orgAdmin1, , sysAdmin] = GreenArrowSimulator.defaultKeys as [
  GreenArrowSimulator.GreenArrowSimKey,
  GreenArrowSimulator.GreenArrowSimKey,
  GreenArrowSimulator.GreenArrowSimKey
]
const secret = "ga-secret-key-0042"
const encoded = (org: number | string, key: string) => Buffer.from(`${org}:${key}`).toString("base64")
const keyAuth = (k: GreenArrowSimulator.GreenArrowSimKey): GreenArrowClient.Auth => ({
  _tag: "Key",
  organizationId: k.organizationId,
  apiKey: Redacted.make(k.apiKey)
})

const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), (c) => Array.from(c))
const listRequests = (s: GreenArrowSimulator.GreenArrowServer) => s.requests.filter((r) => r.path.startsWith("/ga/api/v2/"))

/** [case, options, path, message] */
const badOptions: ReadonlyArray<readonly [string, Partial<GreenArrowClient.Options>, string, string]> = [
  ["ftp base URL", { baseUrl: "ftp://x" }, "baseUrl", `uses the "ftp" scheme; only http and https are supported`],
  ["base URL with user info", { baseUrl: `https://1:${secret}@studio` }, "baseUrl", `must not contain user info ("user:password@"); credentials have options of their own`],
  ["base URL with a query", { baseUrl: "https://h/?q=1" }, "baseUrl", `must not have a query ("?…"): "https://h/"`],
  ["base URL with a fragment", { baseUrl: "https://h/#f" }, "baseUrl", `must not have a fragment ("#…"): "https://h/"`],
  ["base URL that is not a URL", { baseUrl: "not a url" }, "baseUrl", `"not a url" is not an absolute http(s) URL such as "https://api.example.com"`],
  ["empty API key", { auth: { _tag: "Key", organizationId: 1, apiKey: Redacted.make("") } }, "auth.apiKey", "must not be empty"],
  ["blank API key", { auth: { _tag: "Key", organizationId: 1, apiKey: Redacted.make("   ") } }, "auth.apiKey", "must not be blank (only whitespace)"],
  ["organization id 0", { auth: { _tag: "Key", organizationId: 0, apiKey: Redacted.make(secret) } }, "auth.organizationId", "0 is not an organization id (a positive whole number)"],
  ["organization id with a colon", { auth: { _tag: "Key", organizationId: "1:2", apiKey: Redacted.make(secret) } }, "auth.organizationId", `"1:2" is not an organization id (a positive whole number)`],
  ["empty encoded key", { auth: { _tag: "Encoded", encoded: Redacted.make("") } }, "auth.encoded", "must not be empty"],
  [
    "encoded key that is not base64 of org:key",
    { auth: { _tag: "Encoded", encoded: Redacted.make(secret) } },
    "auth.encoded",
    `is not an encoded key: expected base64 of "<organization id>:<key>" (the value is not shown)`
  ],
  [
    "encoded key without an organization",
    { auth: { _tag: "Encoded", encoded: Redacted.make(encoded("abc", secret)) } },
    "auth.encoded",
    `is not an encoded key: expected base64 of "<organization id>:<key>" (the value is not shown)`
  ],
  ["pageSize 0", { pageSize: 0 }, "pageSize", "0 is below the minimum 1"],
  ["pageSize 2001 (no silent clamp)", { pageSize: 2001 }, "pageSize", "2001 is above the maximum 2000"],
  ["fractional pageSize", { pageSize: 10.5 }, "pageSize", "10.5 is not a whole number"],
  ["unknown pagination", { pagination: "cursor" as "token" }, "pagination", `"cursor" is not one of "token", "pages"`],
  ["concurrency 0", { concurrency: 0 }, "concurrency", "0 is below the minimum 1"],
  ["concurrency 65", { concurrency: 65 }, "concurrency", "65 is above the maximum 64"],
  ["unknown array encoding", { arrayEncoding: "semicolon" as "comma" }, "arrayEncoding", `"semicolon" is not one of "brackets", "repeat", "comma"`],
  ["zero timeout", { timeout: "0 seconds" }, "timeout", `"0 seconds" must be more than zero`],
  ["negative deadline", { deadline: -1 }, "deadline", "-1 is not a duration of zero or more"],
  ["zero maxBodyBytes", { maxBodyBytes: 0 }, "maxBodyBytes", "0 is below the minimum 1"],
  ["transformClient that is not a function", { transformClient: 5 as never }, "transformClient", "5 is not a function"]
]

describe("options are checked when the client is built", () => {
  it.live("each bad option is a ConfigError naming it, without the key, and nothing is sent", () =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 5 })
      for (const [name, options, path, message] of badOptions) {
        const error = yield* Effect.flip(GreenArrowClient.make({ baseUrl: s.url, auth: keyAuth(orgAdmin1), ...options }))
        expect({ name, problems: ClientOptions.problems(error) }).toEqual({ name, problems: [{ path, message }] })
        for (const text of [String(error), JSON.stringify(error)]) {
          expect(text).not.toContain(secret)
          expect(text).not.toContain(encoded(1, secret))
        }
      }
      const all = yield* Effect.flip(
        Layer.build(GreenArrowClient.layer({ baseUrl: "ftp://x", auth: { _tag: "Encoded", encoded: Redacted.make("") }, pageSize: 5000 }))
      )
      expect(ClientOptions.format(all)).toBe(
        `baseUrl: uses the "ftp" scheme; only http and https are supported; auth.encoded: must not be empty; pageSize: 5000 is above the maximum 2000`
      )
      expect(s.requestCount).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("good base URLs are normalized (trailing slash, /ga/api/v2) and used", () =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 10 })
      for (const baseUrl of [`${s.url}/`, `${s.url}/ga/api/v2/`]) {
        const c = yield* GreenArrowClient.make({ baseUrl, auth: keyAuth(sysAdmin) })
        expect(yield* collect(c.jobs())).toHaveLength(10)
      }
      expect(listRequests(s).map((r) => r.path)).toEqual(["/ga/api/v2/jobs/all", "/ga/api/v2/jobs/all"])
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
})

describe("layerConfig: one rule for GREENARROW_API_KEY, and every problem names the variable", () => {
  const withEnv = (env: Record<string, string>) =>
    <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      effect.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
  const listWith = (env: Record<string, string>) =>
    Effect.flatMap(GreenArrowClient.GreenArrowClient, (c) => collect(c.jobs())).pipe(
      Effect.provide(GreenArrowClient.layerConfig()),
      Effect.provide(FetchHttpClient.layer),
      withEnv(env)
    )

  it.live("the key is read by its own form: plain (needs the organization) or encoded (the organization, if set, must match)", () =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 30 })
      const base = { GREENARROW_BASE_URL: s.url }
      const own = s.jobs.filter((j) => j.organization_id === 1).length
      const plain = yield* listWith({ ...base, GREENARROW_API_KEY: orgAdmin1.apiKey, GREENARROW_ORGANIZATION_ID: "1" })
      const enc = encoded(1, orgAdmin1.apiKey)
      const alone = yield* listWith({ ...base, GREENARROW_API_KEY: enc })
      const matching = yield* listWith({ ...base, GREENARROW_API_KEY: enc, GREENARROW_ORGANIZATION_ID: "1" })
      const withBasic = yield* listWith({ ...base, GREENARROW_API_KEY: `Basic ${enc}` })
      expect([plain.length, alone.length, matching.length, withBasic.length]).toEqual([own, own, own, own])
      // Whatever else was set, the same Authorization went out every time.
      expect(new Set(listRequests(s).map((r) => r.headers["authorization"]))).toEqual(new Set([`Basic ${enc}`]))
    }).pipe(Effect.scoped))

  it.live("missing, empty, blank, conflicting and malformed variables", () =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 5 })
      const base = { GREENARROW_BASE_URL: s.url }
      const key = { ...base, GREENARROW_API_KEY: secret, GREENARROW_ORGANIZATION_ID: "1" }
      const table: ReadonlyArray<readonly [Record<string, string>, string, string]> = [
        [{ GREENARROW_API_KEY: secret, GREENARROW_ORGANIZATION_ID: "1" }, "GREENARROW_BASE_URL", "is not set"],
        [{ ...key, GREENARROW_BASE_URL: "ftp://x" }, "GREENARROW_BASE_URL", `uses the "ftp" scheme; only http and https are supported`],
        [{ ...key, GREENARROW_BASE_URL: `https://1:${secret}@h` }, "GREENARROW_BASE_URL", `must not contain user info ("user:password@"); credentials have options of their own`],
        [base, "GREENARROW_API_KEY", "is not set"],
        [{ ...base, GREENARROW_API_KEY: "" }, "GREENARROW_API_KEY", "must not be empty"],
        [{ ...base, GREENARROW_API_KEY: " \t" }, "GREENARROW_API_KEY", "must not be blank (only whitespace)"],
        [
          { ...base, GREENARROW_API_KEY: secret },
          "GREENARROW_ORGANIZATION_ID",
          `is needed: GREENARROW_API_KEY is a plain key (an encoded key would be base64 of "<organization id>:<key>")`
        ],
        [
          { ...base, GREENARROW_API_KEY: encoded(1, secret), GREENARROW_ORGANIZATION_ID: "2" },
          "GREENARROW_ORGANIZATION_ID",
          `"2" differs from the organization 1 inside GREENARROW_API_KEY (an encoded key); unset it or fix it`
        ],
        [{ ...key, GREENARROW_ORGANIZATION_ID: "acme" }, "GREENARROW_ORGANIZATION_ID", `"acme" is not an organization id (a positive whole number)`],
        [{ ...key, GREENARROW_PER_PAGE: "0" }, "GREENARROW_PER_PAGE", "0 is below the minimum 1"],
        [{ ...key, GREENARROW_PER_PAGE: "2001" }, "GREENARROW_PER_PAGE", "2001 is above the maximum 2000"],
        [{ ...key, GREENARROW_PER_PAGE: "ten" }, "GREENARROW_PER_PAGE", `"ten" is not a whole number`],
        [{ ...key, GREENARROW_PAGINATION: "cursor" }, "GREENARROW_PAGINATION", `"cursor" is not one of "token", "pages"`],
        [{ ...key, GREENARROW_TIMEOUT: "0 seconds" }, "GREENARROW_TIMEOUT", `"0 seconds" must be more than zero`],
        [{ ...key, GREENARROW_TIMEOUT: "soon" }, "GREENARROW_TIMEOUT", `"soon" is not a duration (e.g. "30 seconds", "500 millis", or a number of millis)`]
      ]
      for (const [env, path, message] of table) {
        const error = yield* Effect.flip(Layer.build(GreenArrowClient.layerConfig()).pipe(
          Effect.provide(FetchHttpClient.layer),
          withEnv(env)
        ))
        expect({ env, problems: ClientOptions.problems(error) }).toEqual({ env, problems: [{ path, message }] })
        expect(JSON.stringify(error)).not.toContain(secret)
      }
      expect(s.requestCount).toBe(0)
    }).pipe(Effect.scoped))
})

describe("queries", () => {
  it.live("UNIX seconds (number or digits) are sent as given and select what the server selects", () =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 80 })
      const c = yield* GreenArrowClient.make({ baseUrl: s.url, auth: keyAuth(sysAdmin) })
      const after = Math.floor(Date.parse(s.jobs[20]!.begins_at!) / 1000)
      const before = String(after + 36 * 3600)
      const jobs = yield* collect(c.jobs({ beginsAfter: after, beginsBefore: before }))
      const expected = s.jobs.filter((j) =>
        Date.parse(j.begins_at!) > after * 1000 && Date.parse(j.begins_at!) < Number(before) * 1000
      )
      expect(expected.length).toBeGreaterThan(0)
      expect(jobs.map((j) => j.id)).toEqual(expected.map((j) => j.id))
      const q = listRequests(s)[0]!.query
      expect([q.get("begins_at__after"), q.get("begins_at__before")]).toEqual([String(after), before])
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  it.live("an impossible date or a bad filter is an InvalidRequest naming each parameter; nothing is sent", () =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 5 })
      const c = yield* GreenArrowClient.make({ baseUrl: s.url, auth: keyAuth(sysAdmin) })
      const error = yield* Effect.flip(collect(c.jobs({
        beginsAfter: "2014-02-30T10:00:00Z",
        finishedBefore: 1_714_557_600_000,
        perPage: 5000
      })))
      expect(error).toMatchObject({
        _tag: "InvalidRequest",
        provider: "greenarrow",
        operation: "listJobs",
        problems: [
          { parameter: "beginsAfter", message: `"2014-02-30T10:00:00Z" is not a real date (February 2014 has 28 days)` },
          {
            parameter: "finishedBefore",
            message: "1714557600000 is after the year 9999 as seconds since 1970 (is it in milliseconds?)"
          },
          { parameter: "perPage", message: "5000 is above the maximum 2000" }
        ]
      })
      expect(error.message.split("; ")).toHaveLength(3)
      expect(error.message).toMatch(/^greenarrow\.listJobs: invalid request: beginsAfter: /)
      const getBad = yield* Effect.flip(c.getJob("12x"))
      expect(getBad).toMatchObject({ _tag: "InvalidRequest", problems: [{ parameter: "id", message: `"12x" is not a job id (a whole number ≥ 0)` }] })
      expect(s.requestCount).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
})

describe("server data and envelope errors", () => {
  it.live("an impossible timestamp in a record is a DecodeError naming the field", () =>
    Effect.gen(function*() {
      const s = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 5, organizations: [1] })
      s.upsertJobs([{ ...s.jobs[0]!, created_at: "2014-02-30T10:00:00Z" }])
      const c = yield* GreenArrowClient.make({ baseUrl: s.url, auth: keyAuth(orgAdmin1) })
      const error = yield* Effect.flip(collect(c.jobs()))
      expect(error).toMatchObject({ _tag: "DecodeError", format: "schema", provider: "greenarrow" })
      expect(error.message).toContain(`[0].created_at: "2014-02-30T10:00:00Z" is not a real date (February 2014 has 28 days)`)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))

  const envelope = (code: string) =>
    JSON.stringify({ success: false, data: null, error_code: code, error_message: `about ${code}` })
  const requestCodes = ["validation_failed", "invalid_request", "requested_too_many"] as const

  for (const status of [200, 400, 422]) {
    it.live(`HTTP ${status}: validation_failed, invalid_request and requested_too_many keep their real code and are told apart`, () =>
      Effect.gen(function*() {
        const s = yield* GreenArrowSimulator.makeGreenArrow({
          jobs: 5,
          faults: requestCodes.map((code, i) => Faults.onRequests([i + 1], Faults.body(envelope(code), { status })))
        })
        const c = yield* GreenArrowClient.make({ baseUrl: s.url, auth: keyAuth(sysAdmin), retryPolicy: RetryPolicy.immediate(2) })
        const errors: Array<ApiError.ApiError> = []
        for (const _ of requestCodes) errors.push(yield* Effect.flip(collect(c.jobs())))
        expect(errors.map((e) => [e._tag, e.status, e.providerCode, GreenArrowClient.errorCodeOf(e)])).toEqual(
          requestCodes.map((code) => ["BadRequest", 400, code, code])
        )
        expect(new Set(errors.map((e) => e.providerCode)).size).toBe(3)
        for (const [i, e] of errors.entries()) expect(e.message).toContain(`provider said: ${requestCodes[i]} about ${requestCodes[i]}`)
        // None of them is retried.
        expect(s.requestCount).toBe(3)
      }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
  }
})
