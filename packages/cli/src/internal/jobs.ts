/**
 * The commands on one job: `get`, `cancel` and `watch`, for the providers
 * whose descriptor offers them.
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { type ApiError, Job } from "@jobstream/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { CliExit, ExitCode, oneLine, UsageError } from "../Errors.js"
import * as Format from "../Format.js"
import * as Providers from "../Providers.js"
import { able, choiceOption, connection, durationOption, idArg, providerArg, settingsOf } from "./flags.js"
import { out } from "./print.js"
import * as WatchAllFlags from "./watchAllFlags.js"

/**
 * The least `--interval` of `watch`: polling faster only loads the server
 * (an ICWS job changes state in seconds at best), so 1 s is the floor.
 */
export const minInterval = Duration.seconds(1)

/**
 * The line for a job that does not exist. Where the API has no per-job
 * endpoint the client scans the listing, and a job that is not in it is "not
 * found" with no HTTP status of its own; the line therefore states the fact
 * and what the provider or the scan said, never a status code. Secrets are
 * masked when the line is printed.
 */
const notFound = (id: string, error: ApiError.NotFound): string => {
  const detail = error.providerMessage === undefined ? "" : ` (${oneLine(error.providerMessage)})`
  return `${error.provider}: job ${JSON.stringify(id)} not found${detail}`
}

/** `jobstream get`. */
export const get = Command.make(
  "get",
  {
    ...connection,
    format: choiceOption("format", ["text", "json"]).pipe(
      Options.withDescription("text (field: value lines) or json (the normalized job with the provider's raw record)"),
      Options.withDefault("text" as const)
    ),
    provider: providerArg(Providers.names, "", "looked up"),
    id: idArg
  },
  (args) =>
    Effect.gen(function*() {
      const settings = yield* settingsOf(args)
      const provider = yield* Providers.requireConfigured(args.provider, settings)
      const handle = yield* Providers.open(provider, settings)
      const job = yield* handle.getJob(args.id).pipe(
        Effect.catchTag("NotFound", (error) => Effect.fail(new CliExit({ code: ExitCode.apiError, message: notFound(args.id, error) })))
      )
      yield* out(args.format === "json" ? `${JSON.stringify(Job.toJson(job), null, 2)}\n` : Format.details(job))
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
).pipe(Command.withDescription("Show one job, normalized (where the API has no per-job endpoint, the listing is scanned)"))

/** `jobstream cancel`. */
export const cancel = Command.make(
  "cancel",
  { ...connection, provider: providerArg(able("cancel"), " (the providers whose jobs can be canceled)", "canceled"), id: idArg },
  (args) =>
    Effect.gen(function*() {
      const settings = yield* settingsOf(args)
      const provider = yield* Providers.requireConfigured(args.provider, settings)
      const handle = yield* Providers.open(provider, settings)
      if (handle.cancelJob === undefined) {
        return yield* new UsageError({ message: `${provider.name} jobs cannot be canceled` })
      }
      yield* handle.cancelJob(args.id)
      yield* out(`canceled ${args.id}\n`)
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
).pipe(Command.withDescription(`Cancel a queued or running job (${able("cancel").join(", ")})`))

/** `jobstream watch`. */
export const watch = Command.make(
  "watch",
  {
    ...connection,
    interval: durationOption("interval", minInterval).pipe(
      Options.withDescription(`Time between polls, e.g. 2s, 1m (default 2s, at least ${Duration.format(minInterval)})`),
      Options.withDefault(Duration.seconds(2))
    ),
    timeout: durationOption("timeout").pipe(
      Options.withDescription("Give up (exit 4) when the job has not ended after this long"),
      Options.optional
    ),
    ...WatchAllFlags.flags,
    provider: providerArg(able("watch"), " (the providers whose jobs can be watched)", "watched").pipe(Args.optional),
    id: idArg.pipe(Args.optional)
  },
  (args) =>
    Effect.gen(function*() {
      const settings = yield* settingsOf(args)
      if (args.all) return yield* WatchAllFlags.runAll(args, settings)
      if (Option.isNone(args.provider) || Option.isNone(args.id)) {
        return yield* new UsageError({ message: "watch needs <provider> <id>, or --all" })
      }
      const id = args.id.value
      const provider = yield* Providers.requireConfigured(args.provider.value, settings)
      const handle = yield* Providers.open(provider, settings)
      if (handle.watchJob === undefined) {
        return yield* new UsageError({ message: `${provider.name} jobs cannot be watched` })
      }
      const spaced = Schedule.spaced(args.interval)
      const schedule = Option.match(args.timeout, { onNone: () => spaced, onSome: (t) => Schedule.upTo(spaced, t) })
      let last: Job.Job | undefined
      yield* handle.watchJob(id, schedule).pipe(
        Stream.runForEach((job) => {
          last = job
          const detail = provider.detail?.(job)
          const info = detail === undefined ? "" : `  ${oneLine(detail)}`
          return out(`${Format.instant(new Date())}  ${id}  ${job.status}  ${oneLine(job.providerStatus)}${info}\n`)
        })
      )
      const final = last
      if (final === undefined || !Job.isTerminal(final.status)) {
        return yield* new CliExit({
          code: ExitCode.watchTimeout,
          message: `gave up watching job ${id} (last state: ${oneLine(final?.providerStatus ?? "unknown")})`
        })
      }
      if (final.status !== "succeeded") {
        return yield* new CliExit({
          code: ExitCode.jobFailed,
          message: `job ${id} ended ${oneLine(final.providerStatus)}`
        })
      }
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
).pipe(
  Command.withDescription(
    `Poll a job (${able("watch").join(", ")}) and print each status change (normalized, then the provider's word); ` +
      "exit 0 when it succeeds, 3 when it fails or is canceled, 4 on --timeout. " +
      "With --all: every change of every job of every configured provider, until Ctrl-C"
  )
)
