/**
 * A provider descriptor: what a program that works with "every configured
 * provider" needs to know about one API, so that it never switches on a
 * provider's name. The CLI, the `AllJobs` wiring, the test suites and the
 * benchmarks iterate over a list of descriptors; each provider package
 * exports its own (`InsideViewProvider.provider`, …), and adding a provider
 * is adding a package and one line to such a list.
 *
 * A descriptor says
 * - who it is (`name`, `title`),
 * - how it is configured: the environment variables it reads, which of them
 *   are secret, which combination is required, and which base URLs a caller
 *   may override (the CLI turns those into `--<name>-<flag>` flags);
 * - how to open it: `open(overrides)` reads the configuration through the
 *   `ConfigProvider` in context, builds the provider's client (its typed
 *   Layer, checked once: a bad value is a `ConfigError` naming the variable)
 *   and returns a {@link Handle}: the operations every provider offers, over
 *   normalized {@link Job.Job}s. The client lives as long as the scope, so a
 *   login session is closed with it.
 *
 * Programs that know which provider they use keep using its typed client
 * (`InsideViewClient`, …); the descriptor is for code that must not care.
 *
 * @since 0.2.0
 * @module
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as AllJobs from "./AllJobs.js"
import type * as ApiError from "./ApiError.js"
import type * as Job from "./Job.js"
import * as RateLimitModule from "./RateLimit.js"
import type * as RateLimit from "./RateLimit.js"
import type * as Resume from "./Resume.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as RetryPolicyModule from "./RetryPolicy.js"

/**
 * One environment variable a provider reads.
 *
 * @since 0.2.0
 */
export interface Variable {
  /** The variable, e.g. "INSIDEVIEW_BASE_URL". */
  readonly name: string
  /** Whether its value is a secret (never printed, masked wherever it could appear). */
  readonly secret: boolean
  /** One line on what it holds, for help texts. */
  readonly description: string
}

/**
 * A base URL a caller may override without touching the environment (the
 * CLI's `--insideview-url`).
 *
 * @since 0.2.0
 */
export interface UrlSetting {
  /** The flag's suffix after the provider's name: "url" gives `--insideview-url`. */
  readonly flag: string
  /** The variable it overrides, e.g. "INSIDEVIEW_BASE_URL". */
  readonly variable: string
  /** One line for help texts. */
  readonly description: string
}

/**
 * What a caller may impose on any provider, whatever its own options are.
 *
 * @since 0.2.0
 */
export interface Overrides {
  /** Values for the provider's {@link UrlSetting}s, by variable name; they win over the environment. */
  readonly urls?: Readonly<Record<string, string>> | undefined
  /**
   * Retries of transient failures per request, with the provider's own rules
   * otherwise (InsideView, say, keeps failing fast on a 429 without
   * `Retry-After`). Ignored when `retryPolicy` is given.
   */
  readonly retries?: number | undefined
  /** Replaces the provider's retry policy altogether. */
  readonly retryPolicy?: RetryPolicy.RetryPolicy | undefined
  /** Replaces the provider's per-attempt timeout. */
  readonly timeout?: Duration.DurationInput | undefined
  /**
   * Whether to hold the client to the provider's documented request rate
   * (`Provider.rateLimit`) with a client-side limiter. Default true for the
   * providers that document one; false turns it off.
   *
   * @since 0.2.0
   */
  readonly rateLimit?: boolean | undefined
}

/**
 * The period a usage report covers: "day", "month" or "year", and its first
 * and last day, month or year written YYYY-MM-DD, YYYY-MM or YYYY.
 *
 * @since 0.2.0
 */
export interface UsagePeriod {
  readonly period: "day" | "month" | "year"
  readonly start: string
  readonly end: string
}

/**
 * An account's use of the API over a period, where the API reports it
 * (InsideView's `GET /api/v1/admin/usage`).
 *
 * @since 0.2.0
 */
export interface Usage {
  readonly provider: string
  /** The account, when the API names it. */
  readonly account?: string | undefined
  readonly period: UsagePeriod
  /** Requests counted by the API, by API (and date, when given). */
  readonly transactions: ReadonlyArray<{ readonly api: string; readonly date?: string | undefined; readonly count: number }>
  /** Credits allocated and consumed over the period, when the API reports them; `remaining` is their difference. */
  readonly credits?: {
    readonly allocated?: number | undefined
    readonly consumed?: number | undefined
    readonly remaining?: number | undefined
  } | undefined
  /** The API's own answer. */
  readonly raw: unknown
}

/**
 * A provider's client seen through the operations every provider offers.
 *
 * @since 0.2.0
 */
export interface Handle {
  /** The provider's name. */
  readonly provider: string
  /** Every job, normalized, in the provider's own order. */
  readonly jobs: Stream.Stream<Job.Job, ApiError.ApiError>
  /** One job by id; `NotFound` when there is none. */
  readonly getJob: (id: string) => Effect.Effect<Job.Job, ApiError.ApiError>
  /** Cancels a job, where the API can. */
  readonly cancelJob?: ((id: string) => Effect.Effect<void, ApiError.ApiError>) | undefined
  /**
   * Polls a job on `schedule` and emits it each time its status changes; ends
   * after a final status, or when the schedule ends. Where the API can.
   */
  readonly watchJob?:
    | ((id: string, schedule: Schedule.Schedule<unknown>) => Stream.Stream<Job.Job, ApiError.ApiError>)
    | undefined
  /**
   * Every job, normalized, starting at a page (undefined: the first), each
   * with the page it came from: what `Resume.forEach` needs to checkpoint
   * and resume the listing.
   *
   * @since 0.2.0
   */
  readonly jobsFrom?: Resume.Listing | undefined
  /**
   * The account's usage and quota over a period, where the API reports it.
   *
   * @since 0.2.0
   */
  readonly usage?: ((period: UsagePeriod) => Effect.Effect<Usage, ApiError.ApiError>) | undefined
}

/**
 * The descriptor.
 *
 * @since 0.2.0
 */
export interface Provider {
  /** The name used everywhere (errors, jobs, flags): "insideview". */
  readonly name: string
  /** The name for people: "InsideView". */
  readonly title: string
  /** Every variable the provider reads. */
  readonly variables: ReadonlyArray<Variable>
  /** The base URLs a caller may override. */
  readonly urls: ReadonlyArray<UrlSetting>
  /** Which variables must be set, in words, for "not configured" messages. */
  readonly requirement: string
  /**
   * The required variables that are missing, given which are set (a variable
   * set to an empty value counts as set: the client then reports it as
   * empty, naming it).
   */
  readonly missing: (isSet: (variable: string) => boolean) => ReadonlyArray<string>
  /**
   * The request rate the provider documents, as limiter settings: what
   * `open` holds the client to unless `Overrides.rateLimit` is false.
   *
   * @since 0.2.0
   */
  readonly rateLimit?: RateLimit.Options | undefined
  /** What the provider's {@link Handle} offers beyond listing and getting. */
  readonly capabilities: {
    readonly cancel: boolean
    readonly watch: boolean
    /** Whether the handle offers `usage` (an account usage / quota report). Default false. @since 0.2.0 */
    readonly usage?: boolean | undefined
  }
  /**
   * The provider's own one-line remark on a job, from its record (ICWS: the
   * job's `errorInfo`), for display next to the status; none when absent.
   *
   * @since 0.2.0
   */
  readonly detail?: ((job: Job.Job) => string | undefined) | undefined
  /** Opens the provider from its configuration; closed with the scope. */
  readonly open: (overrides?: Overrides) => Effect.Effect<Handle, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope>
}

/**
 * Declares a descriptor (an identity that checks the shape).
 *
 * @since 0.2.0
 */
export const make = (provider: Provider): Provider => provider

/**
 * A handle as a source for `AllJobs.make`.
 *
 * @since 0.2.0
 */
export const source = (handle: Handle): AllJobs.Source => ({ provider: handle.provider, jobs: handle.jobs })

/**
 * The secret variables of a list of descriptors.
 *
 * @since 0.2.0
 */
export const secretVariables = (providers: ReadonlyArray<Provider>): ReadonlyArray<string> =>
  providers.flatMap((p) => p.variables.filter((v) => v.secret).map((v) => v.name))

/**
 * The descriptor with this name, if any.
 *
 * @since 0.2.0
 */
export const find = (providers: ReadonlyArray<Provider>, name: string): Provider | undefined =>
  providers.find((p) => p.name === name)

/**
 * Runs `effect` with the URL overrides read as if they were environment
 * variables (they win over the `ConfigProvider` in context), so the provider
 * reads them, checks them and names them like any other variable.
 *
 * @since 0.2.0
 */
export const withUrls = <A, E, R>(overrides: Overrides | undefined, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> => {
  const urls = Object.entries(overrides?.urls ?? {})
  if (urls.length === 0) return effect
  return Effect.configProviderWith((current) =>
    Effect.withConfigProvider(effect, ConfigProvider.orElse(ConfigProvider.fromMap(new Map(urls)), () => current))
  )
}

/**
 * The options every client shares (`retryPolicy`, `timeout`) from
 * overrides, leaving out what is not set so it does not mask the client's
 * own configuration. `retries` becomes `policy(retries)`, the provider's own
 * policy with that many retries.
 *
 * @since 0.2.0
 */
export const clientOptions = (
  overrides: Overrides | undefined,
  policy: (retries: number) => RetryPolicy.RetryPolicy = (maxRetries) => RetryPolicyModule.make({ maxRetries })
): { readonly retryPolicy?: RetryPolicy.RetryPolicy; readonly timeout?: Duration.DurationInput } => {
  const out: { retryPolicy?: RetryPolicy.RetryPolicy; timeout?: Duration.DurationInput } = {}
  if (overrides?.timeout !== undefined) out.timeout = overrides.timeout
  if (overrides?.retryPolicy !== undefined) out.retryPolicy = overrides.retryPolicy
  else if (overrides?.retries !== undefined) out.retryPolicy = policy(overrides.retries)
  return out
}

/**
 * A client's `config` with the overrides' shared options (`retryPolicy`,
 * `timeout`) on top: what a descriptor's `open` passes to the client's
 * `layerConfig`.
 *
 * @since 0.2.0
 */
export const withOptions = <O extends object>(
  config: Config.Config<O>,
  overrides: Overrides | undefined,
  policy?: (retries: number) => RetryPolicy.RetryPolicy
): Config.Config<O> => Config.map(config, (options) => ({ ...options, ...clientOptions(overrides, policy) }))

/**
 * The usual body of a descriptor's `open`: builds the client's Layer in the
 * current scope (with the URL overrides read as variables, see
 * {@link withUrls}) and turns the service into a {@link Handle}.
 *
 * @since 0.2.0
 */
export const openLayer = <I, S>(
  overrides: Overrides | undefined,
  layer: Layer.Layer<I, ConfigError.ConfigError, HttpClient.HttpClient>,
  tag: Context.Tag<I, S>,
  handle: (service: S) => Handle
): Effect.Effect<Handle, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  withUrls(overrides, Effect.map(Layer.build(layer), (context) => handle(Context.get(context, tag))))

/**
 * The limiter `open` gives a client: one with the provider's documented
 * settings, unless the overrides turn it off or the provider documents none.
 *
 * @since 0.2.0
 */
export const limiterFor = (
  settings: RateLimit.Options | undefined,
  overrides: Overrides | undefined
): Effect.Effect<RateLimit.Service | undefined> =>
  settings === undefined || overrides?.rateLimit === false ? Effect.succeed(undefined) : RateLimitModule.make(settings)

/**
 * A client's two Layers from its `make`, the Effect convention: `layer(options)`
 * and `layerConfig(config)`, where `config` is a `Config.Config.Wrap` of the
 * options (one `Config` per option, or one `Config` of them all). The client
 * lives as long as the Layer's scope.
 *
 * @since 0.2.0
 */
export const layers = <I, S, O, R>(
  tag: Context.Tag<I, S>,
  make: (options: O) => Effect.Effect<S, ConfigError.ConfigError, R>
): {
  /** The client as a Layer, from options. */
  readonly layer: (options: O) => Layer.Layer<I, ConfigError.ConfigError, Exclude<R, Scope.Scope>>
  /** The client as a Layer, from a configuration (each option a `Config`, or one `Config` of them all). */
  readonly layerConfig: (config: Config.Config.Wrap<O>) => Layer.Layer<I, ConfigError.ConfigError, Exclude<R, Scope.Scope>>
} => ({
  layer: (options) => Layer.scoped(tag, make(options)),
  layerConfig: (config) => Layer.scoped(tag, Effect.flatMap(Config.unwrap(config), make))
})
