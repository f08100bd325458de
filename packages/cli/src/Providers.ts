/**
 * Which providers are configured, and opening them: everything here works
 * on the descriptors of `Registry`, never on a provider's name.
 *
 * A provider is configured from its environment variables (read through
 * Effect's `ConfigProvider`, so the process environment by default); flags
 * may replace its base URLs (`--<provider>-<flag>`, from the descriptor's
 * `urls`). Secrets are read from the environment only: a secret in a flag
 * would be visible to every user of the machine in `ps` and would stay in
 * the shell history.
 *
 * @since 0.1.0
 * @module
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { Provider } from "@jobstream/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { UsageError } from "./Errors.js"
import { names, providers } from "./Registry.js"

export { names, providers }

/**
 * Settings that come from flags rather than the environment.
 *
 * @since 0.1.0
 */
export interface Settings {
  /** Base URLs given as flags, by the variable each overrides ("INSIDEVIEW_BASE_URL" → URL). */
  readonly urls: Readonly<Record<string, string>>
  /** Retries of transient failures; undefined keeps each client's default policy. */
  readonly retries?: number | undefined
}

/**
 * One `--<provider>-<flag>` flag.
 *
 * @since 0.2.0
 */
export interface UrlFlag {
  /** The flag without its dashes: "insideview-url". */
  readonly flag: string
  readonly provider: Provider.Provider
  readonly setting: Provider.UrlSetting
}

/**
 * Every URL flag of the registered providers.
 *
 * @since 0.2.0
 */
export const urlFlags: ReadonlyArray<UrlFlag> = providers.flatMap((provider) =>
  provider.urls.map((setting) => ({ flag: `${provider.name}-${setting.flag}`, provider, setting }))
)

/**
 * The variables holding secrets (never printed; masked in any message as a last resort).
 *
 * @since 0.1.0
 */
export const secretVariables: ReadonlyArray<string> = Provider.secretVariables(providers)

/**
 * Whether a variable is set at all. An empty or blank value counts as set: the
 * client's `layerConfig` then reports it precisely ("INSIDEVIEW_ACCESS_TOKEN:
 * must not be empty") instead of calling it missing.
 */
const present = (name: string): Effect.Effect<boolean> =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.isSome),
    Effect.orElseSucceed(() => false)
  )

/**
 * Whether a provider is mentioned at all, and which required variables are missing.
 *
 * @since 0.1.0
 */
export interface Status {
  readonly provider: Provider.Provider
  readonly mentioned: boolean
  readonly missing: ReadonlyArray<string>
}

/**
 * Inspects the configuration of one provider. A URL flag counts as setting
 * the variable it overrides; a missing variable that has a flag says so
 * ("GREENARROW_BASE_URL (or --greenarrow-url)").
 *
 * @since 0.1.0
 */
export const status = (provider: Provider.Provider, settings: Settings): Effect.Effect<Status> =>
  Effect.gen(function*() {
    const set = new Set<string>()
    for (const v of provider.variables) {
      if (settings.urls[v.name] !== undefined || (yield* present(v.name))) set.add(v.name)
    }
    const missing = provider.missing((name) => set.has(name)).map((name) => {
      const flag = provider.urls.find((u) => u.variable === name)
      return flag === undefined ? name : `${name} (or --${provider.name}-${flag.flag})`
    })
    return { provider, mentioned: set.size > 0, missing }
  })

const notConfigured = (s: Status) =>
  new UsageError({ message: `${s.provider.name} is not configured: missing ${s.missing.join(", ")}` })

/**
 * The providers to use. Asked-for providers must be fully configured. With
 * none asked for: every mentioned provider (a half-configured one is an
 * error rather than silently skipped); none at all is an error too.
 *
 * @since 0.1.0
 */
export const select = (
  asked: ReadonlyArray<string>,
  settings: Settings
): Effect.Effect<ReadonlyArray<Provider.Provider>, UsageError> =>
  Effect.gen(function*() {
    const wanted = asked.length > 0 ? providers.filter((p) => asked.includes(p.name)) : providers
    const statuses = yield* Effect.forEach(wanted, (p) => status(p, settings))
    for (const s of statuses) {
      if (s.missing.length > 0 && (asked.length > 0 || s.mentioned)) return yield* notConfigured(s)
    }
    const ready = statuses.filter((s) => s.missing.length === 0).map((s) => s.provider)
    if (ready.length === 0) {
      return yield* new UsageError({
        message: `no provider is configured: set ${providers.map((p) => p.requirement).join("; or ")}`
      })
    }
    return ready
  })

/**
 * The provider with this name, checked to be configured (for get, cancel, watch).
 *
 * @since 0.1.0
 */
export const requireConfigured = (name: string, settings: Settings): Effect.Effect<Provider.Provider, UsageError> =>
  Effect.gen(function*() {
    const provider = Provider.find(providers, name)
    if (provider === undefined) {
      return yield* new UsageError({ message: `unknown provider ${JSON.stringify(name)}: one of ${names.join(", ")}` })
    }
    const s = yield* status(provider, settings)
    if (s.missing.length > 0) return yield* notConfigured(s)
    return provider
  })

/**
 * Opens a provider from the environment and the flags; its client lives as
 * long as the scope (so a login session is closed when the command ends).
 *
 * @since 0.2.0
 */
export const open = (
  provider: Provider.Provider,
  settings: Settings
): Effect.Effect<Provider.Handle, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> => {
  const urls: Record<string, string> = {}
  for (const u of provider.urls) {
    const value = settings.urls[u.variable]
    if (value !== undefined) urls[u.variable] = value
  }
  return provider.open({ urls, retries: settings.retries })
}
