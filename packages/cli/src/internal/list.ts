/**
 * `jobstream list`: every job of the configured providers, merged and
 * streamed; fail-fast or `--keep-going`.
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { AllJobs, Job, Provider } from "@jobstream/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { CliExit, ExitCode, UsageError } from "../Errors.js"
import * as Format from "../Format.js"
import { Output } from "../Output.js"
import * as Providers from "../Providers.js"
import { choiceOption, choicesOption, connection, integerOption, settingsOf } from "./flags.js"
import { apiErrorLine } from "./hints.js"
import * as Resumable from "./resume.js"
import { errorLine, seconds } from "./print.js"

/** The command. */
export const list = Command.make(
  "list",
  {
    ...connection,
    provider: choicesOption("provider", Providers.names).pipe(
      Options.withDescription("Only this provider (repeatable); default: every configured provider")
    ),
    status: choicesOption("status", Job.statuses).pipe(
      Options.withDescription(`Only jobs with this normalized status (repeatable): ${Job.statuses.join(", ")}`)
    ),
    limit: integerOption("limit").pipe(
      Options.withDescription("Stop after N jobs (stops the requests too)"),
      Options.optional
    ),
    format: choiceOption("format", Format.formats).pipe(
      Options.withDescription("table (fixed-width columns), json (one array) or ndjson (one job per line)"),
      Options.withDefault("table" as Format.Format)
    ),
    keepGoing: Options.boolean("keep-going").pipe(
      Options.withDescription("When a provider fails, report it on stderr and go on with the others (exit 1 at the end)")
    ),
    summary: Options.boolean("summary").pipe(
      Options.withDescription("Print a one-line summary (counts per provider, elapsed time) on stderr at the end")
    ),
    resume: Options.text("resume").pipe(
      Options.withDescription(
        "Checkpoint the listing under this name and, if it was stopped before, go on where it stopped " +
          "(files in $JOBSTREAM_STATE_DIR, default ~/.local/state/jobstream/checkpoints)"
      ),
      Options.optional
    ),
    restart: Options.boolean("restart").pipe(Options.withDescription("With --resume: ignore the checkpoint and start over"))
  },
  (args) =>
    Effect.gen(function*() {
      const started = Date.now()
      const output = yield* Output
      const settings = yield* settingsOf(args)
      const limit = Option.getOrUndefined(args.limit)
      if (limit !== undefined && limit < 1) {
        return yield* new UsageError({ message: `--limit: expected 1 or more, got ${limit}` })
      }
      const selected = yield* Providers.select(args.provider, settings)
      const handles = yield* Effect.forEach(selected, (provider) => Providers.open(provider, settings), {
        concurrency: "unbounded"
      })
      const service = AllJobs.make(handles.map(Provider.source))
      const filter: AllJobs.Filter = { providers: handles.map((h) => h.provider), statuses: args.status }

      const counts = new Map<string, number>(handles.map((h) => [h.provider, 0]))
      let total = 0
      let lastProgress = 0
      const writer = Format.writer(args.format)
      const emit = (jobs: ReadonlyArray<Job.Job>) => {
        for (const job of jobs) counts.set(job.provider, (counts.get(job.provider) ?? 0) + 1)
        total += jobs.length
        const now = Date.now()
        const showProgress = output.interactive && now - lastProgress >= 100
        if (showProgress) lastProgress = now
        return output.out(writer.chunk(jobs)).pipe(
          Effect.zipRight(
            showProgress
              ? output.progress(`${total} jobs (${[...counts].map(([p, n]) => `${p} ${n}`).join(", ")}) …`)
              : Effect.void
          )
        )
      }
      const summary = Effect.suspend(() =>
        args.summary
          ? output.err(
            `listed ${total} jobs (${[...counts].map(([p, n]) => `${p} ${n}`).join(", ")}) in ${seconds(Date.now() - started)}\n`
          )
          : Effect.void
      )

      const resume = Option.getOrUndefined(args.resume)
      if (resume !== undefined) {
        if (limit !== undefined) return yield* new UsageError({ message: "--resume cannot be combined with --limit" })
        const keep = filter.statuses === undefined || filter.statuses.length === 0
          ? () => true
          : (job: Job.Job) => filter.statuses!.includes(job.status)
        const failed = yield* Resumable.run({ name: resume, handles, restart: args.restart, keepGoing: args.keepGoing, keep, emit }).pipe(
          Effect.ensuring(output.progress(undefined))
        )
        yield* output.out(writer.end())
        yield* summary
        if (failed > 0) return yield* new CliExit({ code: ExitCode.apiError })
        return
      }
      if (args.restart) return yield* new UsageError({ message: "--restart needs --resume <name>" })

      if (!args.keepGoing) {
        const jobs = AllJobs.jobs(filter).pipe(Stream.provideService(AllJobs.AllJobs, service))
        yield* (limit === undefined ? jobs : Stream.take(jobs, limit)).pipe(
          Stream.runForEachChunk((chunk) => emit(Chunk.toReadonlyArray(chunk))),
          Effect.ensuring(output.progress(undefined))
        )
        yield* output.out(writer.end())
        yield* summary
        return
      }

      let taken = 0
      let failed = 0
      const settled = AllJobs.settled(filter).pipe(Stream.provideService(AllJobs.AllJobs, service))
      yield* (limit === undefined
        ? settled
        : Stream.takeUntil(settled, (e) => e._tag === "Job" && ++taken >= limit)).pipe(
          Stream.runForEachChunk((chunk) =>
            Effect.gen(function*() {
              const jobs: Array<Job.Job> = []
              for (const e of chunk) {
                if (e._tag === "Job") {
                  jobs.push(e.job)
                } else {
                  failed++
                  yield* errorLine(apiErrorLine(e.error))
                }
              }
              yield* emit(jobs)
            })
          ),
          Effect.ensuring(output.progress(undefined))
        )
      yield* output.out(writer.end())
      yield* summary
      if (failed > 0) return yield* new CliExit({ code: ExitCode.apiError })
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
).pipe(
  Command.withDescription(
    "Stream every job of the configured providers, merged; rows print as pages arrive. " +
      "Fails on the first provider error unless --keep-going."
  )
)
