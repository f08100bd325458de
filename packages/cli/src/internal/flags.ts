/**
 * The flags and arguments every command shares: a `--<provider>-<flag>` per
 * base URL a descriptor lets callers override, `--retries`, durations, and
 * the provider argument (restricted to the providers with a capability).
 */
import * as Args from "@effect/cli/Args"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import { ClientOptions, type Provider } from "@jobstream/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import { oneLine, UsageError } from "../Errors.js"
import * as Providers from "../Providers.js"

/**
 * Connection flags shared by every command: a `--<provider>-<flag>` per URL
 * a descriptor lets callers override, and `--retries`. Secrets are read from
 * the environment only.
 */
export const connection = {
  urls: Options.all(Object.fromEntries(Providers.urlFlags.map(({ flag, setting }) => [
    flag,
    Options.text(flag).pipe(
      Options.withDescription(`${setting.description}; ${setting.variable} (overrides the environment variable)`),
      Options.optional
    )
  ]))),
  retries: Options.integer("retries").pipe(
    Options.withDescription("Retries of transient failures (429 with Retry-After, 5xx, network) per request, 0..100; default 4"),
    Options.optional
  )
}

export interface ConnectionArgs {
  /** By flag name ("insideview-url"). */
  readonly urls: Readonly<Record<string, Option.Option<string>>>
  readonly retries: Option.Option<number>
}

/**
 * Most retries `--retries` accepts.
 *
 * @since 0.2.0
 */
export const maxRetries = 100

/**
 * The flags, checked: each URL as the clients check base URLs (http or https,
 * no user info, no query or fragment), `--retries` in 0..100. A problem is a
 * `UsageError` naming the flag (exit 2); a URL's credentials are never quoted.
 */
export const settingsOf = (args: ConnectionArgs): Effect.Effect<Providers.Settings, UsageError> => {
  const checked = ClientOptions.all({
    urls: ClientOptions.all(Object.fromEntries(Providers.urlFlags.map(({ flag, setting }) => [
      setting.variable,
      urlFlag(`--${flag}`, args.urls[flag] ?? Option.none())
    ]))),
    retries: ClientOptions.optional(Option.getOrUndefined(args.retries), (n) =>
      ClientOptions.integer(n, ["--retries"], { min: 0, max: maxRetries }))
  })
  return Either.match(checked, {
    onLeft: (error) => Effect.fail(new UsageError({ message: ClientOptions.format(error) })),
    onRight: ({ retries, urls }): Effect.Effect<Providers.Settings> => {
      const given: Record<string, string> = {}
      for (const [variable, url] of Object.entries(urls)) if (typeof url === "string") given[variable] = url
      return Effect.succeed({ urls: given, retries })
    }
  })
}

const urlFlag = (flag: string, value: Option.Option<string>) =>
  Option.match(value, {
    onNone: () => Either.right(undefined),
    onSome: (url) => ClientOptions.baseUrl(url, [flag])
  })

/**
 * Parses "500ms", "2s", "1.5m", "1h" (a bare number is seconds); zero and less are refused.
 *
 * @since 0.1.0
 */
export const parseDuration = (text: string): Option.Option<Duration.Duration> => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (m === null) return Option.none()
  const n = Number(m[1])
  const unit = m[2] ?? "s"
  const millis = unit === "ms" ? n : unit === "s" ? n * 1000 : unit === "m" ? n * 60_000 : n * 3_600_000
  return millis > 0 && Number.isFinite(millis) ? Option.some(Duration.millis(millis)) : Option.none()
}

export const durationOption = (name: string) =>
  Options.text(name).pipe(
    Options.mapEffect((text) =>
      Option.match(parseDuration(text), {
        onNone: () =>
          Effect.fail(
            ValidationError.invalidValue(
              HelpDoc.p(`--${name}: expected a duration above zero like 500ms, 2s or 5m, got "${oneLine(text).slice(0, 40)}"`)
            )
          ),
        onSome: Effect.succeed
      })
    )
  )

export const providerArg = (names: ReadonlyArray<string>, what: string) =>
  Args.choice(names.map((n) => [n, n] as [string, string]), { name: "provider" }).pipe(
    Args.withDescription(`One of ${names.join(", ")}${what}`)
  )
export const able = (capability: keyof Provider.Provider["capabilities"]) =>
  Providers.providers.filter((p) => p.capabilities[capability]).map((p) => p.name)
export const idArg = Args.text({ name: "id" }).pipe(Args.withDescription("The provider's job id"))
