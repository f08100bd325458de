/**
 * The ICWS session's and client's options, checked once when they are
 * built, and the `Config` that reads them from the environment. Every
 * problem is a `ConfigError` whose path is the option (`["password"]`) or
 * the variable (`["ICWS_PASSWORD"]`); no message quotes the password.
 */
import { ClientOptions } from "@jobstream/core"
import * as Config from "effect/Config"
import type * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"
import type { ListingOptions } from "../IcwsClient.js"
import { maxJobCount } from "../IcwsQuery.js"
import type { Options } from "../IcwsSession.js"

/** Most alternate hosts a login may be sent to. */
export const maxAlternatesLimit = 16

/** Most reconnects per call. */
export const maxReloginsLimit = 10

/** The defaults of the session's optional settings (`IcwsSession.defaults`). */
export interface SessionDefaults {
  readonly applicationName: string
  readonly language: string
  readonly maxAlternates: number
  readonly maxRelogins: number
  readonly logoutTimeout: Duration.DurationInput
}

/** The session options after their checks. */
export interface ResolvedSession {
  readonly baseUrl: string
  readonly user: string
  readonly password: Redacted.Redacted<string>
  readonly applicationName: string
  readonly language: string
  readonly maxAlternates: number
  readonly maxRelogins: number
  readonly logoutTimeout: Duration.Duration
  /** `retryPolicy`, `timeout`, `deadline`, `maxBodyBytes`, `transformClient`. */
  readonly transport: ClientOptions.ResolvedTransport
}

/** An `Accept-Language` tag such as "en-us" (letters and digits in dash-separated parts). */
const languageTag = /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/

/** A language tag: one header value, so no spaces, commas or line breaks. */
export const language = (value: unknown, path: ClientOptions.Path): ClientOptions.Check<string> =>
  Either.flatMap(ClientOptions.nonBlank(value, path), (text) =>
    languageTag.test(text)
      ? Either.right(text)
      : Either.left(ClientOptions.invalid(path, `${JSON.stringify(text.slice(0, 40))} is not a language tag such as "en-us"`)))

/** Checks every session option; all problems are reported together. */
export const resolveSession = (
  options: ClientOptions.Input<Options>,
  defaults: SessionDefaults
): ClientOptions.Check<ResolvedSession> =>
  ClientOptions.all({
    baseUrl: ClientOptions.baseUrl(options.baseUrl, ["baseUrl"]),
    user: ClientOptions.nonBlank(options.user, ["user"]),
    password: ClientOptions.secret(options.password, ["password"]),
    applicationName: ClientOptions.nonBlank(options.applicationName ?? defaults.applicationName, ["applicationName"]),
    language: language(options.language ?? defaults.language, ["language"]),
    maxAlternates: ClientOptions.integer(options.maxAlternates ?? defaults.maxAlternates, ["maxAlternates"], {
      min: 0,
      max: maxAlternatesLimit
    }),
    maxRelogins: ClientOptions.integer(options.maxRelogins ?? defaults.maxRelogins, ["maxRelogins"], {
      min: 0,
      max: maxReloginsLimit
    }),
    logoutTimeout: ClientOptions.duration(options.logoutTimeout ?? defaults.logoutTimeout, ["logoutTimeout"]),
    transport: ClientOptions.transport(options)
  })

/** The listing options after their checks. */
export interface ResolvedListing {
  readonly pageSize: number
  readonly maxPages: number | undefined
}

/** Checks the client's own options (`pageSize`, `maxPages`). */
export const resolveListing = (
  options: ClientOptions.Input<ListingOptions>,
  defaultPageSize: number
): ClientOptions.Check<ResolvedListing> =>
  ClientOptions.all({
    pageSize: ClientOptions.integer(options.pageSize ?? defaultPageSize, ["pageSize"], { min: 1, max: maxJobCount }),
    maxPages: ClientOptions.maxPages(options.maxPages)
  })

// ---------------------------------------------------------------------------
// Environment

/** The variables `IcwsSession.config` reads. */
export const variables = {
  baseUrl: "ICWS_BASE_URL",
  user: "ICWS_USER",
  password: "ICWS_PASSWORD",
  applicationName: "ICWS_APPLICATION_NAME",
  language: "ICWS_LANGUAGE",
  logoutTimeout: "ICWS_LOGOUT_TIMEOUT"
} as const

/** Every option `IcwsSession.config` reads; the others keep their defaults. */
export const config: Config.Config<Options> = Config.all({
  baseUrl: ClientOptions.env.baseUrl(variables.baseUrl),
  user: ClientOptions.env.nonBlank(variables.user),
  password: ClientOptions.env.secret(variables.password),
  applicationName: ClientOptions.env.optional(ClientOptions.env.nonBlank(variables.applicationName)),
  language: ClientOptions.env.optional(
    Config.string(variables.language).pipe(Config.mapOrFail((raw) => language(raw.trim(), [])))
  ),
  logoutTimeout: ClientOptions.env.optional(ClientOptions.env.duration(variables.logoutTimeout))
})
