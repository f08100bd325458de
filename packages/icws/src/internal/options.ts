/**
 * The ICWS session's and client's options, checked once when they are
 * built, and the environment variables `layerConfig` reads. Every problem is
 * a `ConfigError` whose path is the option (`["password"]`) or the variable
 * (`["ICWS_PASSWORD"]`); no message quotes the password.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { ClientOptions, type RetryPolicy } from "@jobstream/core"
import * as Config from "effect/Config"
import type * as Duration from "effect/Duration"
import * as Either from "effect/Either"
import type * as Redacted from "effect/Redacted"

/** Most alternate hosts a login may be sent to. */
export const maxAlternatesLimit = 16

/** Most reconnects per call. */
export const maxReloginsLimit = 10

/** The largest `jobCount` (`pageSize`) accepted. ICWS documents no maximum; this bound keeps one answer reasonable. */
export const maxJobCount = 10_000

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
  readonly retryPolicy: RetryPolicy.RetryPolicy | undefined
  readonly timeout: Duration.Duration | undefined
  readonly deadline: Duration.Duration | undefined
  readonly maxBodyBytes: number | undefined
  readonly transformClient: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/** What the session options look like to the checks (any value may be wrong at run time). */
export interface SessionInput {
  readonly baseUrl?: unknown
  readonly user?: unknown
  readonly password?: unknown
  readonly applicationName?: unknown
  readonly language?: unknown
  readonly maxAlternates?: unknown
  readonly maxRelogins?: unknown
  readonly logoutTimeout?: unknown
  readonly retryPolicy?: unknown
  readonly timeout?: unknown
  readonly deadline?: unknown
  readonly maxBodyBytes?: unknown
  readonly transformClient?: unknown
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
  options: SessionInput,
  defaults: {
    readonly applicationName: string
    readonly language: string
    readonly maxAlternates: number
    readonly maxRelogins: number
    readonly logoutTimeout: Duration.DurationInput
  }
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
    retryPolicy: ClientOptions.optional(options.retryPolicy, (v) =>
      typeof v === "object" && v !== null
        ? Either.right(v as RetryPolicy.RetryPolicy)
        : Either.left(ClientOptions.invalid(["retryPolicy"], "must be a Schedule (see RetryPolicy)"))),
    timeout: ClientOptions.optional(options.timeout, (v) => ClientOptions.duration(v, ["timeout"])),
    deadline: ClientOptions.optional(options.deadline, (v) => ClientOptions.duration(v, ["deadline"])),
    maxBodyBytes: ClientOptions.optional(options.maxBodyBytes, (v) =>
      ClientOptions.integer(v, ["maxBodyBytes"], { min: 1, max: Number.MAX_SAFE_INTEGER })),
    transformClient: ClientOptions.optional(
      options.transformClient as ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined,
      (v) => ClientOptions.func(v, ["transformClient"])
    )
  })

/** Checks the client's own options (`pageSize`, `maxPages`). */
export const resolveClient = (
  options: { readonly pageSize?: unknown; readonly maxPages?: unknown },
  defaultPageSize: number
): ClientOptions.Check<{ readonly pageSize: number; readonly maxPages: number | undefined }> =>
  ClientOptions.all({
    pageSize: ClientOptions.integer(options.pageSize ?? defaultPageSize, ["pageSize"], { min: 1, max: maxJobCount }),
    maxPages: ClientOptions.optional(options.maxPages, (v) =>
      ClientOptions.integer(v, ["maxPages"], { min: 1, max: Number.MAX_SAFE_INTEGER }))
  })

// ---------------------------------------------------------------------------
// Environment

/** The variables `layerConfig` reads. */
export const variables = {
  baseUrl: "ICWS_BASE_URL",
  user: "ICWS_USER",
  password: "ICWS_PASSWORD",
  applicationName: "ICWS_APPLICATION_NAME",
  language: "ICWS_LANGUAGE",
  logoutTimeout: "ICWS_LOGOUT_TIMEOUT"
} as const

/** `ICWS_LANGUAGE`, checked as a language tag. */
export const languageFromEnv = (name: string): Config.Config<string> =>
  Config.string(name).pipe(Config.mapOrFail((raw) => language(raw.trim(), [])))
