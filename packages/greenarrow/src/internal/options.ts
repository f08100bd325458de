/**
 * The GreenArrow client's options, checked once when the client is built,
 * and the `Config` that reads them from the environment. Every problem is a
 * `ConfigError` whose path is the option (`["auth", "apiKey"]`) or the
 * variable (`["GREENARROW_API_KEY"]`); no message quotes a key.
 */
import { ClientOptions, Validation } from "@jobstream/core"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Encoding from "effect/Encoding"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { Auth, Options } from "../GreenArrowClient.js"
import { type ArrayEncoding, maxPerPage } from "../GreenArrowQuery.js"

/** Most pages in flight at once in "pages" mode. */
export const maxConcurrency = 64

/** The defaults of the optional settings (`GreenArrowClient.defaults`). */
export interface Defaults {
  readonly pageSize: number
  readonly pagination: "token" | "pages"
  readonly concurrency: number
  readonly arrayEncoding: ArrayEncoding
}

/** The options after their checks, with the defaults filled in. */
export interface Resolved {
  readonly baseUrl: string
  /** The `Authorization` header value. */
  readonly authorization: Redacted.Redacted<string>
  /** The secret the header is made of (the key, or the encoded key). */
  readonly secret: Redacted.Redacted<string>
  readonly pageSize: number
  readonly pagination: "token" | "pages"
  readonly concurrency: number
  readonly arrayEncoding: ArrayEncoding
  readonly maxPages: number | undefined
  /** `retryPolicy`, `timeout`, `deadline`, `maxBodyBytes`, `transformClient`. */
  readonly transport: ClientOptions.ResolvedTransport
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

interface Credentials {
  readonly authorization: Redacted.Redacted<string>
  readonly secret: Redacted.Redacted<string>
}

const checkAuth = (auth: unknown): ClientOptions.Check<Credentials> => {
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
        ({ apiKey, organizationId }) => ({
          authorization: Redacted.make(`Basic ${Encoding.encodeBase64(`${organizationId}:${Redacted.value(apiKey)}`)}`),
          secret: apiKey
        })
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
          : Either.right({ authorization: Redacted.make(`Basic ${text.trim().replace(/^basic\s+/i, "")}`), secret: encoded })
      })
    default:
      return Either.left(ClientOptions.invalid(["auth", "_tag"], `must be "Key" or "Encoded"`))
  }
}

/** Checks every option; all problems are reported together. */
export const resolve = (options: Options, defaults: Defaults): ClientOptions.Check<Resolved> => {
  const o: ClientOptions.Input<Options> = options
  const checked = ClientOptions.all({
    baseUrl: Either.map(ClientOptions.baseUrl(o.baseUrl, ["baseUrl"]), (url) => url.replace(/\/ga\/api\/v2$/i, "")),
    credentials: checkAuth(o.auth),
    pageSize: ClientOptions.integer(o.pageSize ?? defaults.pageSize, ["pageSize"], { min: 1, max: maxPerPage }),
    pagination: ClientOptions.literal(o.pagination ?? defaults.pagination, ["pagination"], ["token", "pages"]),
    concurrency: ClientOptions.integer(o.concurrency ?? defaults.concurrency, ["concurrency"], { min: 1, max: maxConcurrency }),
    arrayEncoding: ClientOptions.literal(o.arrayEncoding ?? defaults.arrayEncoding, ["arrayEncoding"], [
      "brackets",
      "repeat",
      "comma"
    ]),
    maxPages: ClientOptions.maxPages(o.maxPages),
    transport: ClientOptions.transport(o)
  })
  return Either.map(checked, ({ credentials, ...rest }) => ({ ...rest, ...credentials }))
}

// ---------------------------------------------------------------------------
// Environment

/** The variables `GreenArrowClient.config` reads. */
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
export const authConfig: Config.Config<Auth> = Config.all({
  key: ClientOptions.env.secret(variables.apiKey),
  organization: ClientOptions.env.optional(Config.string(variables.organizationId))
}).pipe(Config.mapOrFail(({ key, organization }): ClientOptions.Check<Auth> => {
  const inside = organizationOfEncoded(Redacted.value(key))
  if (inside !== undefined) {
    return organization !== undefined && organization.trim() !== inside
      ? Either.left(ConfigError.InvalidData(
        [variables.organizationId],
        `${JSON.stringify(organization)} differs from the organization ${inside} inside ${variables.apiKey} (an encoded key); unset it or fix it`
      ))
      : Either.right({ _tag: "Encoded", encoded: key })
  }
  if (organization === undefined) {
    return Either.left(ConfigError.MissingData(
      [variables.organizationId],
      `is needed: ${variables.apiKey} is a plain key (an encoded key would be base64 of "<organization id>:<key>")`
    ))
  }
  return Either.map(
    checkOrganizationId(organization, [variables.organizationId]),
    (organizationId) => ({ _tag: "Key", organizationId, apiKey: key })
  )
}))

/** Every option `GreenArrowClient.config` reads; the others keep their defaults. */
export const config: Config.Config<Options> = Config.all({
  baseUrl: ClientOptions.env.baseUrl(variables.baseUrl),
  auth: authConfig,
  pageSize: ClientOptions.env.optional(ClientOptions.env.integer(variables.perPage, { min: 1, max: maxPerPage })),
  pagination: ClientOptions.env.optional(ClientOptions.env.literal(variables.pagination, ["token", "pages"])),
  timeout: ClientOptions.env.optional(ClientOptions.env.duration(variables.timeout))
})
