/**
 * The InsideView client's options, checked once when the client is built,
 * and the environment variables `layerConfig` reads. Every problem is a
 * `ConfigError` whose path is the option (`["auth", "clientSecret"]`) or the
 * variable (`["INSIDEVIEW_BASE_URL"]`).
 */
import { ClientOptions } from "@jobstream/core"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type { Auth, Options } from "../InsideViewClient.js"
import { maxResultsPerPage } from "../JobsQuery.js"

/** Most page requests in flight at once. */
export const maxConcurrency = 64

/** Most re-logins per request. */
export const maxMaxRelogins = 10

/** The options after their checks, with the defaults filled in. */
export interface Resolved {
  readonly auth: Auth
  readonly baseUrl: string
  readonly authBaseUrl: string
  readonly tokenUrl: string | undefined
  readonly credentialsIn: "auto" | "body" | "query"
  readonly maxRelogins: number
  readonly format: "json" | "xml"
  readonly concurrency: number
  readonly resultsPerPage: number
  readonly listEncoding: "comma" | "repeat"
  readonly rateLimitWait: "fail" | Duration.Duration
  readonly maxRetryAfter: Duration.Duration | undefined
  readonly timeout: Duration.Duration | undefined
  readonly deadline: Duration.Duration | undefined
  readonly maxBodyBytes: number | undefined
  readonly tokenRefreshMargin: Duration.Duration
  readonly maxPages: number | undefined
}

/** The defaults, as `InsideViewClient.defaults` spells them out. */
export interface Defaults {
  readonly baseUrl: string
  readonly authBaseUrl: string
  readonly format: "json" | "xml"
  readonly concurrency: number
  readonly resultsPerPage: number
  readonly listEncoding: "comma" | "repeat"
  readonly tokenRefreshMargin: Duration.DurationInput
  readonly credentialsIn: "auto" | "body" | "query"
  readonly maxRelogins: number
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

/** Checks every option; all problems are reported together. */
export const resolve = (options: Options, defaults: Defaults): ClientOptions.Check<Resolved> => {
  const o = options as Partial<Record<keyof Options, unknown>>
  const checked = ClientOptions.all({
    auth: checkAuth(o.auth),
    baseUrl: ClientOptions.baseUrl(o.baseUrl ?? defaults.baseUrl, ["baseUrl"]),
    authBaseUrl: ClientOptions.baseUrl(o.authBaseUrl ?? defaults.authBaseUrl, ["authBaseUrl"]),
    tokenUrl: ClientOptions.optional(o.tokenUrl, (v) => ClientOptions.baseUrl(v, ["tokenUrl"])),
    credentialsIn: ClientOptions.literal(o.credentialsIn ?? defaults.credentialsIn, ["credentialsIn"], ["auto", "body", "query"]),
    maxRelogins: ClientOptions.integer(o.maxRelogins ?? defaults.maxRelogins, ["maxRelogins"], { min: 0, max: maxMaxRelogins }),
    format: ClientOptions.literal(o.format ?? defaults.format, ["format"], ["json", "xml"]),
    concurrency: ClientOptions.integer(o.concurrency ?? defaults.concurrency, ["concurrency"], {
      min: 1,
      max: maxConcurrency
    }),
    resultsPerPage: ClientOptions.integer(o.resultsPerPage ?? defaults.resultsPerPage, ["resultsPerPage"], {
      min: 1,
      max: maxResultsPerPage
    }),
    listEncoding: ClientOptions.literal(o.listEncoding ?? defaults.listEncoding, ["listEncoding"], ["comma", "repeat"]),
    rateLimitWait: o.rateLimitWait === undefined || o.rateLimitWait === "fail"
      ? Either.right("fail" as const)
      : ClientOptions.duration(o.rateLimitWait, ["rateLimitWait"]),
    maxRetryAfter: ClientOptions.optional(o.maxRetryAfter, (v) => ClientOptions.duration(v, ["maxRetryAfter"], { allowZero: true })),
    timeout: ClientOptions.optional(o.timeout, (v) => ClientOptions.duration(v, ["timeout"])),
    deadline: ClientOptions.optional(o.deadline, (v) => ClientOptions.duration(v, ["deadline"])),
    maxBodyBytes: ClientOptions.optional(o.maxBodyBytes, (v) =>
      ClientOptions.integer(v, ["maxBodyBytes"], { min: 1, max: Number.MAX_SAFE_INTEGER })),
    tokenRefreshMargin: ClientOptions.duration(o.tokenRefreshMargin ?? defaults.tokenRefreshMargin, ["tokenRefreshMargin"], {
      allowZero: true
    }),
    retryPolicy: ClientOptions.optional(o.retryPolicy, (v) =>
      typeof v === "object" && v !== null
        ? Either.right(v)
        : Either.left(ClientOptions.invalid(["retryPolicy"], "must be a Schedule (see RetryPolicy)"))),
    transformClient: ClientOptions.optional(o.transformClient, (v) => ClientOptions.func(v, ["transformClient"])),
    maxPages: ClientOptions.optional(o.maxPages, (v) =>
      ClientOptions.integer(v, ["maxPages"], { min: 1, max: Number.MAX_SAFE_INTEGER }))
  })
  return Either.map(checked, (c): Resolved => ({
    auth: c.auth,
    baseUrl: c.baseUrl,
    authBaseUrl: c.authBaseUrl,
    tokenUrl: c.tokenUrl,
    credentialsIn: c.credentialsIn,
    maxRelogins: c.maxRelogins,
    format: c.format,
    concurrency: c.concurrency,
    resultsPerPage: c.resultsPerPage,
    listEncoding: c.listEncoding,
    rateLimitWait: c.rateLimitWait,
    maxRetryAfter: c.maxRetryAfter,
    timeout: c.timeout,
    deadline: c.deadline,
    maxBodyBytes: c.maxBodyBytes,
    tokenRefreshMargin: c.tokenRefreshMargin,
    maxPages: c.maxPages
  }))
}

// ---------------------------------------------------------------------------
// Environment

/** The variables `layerConfig` reads. */
export const variables = {
  accessToken: "INSIDEVIEW_ACCESS_TOKEN",
  clientId: "INSIDEVIEW_CLIENT_ID",
  clientSecret: "INSIDEVIEW_CLIENT_SECRET",
  baseUrl: "INSIDEVIEW_BASE_URL",
  authBaseUrl: "INSIDEVIEW_AUTH_BASE_URL",
  tokenUrl: "INSIDEVIEW_TOKEN_URL",
  format: "INSIDEVIEW_FORMAT"
} as const

const isSet = (name: string) => Effect.map(Config.option(Config.string(name)), Option.isSome)

/**
 * The credentials from the environment. Rule: a set `INSIDEVIEW_ACCESS_TOKEN`
 * (even empty, which is then an error) means token authentication and the
 * client-credential variables are not read; otherwise `INSIDEVIEW_CLIENT_ID`
 * and `INSIDEVIEW_CLIENT_SECRET` are both required.
 */
export const authFromEnv: Effect.Effect<Auth, ConfigError.ConfigError> = Effect.gen(function*() {
  if (yield* isSet(variables.accessToken)) {
    const accessToken = yield* ClientOptions.env.secret(variables.accessToken)
    return { _tag: "Token", accessToken } satisfies Auth
  }
  const hasId = yield* isSet(variables.clientId)
  const hasSecret = yield* isSet(variables.clientSecret)
  if (!hasId || !hasSecret) {
    const [path, message] = !hasId && !hasSecret
      ? [variables.accessToken, `set ${variables.accessToken}, or ${variables.clientId} and ${variables.clientSecret}`]
      : !hasId
      ? [variables.clientId, `is needed with ${variables.clientSecret} (or set ${variables.accessToken} instead)`]
      : [variables.clientSecret, `is needed with ${variables.clientId} (or set ${variables.accessToken} instead)`]
    return yield* Effect.fail(ConfigError.MissingData([path], message))
  }
  const { clientId, clientSecret } = yield* Config.all({
    clientId: ClientOptions.env.nonBlank(variables.clientId),
    clientSecret: ClientOptions.env.secret(variables.clientSecret)
  })
  return { _tag: "Credentials", clientId, clientSecret } satisfies Auth
})

/** The optional settings from the environment (absent variables are left out). */
export const settingsFromEnv = Config.all({
  baseUrl: Config.option(ClientOptions.env.baseUrl(variables.baseUrl)),
  authBaseUrl: Config.option(ClientOptions.env.baseUrl(variables.authBaseUrl)),
  tokenUrl: Config.option(ClientOptions.env.baseUrl(variables.tokenUrl)),
  format: Config.option(ClientOptions.env.literal(variables.format, ["json", "xml"]))
})
