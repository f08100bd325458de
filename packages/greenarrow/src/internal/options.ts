/**
 * The GreenArrow client's options, checked once when the client is built,
 * and the environment variables `layerConfig` reads. Every problem is a
 * `ConfigError` whose path is the option (`["auth", "apiKey"]`) or the
 * variable (`["GREENARROW_API_KEY"]`); no message quotes a key.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { ClientOptions, type RetryPolicy, Validation } from "@jobstream/core"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Encoding from "effect/Encoding"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type { Auth, Options } from "../GreenArrowClient.js"
import { type ArrayEncoding, maxPerPage } from "../GreenArrowQuery.js"

/** Defaults of the optional settings. */
export const defaults = {
  perPage: maxPerPage,
  pagination: "token",
  concurrency: 4,
  arrayEncoding: "brackets"
} as const

/** Most pages in flight at once in "pages" mode. */
export const maxConcurrency = 64

/** The options after their checks, with the defaults filled in. */
export interface Resolved {
  readonly baseUrl: string
  /** The `Authorization` header value. */
  readonly authorization: Redacted.Redacted<string>
  readonly perPage: number
  readonly pagination: "token" | "pages"
  readonly concurrency: number
  readonly arrayEncoding: ArrayEncoding
  readonly retryPolicy: RetryPolicy.RetryPolicy | undefined
  readonly timeout: Duration.Duration | undefined
  readonly deadline: Duration.Duration | undefined
  readonly maxBodyBytes: number | undefined
  readonly transformClient: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  readonly maxPages: number | undefined
}

/**
 * The organization id inside an encoded key (base64 of
 * `"<organization id>:<key>"`, optionally after "Basic "), or undefined when
 * the text is not such a key.
 */
export const organizationOfEncoded = (text: string): string | undefined => {
  const body = text.trim().replace(/^basic\s+/i, "")
  if (body.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return undefined
  const decoded = Encoding.decodeBase64String(body)
  if (Either.isLeft(decoded)) return undefined
  const m = /^(\d+):([\x21-\x7e]+)$/.exec(decoded.right)
  return m === null ? undefined : m[1]
}

const checkOrganizationId = (value: unknown, path: ClientOptions.Path): ClientOptions.Check<string> => {
  const text = typeof value === "number" && Number.isInteger(value) && value > 0
    ? String(value)
    : typeof value === "string" && /^\s*\d+\s*$/.test(value)
    ? value.trim()
    : undefined
  return text === undefined
    ? Either.left(ClientOptions.invalid(path, `${Validation.quote(value)} is not an organization id (a positive whole number)`))
    : Either.right(text)
}

const checkAuth = (auth: unknown): ClientOptions.Check<Redacted.Redacted<string>> => {
  if (typeof auth !== "object" || auth === null) {
    return Either.left(ClientOptions.invalid(["auth"], `is required: { _tag: "Key", organizationId, apiKey } or { _tag: "Encoded", encoded }`))
  }
  const tagged = auth as Partial<Record<string, unknown>>
  switch (tagged._tag) {
    case "Key":
      return Either.map(
        ClientOptions.all({
          organizationId: checkOrganizationId(tagged.organizationId, ["auth", "organizationId"]),
          apiKey: ClientOptions.secret(tagged.apiKey, ["auth", "apiKey"])
        }),
        ({ apiKey, organizationId }) =>
          Redacted.make(`Basic ${Encoding.encodeBase64(`${organizationId}:${Redacted.value(apiKey)}`)}`)
      )
    case "Encoded":
      return Either.flatMap(ClientOptions.secret(tagged.encoded, ["auth", "encoded"]), (encoded) => {
        const text = Redacted.value(encoded)
        return organizationOfEncoded(text) === undefined
          ? Either.left(
            ClientOptions.invalid(
              ["auth", "encoded"],
              `is not an encoded key: expected base64 of "<organization id>:<key>" (the value is not shown)`
            )
          )
          : Either.right(Redacted.make(`Basic ${text.trim().replace(/^basic\s+/i, "")}`))
      })
    default:
      return Either.left(ClientOptions.invalid(["auth", "_tag"], `must be "Key" or "Encoded"`))
  }
}

/** Checks every option; all problems are reported together. */
export const resolve = (options: Options): ClientOptions.Check<Resolved> => {
  const o = options as Partial<Record<keyof Options, unknown>>
  const checked = ClientOptions.all({
    baseUrl: Either.map(
      ClientOptions.baseUrl(o.baseUrl, ["baseUrl"]),
      (url) => url.replace(/\/ga\/api\/v2$/i, "")
    ),
    authorization: checkAuth(o.auth),
    perPage: ClientOptions.integer(o.perPage ?? defaults.perPage, ["perPage"], { min: 1, max: maxPerPage }),
    pagination: ClientOptions.literal(o.pagination ?? defaults.pagination, ["pagination"], ["token", "pages"]),
    concurrency: ClientOptions.integer(o.concurrency ?? defaults.concurrency, ["concurrency"], { min: 1, max: maxConcurrency }),
    arrayEncoding: ClientOptions.literal(o.arrayEncoding ?? defaults.arrayEncoding, ["arrayEncoding"], [
      "brackets",
      "repeat",
      "comma"
    ]),
    retryPolicy: ClientOptions.optional(o.retryPolicy, (v) =>
      typeof v === "object" && v !== null
        ? Either.right(v as RetryPolicy.RetryPolicy)
        : Either.left(ClientOptions.invalid(["retryPolicy"], "must be a Schedule (see RetryPolicy)"))),
    timeout: ClientOptions.optional(o.timeout, (v) => ClientOptions.duration(v, ["timeout"])),
    deadline: ClientOptions.optional(o.deadline, (v) => ClientOptions.duration(v, ["deadline"])),
    maxBodyBytes: ClientOptions.optional(o.maxBodyBytes, (v) =>
      ClientOptions.integer(v, ["maxBodyBytes"], { min: 1, max: Number.MAX_SAFE_INTEGER })),
    transformClient: ClientOptions.optional(
      o.transformClient as ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined,
      (v) => ClientOptions.func(v, ["transformClient"])
    ),
    maxPages: ClientOptions.optional(o.maxPages, (v) =>
      ClientOptions.integer(v, ["maxPages"], { min: 1, max: Number.MAX_SAFE_INTEGER }))
  })
  return checked
}

// ---------------------------------------------------------------------------
// Environment

/** The variables `layerConfig` reads. */
export const variables = {
  baseUrl: "GREENARROW_BASE_URL",
  apiKey: "GREENARROW_API_KEY",
  organizationId: "GREENARROW_ORGANIZATION_ID",
  perPage: "GREENARROW_PER_PAGE",
  pagination: "GREENARROW_PAGINATION",
  timeout: "GREENARROW_TIMEOUT"
} as const

/**
 * The credentials from the environment. `GREENARROW_API_KEY` is the key as
 * Studio shows it, and what it is depends on its own form only:
 * - an encoded key (base64 of `"<organization id>:<key>"`, as newer Studio
 *   versions show keys) is sent as it is; `GREENARROW_ORGANIZATION_ID` may be
 *   left out, and when set must be the organization inside the key;
 * - anything else is a plain key, and `GREENARROW_ORGANIZATION_ID` is required
 *   to encode it.
 */
export const authFromEnv: Effect.Effect<Auth, ConfigError.ConfigError> = Effect.gen(function*() {
  const key = yield* ClientOptions.env.secret(variables.apiKey)
  const organization = yield* Config.option(Config.string(variables.organizationId))
  const inside = organizationOfEncoded(Redacted.value(key))
  if (inside !== undefined) {
    if (Option.isSome(organization) && organization.value.trim() !== inside) {
      return yield* Effect.fail(
        ConfigError.InvalidData(
          [variables.organizationId],
          `${JSON.stringify(organization.value)} differs from the organization ${inside} inside ${variables.apiKey} (an encoded key); unset it or fix it`
        )
      )
    }
    return { _tag: "Encoded", encoded: key } satisfies Auth
  }
  if (Option.isNone(organization)) {
    return yield* Effect.fail(
      ConfigError.MissingData(
        [variables.organizationId],
        `is needed: ${variables.apiKey} is a plain key (an encoded key would be base64 of "<organization id>:<key>")`
      )
    )
  }
  const organizationId = yield* Either.match(checkOrganizationId(organization.value, [variables.organizationId]), {
    onLeft: Effect.fail,
    onRight: Effect.succeed
  })
  return { _tag: "Key", organizationId, apiKey: key } satisfies Auth
})

/** The other settings from the environment (absent variables are left out). */
export const settingsFromEnv = Config.all({
  baseUrl: ClientOptions.env.baseUrl(variables.baseUrl),
  perPage: Config.option(ClientOptions.env.integer(variables.perPage, { min: 1, max: maxPerPage })),
  pagination: Config.option(ClientOptions.env.literal(variables.pagination, ["token", "pages"])),
  timeout: Config.option(ClientOptions.env.duration(variables.timeout))
})
