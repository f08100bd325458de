/**
 * The InsideView client's options, checked once when the client is built,
 * and the `Config` that reads them from the environment. Every problem is a
 * `ConfigError` whose path is the option (`["auth", "clientSecret"]`) or the
 * variable (`["INSIDEVIEW_BASE_URL"]`).
 */
import { ClientOptions } from "@jobstream/core"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type { Auth, Options } from "../InsideViewClient.js"
import { maxResultsPerPage } from "../InsideViewQuery.js"
import type { CredentialsIn } from "./login.js"

/** Most page requests in flight at once. */
export const maxConcurrency = 64

/** Most re-logins per request. */
export const maxMaxRelogins = 10

/** The defaults of the optional settings (`InsideViewClient.defaults`). */
export interface Defaults {
  readonly baseUrl: string
  readonly authBaseUrl: string
  readonly credentialsIn: CredentialsIn
  readonly maxRelogins: number
  readonly format: "json" | "xml"
  readonly concurrency: number
  readonly pageSize: number
  readonly listEncoding: "comma" | "repeat"
  readonly rateLimitWait: "fail" | Duration.DurationInput
  readonly maxRetryAfter: Duration.DurationInput
  readonly tokenRefreshMargin: Duration.DurationInput
}

/** The options after their checks, with the defaults filled in. */
export interface Resolved {
  readonly auth: Auth
  readonly baseUrl: string
  readonly authBaseUrl: string
  readonly tokenUrl: string | undefined
  readonly credentialsIn: CredentialsIn
  readonly maxRelogins: number
  readonly format: "json" | "xml"
  readonly concurrency: number
  readonly pageSize: number
  readonly maxPages: number | undefined
  readonly listEncoding: "comma" | "repeat"
  readonly rateLimitWait: "fail" | Duration.Duration
  readonly maxRetryAfter: Duration.Duration
  readonly tokenRefreshMargin: Duration.Duration
  /** `retryPolicy`, `timeout`, `deadline`, `maxBodyBytes`, `transformClient`. */
  readonly transport: ClientOptions.ResolvedTransport
}

const checkAuth = (auth: unknown): ClientOptions.Check<Auth> => {
  if (typeof auth !== "object" || auth === null) {
    return Either.left(ClientOptions.invalid(["auth"], "is required: Auth.token(…) or Auth.credentials(…)"))
  }
  const tagged = auth as Partial<Record<string, unknown>>
  switch (tagged._tag) {
    case "Token":
      return Either.map(ClientOptions.secret(tagged.accessToken, ["auth", "accessToken"]), (accessToken) => ({
        _tag: "Token" as const,
        accessToken
      }))
    case "Credentials":
      return Either.map(
        ClientOptions.all({
          clientId: ClientOptions.nonBlank(tagged.clientId, ["auth", "clientId"]),
          clientSecret: ClientOptions.secret(tagged.clientSecret, ["auth", "clientSecret"])
        }),
        ({ clientId, clientSecret }) => ({ _tag: "Credentials" as const, clientId, clientSecret })
      )
    default:
      return Either.left(ClientOptions.invalid(["auth", "_tag"], `must be "Token" or "Credentials"`))
  }
}

const checkRateLimitWait = (value: unknown): ClientOptions.Check<"fail" | Duration.Duration> =>
  value === "fail" ? Either.right("fail") : ClientOptions.duration(value, ["rateLimitWait"])

/** Checks every option; all problems are reported together. */
export const resolve = (options: Options, defaults: Defaults): ClientOptions.Check<Resolved> => {
  const o: ClientOptions.Input<Options> = options
  return ClientOptions.all({
    auth: checkAuth(o.auth),
    baseUrl: ClientOptions.baseUrl(o.baseUrl ?? defaults.baseUrl, ["baseUrl"]),
    authBaseUrl: ClientOptions.baseUrl(o.authBaseUrl ?? defaults.authBaseUrl, ["authBaseUrl"]),
    tokenUrl: ClientOptions.optional(o.tokenUrl, (v) => ClientOptions.baseUrl(v, ["tokenUrl"])),
    credentialsIn: ClientOptions.literal(o.credentialsIn ?? defaults.credentialsIn, ["credentialsIn"], ["auto", "body", "query"]),
    maxRelogins: ClientOptions.integer(o.maxRelogins ?? defaults.maxRelogins, ["maxRelogins"], { min: 0, max: maxMaxRelogins }),
    format: ClientOptions.literal(o.format ?? defaults.format, ["format"], ["json", "xml"]),
    concurrency: ClientOptions.integer(o.concurrency ?? defaults.concurrency, ["concurrency"], { min: 1, max: maxConcurrency }),
    pageSize: ClientOptions.integer(o.pageSize ?? defaults.pageSize, ["pageSize"], { min: 1, max: maxResultsPerPage }),
    maxPages: ClientOptions.maxPages(o.maxPages),
    listEncoding: ClientOptions.literal(o.listEncoding ?? defaults.listEncoding, ["listEncoding"], ["comma", "repeat"]),
    rateLimitWait: checkRateLimitWait(o.rateLimitWait ?? defaults.rateLimitWait),
    maxRetryAfter: ClientOptions.duration(o.maxRetryAfter ?? defaults.maxRetryAfter, ["maxRetryAfter"], { allowZero: true }),
    tokenRefreshMargin: ClientOptions.duration(o.tokenRefreshMargin ?? defaults.tokenRefreshMargin, ["tokenRefreshMargin"], {
      allowZero: true
    }),
    transport: ClientOptions.transport(o)
  })
}

// ---------------------------------------------------------------------------
// Environment

/** The variables `InsideViewClient.config` reads. */
export const variables = {
  accessToken: "INSIDEVIEW_ACCESS_TOKEN",
  clientId: "INSIDEVIEW_CLIENT_ID",
  clientSecret: "INSIDEVIEW_CLIENT_SECRET",
  baseUrl: "INSIDEVIEW_BASE_URL",
  authBaseUrl: "INSIDEVIEW_AUTH_BASE_URL",
  tokenUrl: "INSIDEVIEW_TOKEN_URL",
  format: "INSIDEVIEW_FORMAT"
} as const

const raw = (name: string) => ClientOptions.env.optional(Config.string(name))

/**
 * The credentials from the environment. Rule: a set `INSIDEVIEW_ACCESS_TOKEN`
 * (even empty, which is then an error) means token authentication and the
 * client-credential variables are not looked at; otherwise
 * `INSIDEVIEW_CLIENT_ID` and `INSIDEVIEW_CLIENT_SECRET` are both required.
 */
export const authConfig: Config.Config<Auth> = Config.all({
  accessToken: raw(variables.accessToken),
  clientId: raw(variables.clientId),
  clientSecret: raw(variables.clientSecret)
}).pipe(Config.mapOrFail(({ accessToken, clientId, clientSecret }): ClientOptions.Check<Auth> => {
  if (accessToken !== undefined) {
    return Either.map(ClientOptions.secret(Redacted.make(accessToken), [variables.accessToken]), (token) => ({
      _tag: "Token",
      accessToken: token
    }))
  }
  if (clientId === undefined || clientSecret === undefined) {
    const [path, message] = clientId === undefined && clientSecret === undefined
      ? [variables.accessToken, `set ${variables.accessToken}, or ${variables.clientId} and ${variables.clientSecret}`]
      : clientId === undefined
      ? [variables.clientId, `is needed with ${variables.clientSecret} (or set ${variables.accessToken} instead)`]
      : [variables.clientSecret, `is needed with ${variables.clientId} (or set ${variables.accessToken} instead)`]
    return Either.left(ConfigError.MissingData([path], message))
  }
  return Either.map(
    ClientOptions.all({
      clientId: ClientOptions.nonBlank(clientId, [variables.clientId]),
      clientSecret: ClientOptions.secret(Redacted.make(clientSecret), [variables.clientSecret])
    }),
    ({ clientId, clientSecret }) => ({ _tag: "Credentials", clientId, clientSecret })
  )
}))

/** Every option `InsideViewClient.config` reads; the others keep their defaults. */
export const config: Config.Config<Options> = Config.all({
  auth: authConfig,
  baseUrl: ClientOptions.env.optional(ClientOptions.env.baseUrl(variables.baseUrl)),
  authBaseUrl: ClientOptions.env.optional(ClientOptions.env.baseUrl(variables.authBaseUrl)),
  tokenUrl: ClientOptions.env.optional(ClientOptions.env.baseUrl(variables.tokenUrl)),
  format: ClientOptions.env.optional(ClientOptions.env.literal(variables.format, ["json", "xml"]))
})
