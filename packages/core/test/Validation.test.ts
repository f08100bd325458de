/**
 * Core's input checks: strict dates (`Dates`), one-line value checks
 * (`Validation`), option checks as `ConfigError`s (`ClientOptions`), and the
 * short wording of `InvalidRequest` / `DecodeError` (`ApiError`).
 */
import { describe, expect, it } from "@effect/vitest"
import { ApiError, ClientOptions, Dates, Validation } from "@jobstream/core"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"

const left = <A, E>(e: Either.Either<A, E>): E => {
  if (Either.isRight(e)) throw new Error(`expected a failure, got ${String(e.right)}`)
  return e.left
}

describe("Dates", () => {
  const strict = { zone: "required", dateOnly: true } as const
  it("refuses impossible dates, times and offsets instead of rolling them over", () => {
    const table: ReadonlyArray<readonly [string, string]> = [
      ["2014-02-30T10:00:00Z", "is not a real date (February 2014 has 28 days)"],
      ["2100-02-29T00:00:00Z", "is not a real date (February 2100 has 28 days)"],
      ["2015-04-31", "is not a real date (April 2015 has 30 days)"],
      ["2015-13-01T00:00:00Z", "is not a real date (month 13 does not exist)"],
      ["2015-00-10", "is not a real date (month 0 does not exist)"],
      ["2015-06-01T24:00:00Z", "is not a real time (hour 24 is outside 0..23)"],
      ["2015-06-01T10:60:00Z", "is not a real time (minute 60 is outside 0..59)"],
      ["2015-06-01T10:00:60Z", "is not a real time (second 60 is outside 0..59)"],
      ["2015-06-01T10:00:00+24:00", "has an impossible offset +24:00"],
      ["2015-06-01T10:00:00", "has no zone (add Z for UTC, or an offset such as -04:00): the server would read it in a zone of its own"],
      ["yesterday", `is not an ISO 8601 date-time with a zone such as "2024-05-01T13:37:00Z" or "2024-05-01T09:37:00-04:00", or a date "2024-05-01"`]
    ]
    for (const [text, why] of table) expect({ text, why: left(Dates.checkIsoDateTime(text, strict)) }).toEqual({ text, why })
    // What Date.parse does with the first one: the bug this module exists for.
    expect(new Date(Date.parse("2014-02-30T10:00:00Z")).toISOString()).toBe("2014-03-02T10:00:00.000Z")
  })

  it("reads the real ones, in every zone form, to the right instant", () => {
    const table: ReadonlyArray<readonly [string, string]> = [
      ["2016-02-29", "2016-02-29T00:00:00.000Z"],
      ["2000-02-29T12:00:00Z", "2000-02-29T12:00:00.000Z"],
      ["2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00.000Z"],
      ["2024-05-01T10:00:00-0430", "2024-05-01T14:30:00.000Z"],
      ["2024-05-01T10:00:00+02", "2024-05-01T08:00:00.000Z"],
      ["2024-05-01 10:00:00.123456789z", "2024-05-01T10:00:00.123Z"],
      ["2024-05-01T10:00Z", "2024-05-01T10:00:00.000Z"]
    ]
    for (const [text, iso] of table) expect(Dates.parseIsoDateTime(text, strict)?.toISOString()).toBe(iso)
    expect(Dates.parseIsoDateTime("2024-05-01T10:00:00", { zone: "utc-if-absent" })?.toISOString()).toBe("2024-05-01T10:00:00.000Z")
    expect(Dates.parseIsoDateTime("2024-05-01", { zone: "utc-if-absent" })).toBeUndefined()
  })

  it("reads UNIX seconds as the APIs take them, and says when a value looks like milliseconds", () => {
    expect(Either.getOrThrow(Dates.checkUnixSeconds(1_714_557_600)).toISOString()).toBe("2024-05-01T10:00:00.000Z")
    expect(Either.getOrThrow(Dates.checkUnixSeconds(" 0 ")).toISOString()).toBe("1970-01-01T00:00:00.000Z")
    expect(left(Dates.checkUnixSeconds(1_714_557_600_000))).toBe("is after the year 9999 as seconds since 1970 (is it in milliseconds?)")
    expect(left(Dates.checkUnixSeconds(-1))).toBe("is before 1970-01-01T00:00:00Z")
    expect(left(Dates.checkUnixSeconds(1.5))).toBe("is not a whole number of seconds")
    expect(left(Dates.checkUnixSeconds("12a"))).toBe("is not a UNIX time in whole seconds")
  })

  it("DateText keeps the text and DateFromIso decodes to a Date; both refuse impossible dates with the value quoted", () => {
    const text = Schema.decodeUnknownEither(Dates.DateText({ zone: "utc-if-absent", dateOnly: true }))
    expect(Either.getOrThrow(text("2015-09-08"))).toBe("2015-09-08")
    expect(ApiError.formatParseError(left(text("2014-02-30")))).toBe(
      `(root): "2014-02-30" is not a real date (February 2014 has 28 days)`
    )
    const date = Schema.decodeUnknownEither(Dates.DateFromIso({ zone: "required" }))
    expect(Either.getOrThrow(date("2014-07-03T13:37:00Z")).getTime()).toBe(Date.UTC(2014, 6, 3, 13, 37))
    expect(ApiError.formatParseError(left(date("2014-02-30T10:00:00Z")))).toContain("is not a real date")
  })
})

describe("Validation", () => {
  it("describes each problem in one line, quoting the value and what is allowed", () => {
    expect(Validation.integer(500, { min: 1, max: 50 })).toBe("500 is above the maximum 50")
    expect(Validation.integer(0, { min: 1 })).toBe("0 is below the minimum 1")
    expect(Validation.integer(1.5)).toBe("1.5 is not a whole number")
    expect(Validation.integer(Number.NaN)).toBe("NaN is not a finite number")
    expect(Validation.integer("10")).toBe(`"10" is text; give the number 10`)
    expect(Validation.integer(undefined)).toBe("undefined is not a number")
    expect(Validation.oneOf("week", ["day", "month"])).toBe(`"week" is not one of "day", "month"`)
    expect(Validation.nonBlank("")).toBe("must not be empty")
    expect(Validation.nonBlank(" ")).toBe("must not be blank (only whitespace)")
    expect(Validation.quote("x".repeat(100))).toBe(`"${"x".repeat(60)}…"`)
    expect(Validation.quote(new Date(Number.NaN))).toBe("an invalid Date")
    expect(Validation.unknownKeys({ jobStatus: 1, zzz: 2 }, ["jobStatuses", "page"])).toEqual([
      { key: "jobStatus", message: "is not a known parameter; did you mean jobStatuses?" },
      { key: "zzz", message: "is not a known parameter (known: jobStatuses, page)" }
    ])
    expect(Validation.closest("per_page", ["perPage", "maxPages"])).toBe("perPage")
  })
})

describe("ClientOptions", () => {
  it("base URLs: only plain http(s), never quoting user info or a query", () => {
    const table: ReadonlyArray<readonly [string, string]> = [
      ["ftp://x", `uses the "ftp" scheme; only http and https are supported`],
      ["https://u:p4ss@host", `must not contain user info ("user:password@"); credentials have options of their own`],
      ["https://token@host", `must not contain user info ("user:password@"); credentials have options of their own`],
      ["https://h/?q=1", `must not have a query ("?…"): "https://h/"`],
      ["https://h/path?", `must not have a query ("?…"): "https://h/path"`],
      ["https://h/#f", `must not have a fragment ("#…"): "https://h/"`],
      ["not a url", `"not a url" is not an absolute http(s) URL such as "https://api.example.com"`],
      ["user:p4ss@host", `uses the "user" scheme; only http and https are supported`],
      ["", "must not be empty"],
      ["   ", "must not be empty"]
    ]
    for (const [url, message] of table) {
      const error = left(ClientOptions.baseUrl(url, ["baseUrl"]))
      expect(ClientOptions.problems(error)).toEqual([{ path: "baseUrl", message }])
      expect(ClientOptions.format(error)).not.toContain("p4ss")
    }
    expect(Either.getOrThrow(ClientOptions.baseUrl(" HTTP://Host:80/a/b// ", ["baseUrl"]))).toBe("http://host/a/b")
    expect(Either.getOrThrow(ClientOptions.baseUrl("https://h:8443", ["baseUrl"]))).toBe("https://h:8443")
  })

  it("durations, integers, literals, secrets", () => {
    const message = (check: ClientOptions.Check<unknown>) => ClientOptions.format(left(check))
    expect(message(ClientOptions.duration(0, ["timeout"]))).toBe("timeout: 0 must be more than zero")
    expect(message(ClientOptions.duration("-1 seconds", ["timeout"]))).toBe(`timeout: "-1 seconds" is not a duration of zero or more`)
    expect(message(ClientOptions.duration("-1 seconds", ["margin"], { allowZero: true }))).toContain("is not a duration of zero or more")
    expect(message(ClientOptions.duration(Duration.infinity, ["timeout"]))).toBe("timeout: Duration Infinity is not finite")
    expect(Either.isRight(ClientOptions.duration(0, ["margin"], { allowZero: true }))).toBe(true)
    expect(Duration.toMillis(Either.getOrThrow(ClientOptions.duration("2 seconds", ["timeout"])))).toBe(2000)
    expect(message(ClientOptions.integer(51, ["perPage"], { min: 1, max: 50 }))).toBe("perPage: 51 is above the maximum 50")
    expect(message(ClientOptions.literal("yaml", ["format"], ["json", "xml"]))).toBe(`format: "yaml" is not one of "json", "xml"`)
    expect(message(ClientOptions.secret(Redacted.make(" "), ["auth", "apiKey"]))).toBe("auth.apiKey: must not be blank (only whitespace)")
    expect(message(ClientOptions.secret("plain-text-secret", ["auth", "apiKey"]))).toBe(
      "auth.apiKey: must be a Redacted string (Redacted.make(…)); the value is not shown"
    )
    expect(message(ClientOptions.secret("plain-text-secret", ["k"]))).not.toContain("plain-text-secret")
  })

  it("all() reports every problem; problems() flattens And/Or and names missing variables", () => {
    const checked = ClientOptions.all({
      a: ClientOptions.integer(0, ["a"], { min: 1 }),
      b: ClientOptions.nonBlank("ok", ["b"]),
      c: ClientOptions.literal("z", ["c"], ["x"])
    })
    expect(ClientOptions.format(left(checked))).toBe(`a: 0 is below the minimum 1; c: "z" is not one of "x"`)
    expect(Either.getOrThrow(ClientOptions.all({ b: ClientOptions.nonBlank("ok", ["b"]) }))).toEqual({ b: "ok" })
    const either = ConfigError.Or(
      ConfigError.MissingData(["X"], "Expected X to exist in the process context"),
      ConfigError.InvalidData(["Y"], "bad")
    )
    expect(ClientOptions.problems(either)).toEqual([{ path: "X", message: "is not set" }, { path: "Y", message: "bad" }])
  })

  it.effect("env readers name the variable, also under a nested provider", () =>
    Effect.gen(function*() {
      const read = <A>(config: Config.Config<A>, env: Record<string, string>) =>
        Effect.flip(Effect.withConfigProvider(config, ConfigProvider.fromMap(new Map(Object.entries(env)))))
      expect(ClientOptions.format(yield* read(ClientOptions.env.baseUrl("API_URL"), { API_URL: "ftp://x" }))).toBe(
        `API_URL: uses the "ftp" scheme; only http and https are supported`
      )
      expect(ClientOptions.format(yield* read(ClientOptions.env.secret("API_KEY"), { API_KEY: "" }))).toBe("API_KEY: must not be empty")
      expect(ClientOptions.format(yield* read(ClientOptions.env.secret("API_KEY"), {}))).toBe("API_KEY: is not set")
      expect(ClientOptions.format(yield* read(ClientOptions.env.integer("N", { max: 9 }), { N: "10" }))).toBe("N: 10 is above the maximum 9")
      expect(ClientOptions.format(yield* read(ClientOptions.env.integer("N"), { N: "1e3" }))).toBe(`N: "1e3" is not a whole number`)
      expect(ClientOptions.format(yield* read(Config.nested(ClientOptions.env.nonBlank("USER"), "APP"), { "APP.USER": " " }))).toBe(
        "APP.USER: must not be blank (only whitespace)"
      )
    }))
})

describe("ApiError wording", () => {
  it("an InvalidRequest is one line per problem, with the problems kept as a field", () => {
    const error = ApiError.invalidRequest("insideview", "listJobs", [
      { parameter: "resultsPerPage", message: "500 is above the maximum 50" },
      { parameter: "period", message: `"week" is not one of "day", "month", "year"` }
    ])
    expect(error.message).toBe(
      `insideview.listJobs: invalid request: resultsPerPage: 500 is above the maximum 50; period: "week" is not one of "day", "month", "year"`
    )
    expect(error.problems).toHaveLength(2)
    expect(ApiError.isApiError(error)).toBe(true)
  })

  it("a schema mismatch is described by path and expectation, never as the schema tree", () => {
    const Page = Schema.Struct({
      items: Schema.Array(Schema.Struct({ id: Schema.Int, state: Schema.Literal("a", "b"), name: Schema.String }))
    })
    const decoded = Schema.decodeUnknownEither(Page, { errors: "all" })({
      items: [{ id: "7", state: "c" }, { id: 1.5, state: "a", name: "x" }, 3, 4, 5, 6]
    })
    const text = ApiError.formatParseError(left(decoded))
    expect(text).toBe(
      `items[0].id: expected number, got "7"; items[0].state: expected "a" or "b", got "c"; items[0].name: is missing; ` +
        `items[1].id: expected an integer, got 1.5; items[2]: expected { readonly id: Int; readonly state: "a" | "b"; readonly name: string }, got 3; and 3 more`
    )
    expect(text).not.toContain("└─")
  })

  it("a value too deeply nested to quote still gives a one-line text, not a stack overflow", () => {
    let value: unknown = 5
    for (let i = 0; i < 100_000; i++) value = { next: value }
    const result = Schema.decodeUnknownEither(Schema.Struct({ name: Schema.String }))({ name: value })
    const text = ApiError.formatParseError(left(result))
    expect(text).toBe("(root): does not match the expected shape (the value is too deeply nested to describe)")
  })

  it("a DecodeError message is short: what, the path, and the start of the body", () => {
    const where = { provider: "greenarrow", operation: "listJobs", method: "GET", url: "http://h/ga/api/v2/jobs/all" }
    const error = new ApiError.DecodeError({
      ...where,
      status: 200,
      format: "schema",
      issue: `[0].created_at: "2014-02-30T10:00:00Z" is not a real date (February 2014 has 28 days)`,
      excerpt: `{"success":true,"data":[{"id":1,"created_at":"2014-02-30T10:00:00Z"}]}${"x".repeat(200)}`
    })
    expect(error.message).toBe(
      `greenarrow.listJobs: could not decode the body's content: [0].created_at: "2014-02-30T10:00:00Z" is not a real date ` +
        `(February 2014 has 28 days); the body starts "{\\"success\\":true,\\"data\\":[{\\"id\\":1,\\"created_at\\":\\"2014-02-30T10:…" ` +
        `(GET http://h/ga/api/v2/jobs/all)`
    )
  })

  it("isApiError recognizes every member of the union, and nothing else", () => {
    const where = { provider: "p", operation: "o", method: "GET", url: "http://h/" }
    const members: ReadonlyArray<ApiError.ApiError> = [
      new ApiError.BadRequest({ ...where, status: 400 }),
      new ApiError.Unauthorized({ ...where, status: 401 }),
      new ApiError.Forbidden({ ...where, status: 403 }),
      new ApiError.NotFound({ ...where, status: 404 }),
      new ApiError.MethodNotAllowed({ ...where, status: 405 }),
      new ApiError.Gone({ ...where, status: 410 }),
      new ApiError.RateLimited({ ...where, status: 429 }),
      new ApiError.ServerError({ ...where, status: 500 }),
      new ApiError.UnexpectedStatus({ ...where, status: 418 }),
      new ApiError.TransportError({ ...where, reason: "ECONNRESET" }),
      new ApiError.Timeout({ ...where, timeoutMillis: 1, scope: "attempt" }),
      new ApiError.DecodeError({ ...where, format: "json", issue: "i", excerpt: "" }),
      ApiError.invalidRequest("p", "o", []),
      new ApiError.Redirected({ ...where, status: 302, location: "https://x", reason: "cross-origin" }),
      new ApiError.PaginationError({ ...where, reason: "max-pages", requests: 1, detail: "d" }),
      new ApiError.JobFailed({ ...where, jobId: "j", providerStatus: "failed" }),
      new ApiError.JobCanceled({ ...where, jobId: "j", providerStatus: "canceled" }),
      new ApiError.OutcomeUnknown({ ...where, reason: "r" })
    ]
    expect(new Set(members.map((m) => m._tag))).toEqual(ApiError.tags)
    for (const member of members) {
      expect(ApiError.isApiError(member), member._tag).toBe(true)
      expect(member).toHaveProperty("provider", "p")
      expect(member).toHaveProperty("operation", "o")
    }
    for (const other of [new Error("x"), { _tag: "BadRequest" }, { _tag: "Nope", provider: "p", operation: "o" }, null, "BadRequest"]) {
      expect(ApiError.isApiError(other)).toBe(false)
    }
  })
})
