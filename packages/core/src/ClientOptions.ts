/**
 * Checks of client options, done once when a client (or its Layer) is
 * built. A bad option is a `ConfigError` from `effect/ConfigError`
 * (`InvalidData`) whose path names the option (`["baseUrl"]`,
 * `["auth", "apiKey"]`) or, when the value came from the environment, the
 * variable (`["INSIDEVIEW_BASE_URL"]`). Nothing here ever quotes a secret.
 *
 * - `baseUrl`: an absolute `http:`/`https:` URL with no user info
 *   (`https://u:p@host`), no query and no fragment; returned without
 *   trailing slashes.
 * - `duration`: a `Duration` input (`"30 seconds"`, millis, …), finite and
 *   more than zero (or zero, when allowed).
 * - `integer`, `literal`, `nonBlank`, `secret`, `func`, `schedule`.
 * - {@link Transport}: the options every client takes for its HTTP
 *   exchanges, under the same names (`retryPolicy`, `timeout`, `deadline`,
 *   `maxBodyBytes`, `transformClient`), checked together by `transport`.
 * - `all` runs several checks and reports every failure at once
 *   (`ConfigError.And`); `problems` / `format` turn any `ConfigError` into
 *   one line per problem, for a CLI or a log.
 * - `env.*`: the same checks as `Config`s reading one variable, so a
 *   `layerConfig` reports the variable's name.
 *
 * @since 0.1.0
 * @module
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as HttpTransport from "./HttpTransport.js"
import type * as RateLimit from "./RateLimit.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Validation from "./Validation.js"

/**
 * Where an option lives: `["baseUrl"]`, `["auth", "apiKey"]`, `["INSIDEVIEW_BASE_URL"]`.
 *
 * @since 0.2.0
 */
export type Path = ReadonlyArray<string>

/**
 * The result of a check: the (normalized) value, or the configuration error.
 *
 * @since 0.2.0
 */
export type Check<A> = Either.Either<A, ConfigError.ConfigError>

/**
 * An `InvalidData` error at `path`.
 *
 * @since 0.2.0
 */
export const invalid = (path: Path, message: string): ConfigError.ConfigError =>
  ConfigError.InvalidData([...path], message)

const verdict = <A>(path: Path, problem: string | undefined, value: A): Check<A> =>
  problem === undefined ? Either.right(value) : Either.left(invalid(path, problem))

const example = `"https://api.example.com"`

/**
 * An absolute `http:`/`https:` URL without user info, query or fragment;
 * the result has no trailing slash. Messages quote only the parts that
 * cannot hold a credential.
 *
 * @since 0.2.0
 */
export const baseUrl = (value: unknown, path: Path): Check<string> => {
  if (typeof value !== "string") return Either.left(invalid(path, `${Validation.quote(value)} is not a URL`))
  const text = value.trim()
  if (text === "") return Either.left(invalid(path, "must not be empty"))
  const shown = text.includes("@") ? "the value (not quoted: it may hold a credential)" : Validation.quote(text)
  let url: URL
  try {
    url = new URL(text)
  } catch {
    return Either.left(invalid(path, `${shown} is not an absolute http(s) URL such as ${example}`))
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return Either.left(
      invalid(path, `uses the ${JSON.stringify(url.protocol.slice(0, -1))} scheme; only http and https are supported`)
    )
  }
  if (url.username !== "" || url.password !== "" || text.includes("@")) {
    return Either.left(
      invalid(path, `must not contain user info ("user:password@"); credentials have options of their own`)
    )
  }
  if (url.search !== "" || text.includes("?")) {
    return Either.left(invalid(path, `must not have a query ("?…"): ${Validation.quote(url.origin + url.pathname)}`))
  }
  if (url.hash !== "" || text.includes("#")) {
    return Either.left(invalid(path, `must not have a fragment ("#…"): ${Validation.quote(url.origin + url.pathname)}`))
  }
  return Either.right(`${url.origin}${url.pathname}`.replace(/\/+$/, ""))
}

/**
 * What a duration check allows besides finite positive durations.
 *
 * @since 0.2.0
 */
export interface DurationRule {
  /** Accept zero. Default false. */
  readonly allowZero?: boolean
}

/**
 * A finite `Duration` input greater than zero (or zero, with `allowZero`).
 *
 * @since 0.2.0
 */
export const duration = (value: unknown, path: Path, rule: DurationRule = {}): Check<Duration.Duration> => {
  const shown = Duration.isDuration(value) ? `Duration ${Duration.format(value)}` : Validation.quote(value)
  if ((typeof value === "number" && (Number.isNaN(value) || value < 0)) || (typeof value === "string" && /^\s*-/.test(value))) {
    return Either.left(invalid(path, `${shown} is not a duration of zero or more`))
  }
  const decoded = Duration.decodeUnknown(value)
  if (Option.isNone(decoded)) {
    return Either.left(invalid(path, `${shown} is not a duration (e.g. "30 seconds", "500 millis", or a number of millis)`))
  }
  const d = decoded.value
  if (!Duration.isFinite(d)) return Either.left(invalid(path, `${shown} is not finite`))
  if (Duration.toMillis(d) <= 0 && !(rule.allowZero === true && Duration.isZero(d))) {
    return Either.left(invalid(path, `${shown} must be more than zero`))
  }
  return Either.right(d)
}

/**
 * A whole number within the range.
 *
 * @since 0.2.0
 */
export const integer = (value: unknown, path: Path, range: Validation.Range = {}): Check<number> =>
  verdict(path, Validation.integer(value, range), value as number)

/**
 * One of a fixed set of strings.
 *
 * @since 0.2.0
 */
export const literal = <const L extends string>(value: unknown, path: Path, allowed: ReadonlyArray<L>): Check<L> =>
  verdict(path, Validation.oneOf(value, allowed), value as L)

/**
 * A string that is not empty or whitespace (not for secrets: the value may be quoted).
 *
 * @since 0.2.0
 */
export const nonBlank = (value: unknown, path: Path): Check<string> =>
  verdict(path, Validation.nonBlank(value), value as string)

/**
 * A `Redacted` string that is not empty or whitespace. The value is never quoted.
 *
 * @since 0.2.0
 */
export const secret = (value: unknown, path: Path): Check<Redacted.Redacted<string>> => {
  if (!Redacted.isRedacted(value)) {
    return Either.left(invalid(path, "must be a Redacted string (Redacted.make(…)); the value is not shown"))
  }
  const inner: unknown = Redacted.value(value)
  if (typeof inner !== "string") return Either.left(invalid(path, "must hold a string"))
  if (inner === "") return Either.left(invalid(path, "must not be empty"))
  if (inner.trim() === "") return Either.left(invalid(path, "must not be blank (only whitespace)"))
  return Either.right(value as Redacted.Redacted<string>)
}

/**
 * A function (a hook such as `transformClient`).
 *
 * @since 0.2.0
 */
export const func = <F>(value: F, path: Path): Check<F> =>
  typeof value === "function" ? Either.right(value) : Either.left(invalid(path, `${Validation.quote(value)} is not a function`))

/**
 * A retry policy: any `Schedule` (see `RetryPolicy`); only its kind can be checked.
 *
 * @since 0.2.0
 */
export const schedule = (value: unknown, path: Path): Check<RetryPolicy.RetryPolicy> =>
  typeof value === "object" && value !== null
    ? Either.right(value as RetryPolicy.RetryPolicy)
    : Either.left(invalid(path, "must be a Schedule (see RetryPolicy)"))

/**
 * Runs `check` unless the value is absent (`undefined`).
 *
 * @since 0.2.0
 */
export const optional = <A, B>(value: A | undefined, check: (value: A) => Check<B>): Check<B | undefined> =>
  value === undefined ? Either.right(undefined) : check(value)

/**
 * The values of a record of checks.
 *
 * @since 0.2.0
 */
export type Values<R extends Record<string, Check<unknown>>> = {
  readonly [K in keyof R]: R[K] extends Either.Either<infer A, ConfigError.ConfigError> ? A : never
}

/**
 * Runs every check of the record; all failures are reported together (`ConfigError.And`).
 *
 * @since 0.2.0
 */
export const all = <const R extends Record<string, Check<unknown>>>(checks: R): Check<Values<R>> => {
  let error: ConfigError.ConfigError | undefined
  const values: Record<string, unknown> = {}
  for (const [key, check] of Object.entries(checks)) {
    if (Either.isLeft(check)) error = error === undefined ? check.left : ConfigError.And(error, check.left)
    else values[key] = check.right
  }
  return error === undefined ? Either.right(values as Values<R>) : Either.left(error)
}

// ---------------------------------------------------------------------------
// The options every client shares

/**
 * The options every client takes for its HTTP exchanges, under the same
 * names whatever the provider. Each provider's `Options` extends it.
 *
 * @since 0.2.0
 */
export interface Transport {
  /** Retry policy of each request (a `Schedule` over `ApiError`). Default: the client's own. */
  readonly retryPolicy?: RetryPolicy.RetryPolicy | undefined
  /** Per-attempt timeout. Default 30 s. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Overall time for one call including retries. Default: none. */
  readonly deadline?: Duration.DurationInput | undefined
  /** Largest response body accepted, in bytes (a typed `DecodeError` beyond it). Default 32 MiB. */
  readonly maxBodyBytes?: number | undefined
  /** Last chance to adjust the underlying `HttpClient` (proxies, extra headers, …). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  /**
   * A client-side rate limiter (`RateLimit.make`), shared by every client of
   * the same account. Default: none.
   *
   * @since 0.2.0
   */
  readonly rateLimit?: RateLimit.Service | undefined
  /** Record the `Metrics`. Default true. @since 0.2.0 */
  readonly metrics?: boolean | undefined
}

/**
 * {@link Transport} after its checks: what `HttpTransport.make` takes, so a
 * client passes it on whole. `retryPolicy` stays undefined when not given
 * (each client has its own default); the others have theirs filled in.
 *
 * @since 0.2.0
 */
export interface ResolvedTransport {
  /** The policy given, or undefined for the client's own default. */
  readonly retryPolicy: RetryPolicy.RetryPolicy | undefined
  /** Per-attempt timeout. */
  readonly timeout: Duration.Duration
  /** Bound on one operation with all its retries, or undefined for none. */
  readonly deadline: Duration.Duration | undefined
  /** Largest response body read, in bytes. */
  readonly maxBodyBytes: number
  /** Applied to the `HttpClient` before use, when given. */
  readonly transformClient: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
  readonly rateLimit: RateLimit.Service | undefined
  readonly metrics: boolean
}

/**
 * The defaults of {@link Transport} (the same as `HttpTransport`'s).
 *
 * @since 0.2.0
 */
export const transportDefaults = {
  timeout: HttpTransport.defaultTimeout,
  maxBodyBytes: HttpTransport.defaultMaxBodyBytes
} as const

type Transform = (client: HttpClient.HttpClient) => HttpClient.HttpClient

/**
 * What a check sees of an options record: any value may be wrong at run time.
 *
 * @since 0.2.0
 */
export type Input<O> = { readonly [K in keyof O]?: unknown }

/**
 * Checks the {@link Transport} options of a record: `timeout` and
 * `deadline` finite and > 0, `maxBodyBytes` a whole number ≥ 1,
 * `retryPolicy` a Schedule, `transformClient` a function.
 *
 * @since 0.2.0
 */
export const transport = (options: Input<Transport>): Check<ResolvedTransport> =>
  all({
    retryPolicy: optional(options.retryPolicy, (v) => schedule(v, ["retryPolicy"])),
    timeout: duration(options.timeout ?? transportDefaults.timeout, ["timeout"]),
    deadline: optional(options.deadline, (v) => duration(v, ["deadline"])),
    maxBodyBytes: integer(options.maxBodyBytes ?? transportDefaults.maxBodyBytes, ["maxBodyBytes"], {
      min: 1,
      max: Number.MAX_SAFE_INTEGER
    }),
    transformClient: optional(options.transformClient, (v) => func(v as Transform, ["transformClient"])),
    rateLimit: optional(options.rateLimit, (v) => rateLimiter(v, ["rateLimit"])),
    metrics: options.metrics === undefined || typeof options.metrics === "boolean"
      ? Either.right(options.metrics !== false)
      : Either.left(invalid(["metrics"], `${Validation.quote(options.metrics)} is not true or false`))
  })

const rateLimiter = (value: unknown, path: Path): Check<RateLimit.Service> => {
  const v = value as Partial<RateLimit.Service> | null
  return typeof v === "object" && v !== null && Effect.isEffect(v.take) && typeof v.pause === "function" &&
      typeof v.options === "object"
    ? Either.right(value as RateLimit.Service)
    : Either.left(invalid(path, "is not a rate limiter: build one with RateLimit.make(…)"))
}

/**
 * `maxPages`: absent, or a whole number ≥ 1.
 *
 * @since 0.2.0
 */
export const maxPages = (value: unknown): Check<number | undefined> =>
  optional(value, (v) => integer(v, ["maxPages"], { min: 1, max: Number.MAX_SAFE_INTEGER }))

export { format, type Problem, problems } from "./internal/configProblems.js"

// ---------------------------------------------------------------------------
// Environment variables

const read = <A>(name: string, check: (raw: string, path: Path) => Check<A>): Config.Config<A> =>
  Config.string(name).pipe(Config.mapOrFail((raw) => check(raw, [])))

const integerText = (raw: string, path: Path, range: Validation.Range): Check<number> =>
  /^\s*[+-]?\d+\s*$/.test(raw)
    ? integer(Number(raw), path, range)
    : Either.left(invalid(path, `${Validation.quote(raw)} is not a whole number`))

/**
 * `Config`s that read one variable and apply the check above; a failure's
 * path is the variable's name (missing: `MissingData`, bad: `InvalidData`).
 * Wrap them in `Config.option` / `Config.withDefault` for optional variables.
 *
 * @since 0.2.0
 */
export const env = {
  /** A base URL, checked as {@link baseUrl} checks it. */
  baseUrl: (name: string): Config.Config<string> => read(name, baseUrl),
  /** A secret, `Redacted` as soon as it is read; never quoted in errors. */
  secret: (name: string): Config.Config<Redacted.Redacted<string>> =>
    read(name, (raw, path) => secret(Redacted.make(raw), path)),
  /** Text that is not empty or whitespace. */
  nonBlank: (name: string): Config.Config<string> => read(name, nonBlank),
  /** A whole number within `range`. */
  integer: (name: string, range: Validation.Range = {}): Config.Config<number> =>
    read(name, (raw, path) => integerText(raw, path, range)),
  /** A duration ("5 seconds", "250 millis"), checked by `rule`. */
  duration: (name: string, rule: DurationRule = {}): Config.Config<Duration.Duration> =>
    read(name, (raw, path) => duration(raw.trim(), path, rule)),
  /** One of the `allowed` words. */
  literal: <const L extends string>(name: string, allowed: ReadonlyArray<L>): Config.Config<L> =>
    read(name, (raw, path) => literal(raw.trim(), path, allowed)),
  /** A variable that may be absent: `undefined` then (a set but bad value still fails, naming it). */
  optional: <A>(config: Config.Config<A>): Config.Config<A | undefined> =>
    Config.map(Config.option(config), Option.getOrUndefined),
  /** Whether a variable is set at all (an empty value counts as set). */
  isSet: (name: string): Config.Config<boolean> => Config.map(Config.option(Config.string(name)), Option.isSome)
} as const
