/**
 * The flags `watch` takes for `--all`, and running it over every configured
 * provider (see `watchAll`).
 */
import * as Options from "@effect/cli/Options"
import { Job } from "@jobstream/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { UsageError } from "../Errors.js"
import * as Providers from "../Providers.js"
import { choiceOption, choicesOption, durationOption, integerOption } from "./flags.js"
import * as WatchAll from "./watchAll.js"

/** The flags. */
export const flags = {
  all: Options.boolean("all").pipe(
    Options.withDescription("Watch every job of every configured provider (no <provider> <id>); --interval is the pace while jobs run")
  ),
  // The same floor as --interval: a poll a second at most.
  idleInterval: durationOption("idle-interval", Duration.seconds(1)).pipe(
    Options.withDescription("With --all: time between polls of a provider whose jobs are all final (default 1m)"),
    Options.optional
  ),
  status: choicesOption("status", Job.statuses).pipe(
    Options.withDescription("With --all: only changes to jobs with this normalized status (repeatable)")
  ),
  limit: integerOption("limit").pipe(Options.withDescription("With --all: stop after N changes"), Options.optional),
  keepGoing: Options.boolean("keep-going").pipe(
    Options.withDescription(
      "With --all: a provider whose polls keep failing does not end the watch; each failed poll is a line on stderr and the provider is polled again"
    )
  ),
  format: choiceOption("format", WatchAll.formats).pipe(
    Options.withDescription("With --all: table (a row per change) or ndjson (one JSON object per change); auto (default): table on a terminal"),
    Options.withDefault("auto" as WatchAll.WatchFormat)
  )
}

/** What `runAll` reads of the parsed arguments. */
export interface AllArgs {
  readonly interval: Duration.Duration
  readonly idleInterval: Option.Option<Duration.Duration>
  readonly status: ReadonlyArray<Job.Status>
  readonly limit: Option.Option<number>
  readonly keepGoing: boolean
  readonly format: WatchAll.WatchFormat
  readonly provider: Option.Option<string>
  readonly id: Option.Option<string>
}

/** `watch --all`. */
export const runAll = (args: AllArgs, settings: Providers.Settings) =>
  Effect.gen(function*() {
    if (Option.isSome(args.provider) || Option.isSome(args.id)) {
      return yield* new UsageError({ message: "watch --all takes no <provider> or <id>: it watches every configured provider" })
    }
    const limit = Option.getOrUndefined(args.limit)
    if (limit !== undefined && limit < 1) return yield* new UsageError({ message: `--limit must be 1 or more, got ${limit}` })
    const selected = yield* Providers.select([], settings)
    const handles = yield* Effect.forEach(selected, (provider) => Providers.open(provider, settings), { concurrency: "unbounded" })
    yield* WatchAll.run({
      handles,
      interval: args.interval,
      idleInterval: Option.getOrElse(args.idleInterval, () => WatchAll.defaultIdleInterval),
      statuses: args.status,
      limit,
      keepGoing: args.keepGoing,
      format: args.format
    })
  })
