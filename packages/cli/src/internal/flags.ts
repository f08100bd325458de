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

/** `"text"` quoted for a message: one line, at most 40 characters. */
const quoted = (text: string): string => JSON.stringify(oneLine(text).slice(0, 40))

/** A usage error on an option's value (exit 2), worded `--name: …`. */
const invalid = (message: string) => ValidationError.invalidValue(HelpDoc.p(message))

/**
 * One of `choices`, or a usage error that names the option and lists them:
 * `--provider: expected one of insideview, greenarrow, icws, got "foo"`.
 * (@effect/cli's own choice error does not say which option it is about.)
 */
export const checkChoice = <const A extends string>(
  label: string,
  choices: ReadonlyArray<A>,
  value: string
): Either.Either<A, string> =>
  choices.find((c) => c === value) !== undefined
    ? Either.right(value as A)
    : Either.left(`${label}: expected one of ${choices.join(", ")}, got ${quoted(value)}`)

/** An option whose value is one of `choices`; an unknown value is a usage error naming the option. */
export const choiceOption = <const A extends string>(name: string, choices: ReadonlyArray<A>) =>
  Options.text(name).pipe(
    Options.withPseudoName(choices.join("|")),
    Options.mapEffect((value) =>
      Either.match(checkChoice(`--${name}`, choices, value), { onLeft: (m) => Effect.fail(invalid(m)), onRight: Effect.succeed })
    )
  )

/** The repeatable form of {@link choiceOption}. */
export const choicesOption = <const A extends string>(name: string, choices: ReadonlyArray<A>) =>
  Options.text(name).pipe(
    Options.withPseudoName(choices.join("|")),
    Options.repeated,
    Options.mapEffect((values) =>
      Effect.forEach(values, (value) =>
        Either.match(checkChoice(`--${name}`, choices, value), { onLeft: (m) => Effect.fail(invalid(m)), onRight: Effect.succeed }))
    )
  )

/**
 * A whole-number option, read in English when it is not one:
 * `--limit: expected a whole number, got "abc"`. Ranges are checked where the
 * value is used.
 */
export const integerOption = (name: string) =>
  Options.text(name).pipe(
    Options.withPseudoName("N"),
    Options.mapEffect((text) => {
      const trimmed = text.trim()
      return /^[+-]?\d+$/.test(trimmed) && Number.isSafeInteger(Number(trimmed))
        ? Effect.succeed(Number(trimmed))
        : Effect.fail(invalid(`--${name}: expected a whole number, got ${quoted(text)}`))
    })
  )

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
  retries: integerOption("retries").pipe(
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

/**
 * A duration option ("500ms", "2s", "5m"); below `minimum` (when given) it is a
 * usage error that says the least accepted value.
 */
export const durationOption = (name: string, minimum?: Duration.Duration) =>
  Options.text(name).pipe(
    Options.mapEffect((text) =>
      Option.match(parseDuration(text), {
        onNone: () =>
          Effect.fail(invalid(
            minimum === undefined
              ? `--${name}: expected a duration above zero like 500ms, 2s or 5m, got ${quoted(text)}`
              : `--${name}: expected a duration of at least ${Duration.format(minimum)} like 2s or 5m, got ${quoted(text)}`
          )),
        onSome: (duration) =>
          minimum !== undefined && Duration.lessThan(duration, minimum)
            ? Effect.fail(invalid(`--${name}: must be at least ${Duration.format(minimum)}, got ${quoted(text)}`))
            : Effect.succeed(duration)
      })
    )
  )

/**
 * The provider argument of `get`, `cancel` and `watch`: one of `names` (the
 * providers with the command's capability). A registered provider that lacks
 * the capability is told so rather than called unknown.
 */
export const providerArg = (names: ReadonlyArray<string>, what: string, verb: string) =>
  Args.text({ name: "provider" }).pipe(
    Args.withDescription(`One of ${names.join(", ")}${what}`),
    Args.mapEffect((value) => {
      if (!names.includes(value) && Providers.names.includes(value)) {
        return Effect.fail(HelpDoc.p(`provider: ${value} jobs cannot be ${verb} (only ${names.join(", ")})`))
      }
      return Either.match(checkChoice("provider", names, value), {
        onLeft: (m) => Effect.fail(HelpDoc.p(m)),
        onRight: Effect.succeed
      })
    })
  )
export const able = (capability: keyof Provider.Provider["capabilities"]) =>
  Providers.providers.filter((p) => p.capabilities[capability]).map((p) => p.name)
export const idArg = Args.text({ name: "id" }).pipe(Args.withDescription("The provider's job id"))
