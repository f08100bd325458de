/**
 * The `jobstream` command tree (`list`, `get`, `cancel`, `watch`) on
 * `@effect/cli`, and `run`, which turns every outcome into an exit code.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { AllJobs, ClientOptions, Job, Provider } from "@jobstream/core"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Config from "effect/Config"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import { CliExit, describe, ExitCode, oneLine, redact, UsageError } from "./Errors.js"
import * as Format from "./Format.js"
import { Output } from "./Output.js"
import * as Providers from "./Providers.js"

/** The CLI version. */
export const version = "0.1.0"

// ---------------------------------------------------------------------------
// Shared options

/**
 * Connection flags shared by every command: a `--<provider>-<flag>` per URL
 * a descriptor lets callers override, and `--retries`. Secrets are read from
 * the environment only.
 */
const connection = {
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

interface ConnectionArgs {
  /** By flag name ("insideview-url"). */
  readonly urls: Readonly<Record<string, Option.Option<string>>>
  readonly retries: Option.Option<number>
}

/** Most retries `--retries` accepts. */
export const maxRetries = 100

/**
 * The flags, checked: each URL as the clients check base URLs (http or https,
 * no user info, no query or fragment), `--retries` in 0..100. A problem is a
 * `UsageError` naming the flag (exit 2); a URL's credentials are never quoted.
 */
const settingsOf = (args: ConnectionArgs): Effect.Effect<Providers.Settings, UsageError> => {
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

/** Parses "500ms", "2s", "1.5m", "1h" (a bare number is seconds); zero and less are refused. */
export const parseDuration = (text: string): Option.Option<Duration.Duration> => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (m === null) return Option.none()
  const n = Number(m[1])
  const unit = m[2] ?? "s"
  const millis = unit === "ms" ? n : unit === "s" ? n * 1000 : unit === "m" ? n * 60_000 : n * 3_600_000
  return millis > 0 && Number.isFinite(millis) ? Option.some(Duration.millis(millis)) : Option.none()
}

const durationOption = (name: string) =>
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

const providerArg = (names: ReadonlyArray<string>, what: string) =>
  Args.choice(names.map((n) => [n, n] as [string, string]), { name: "provider" }).pipe(
    Args.withDescription(`One of ${names.join(", ")}${what}`)
  )
const able = (capability: keyof Provider.Provider["capabilities"]) =>
  Providers.providers.filter((p) => p.capabilities[capability]).map((p) => p.name)
const idArg = Args.text({ name: "id" }).pipe(Args.withDescription("The provider's job id"))

// ---------------------------------------------------------------------------
// Output helpers

/**
 * The secret values the CLI knows of: every secret variable that is set
 * (trimmed too, since a client may trim), read through the `ConfigProvider`
 * like the clients read them.
 */
const secrets: Effect.Effect<ReadonlyArray<string>> = Effect.forEach(
  Providers.secretVariables,
  (name) => Config.option(Config.string(name)).pipe(Effect.orElseSucceed(() => Option.none<string>()))
).pipe(Effect.map((values) => values.flatMap((v) => (Option.isSome(v) ? [v.value, v.value.trim()] : []))))

/** Prints `jobstream: <message>` on one stderr line, with any secret masked. */
export const errorLine = (message: string): Effect.Effect<void> =>
  Effect.gen(function*() {
    const output = yield* Output
    const hidden = yield* secrets
    yield* output.err(`jobstream: ${redact(oneLine(message), hidden)}\n`)
  })

/**
 * The logger of `JOBSTREAM_LOG_LEVEL`: logfmt lines on stderr, each passed
 * through `redact` (the secret values of the environment, and every shape
 * that carries a token, session id, CSRF token, cookie or password), at every
 * level, `debug` included.
 */
export const maskingLogger = (hidden: ReadonlyArray<string>, write: (line: string) => void = (line) => {
  process.stderr.write(line)
}): Logger.Logger<unknown, void> =>
  Logger.make((options) => {
    write(`${redact(Logger.logfmtLogger.log(options), hidden)}\n`)
  })

const out = (text: string) => Effect.flatMap(Output, (o) => o.out(text))

const seconds = (millis: number) => `${(millis / 1000).toFixed(1)} s`

// ---------------------------------------------------------------------------
// list

const list = Command.make(
  "list",
  {
    ...connection,
    provider: Options.choice("provider", Providers.names).pipe(
      Options.repeated,
      Options.withDescription("Only this provider (repeatable); default: every configured provider")
    ),
    status: Options.choice("status", Job.statuses).pipe(
      Options.repeated,
      Options.withDescription(`Only jobs with this normalized status (repeatable): ${Job.statuses.join(", ")}`)
    ),
    limit: Options.integer("limit").pipe(
      Options.withDescription("Stop after N jobs (stops the requests too)"),
      Options.optional
    ),
    format: Options.choice("format", Format.formats).pipe(
      Options.withDescription("table (fixed-width columns), json (one array) or ndjson (one job per line)"),
      Options.withDefault("table" as Format.Format)
    ),
    keepGoing: Options.boolean("keep-going").pipe(
      Options.withDescription("When a provider fails, report it on stderr and go on with the others (exit 1 at the end)")
    ),
    summary: Options.boolean("summary").pipe(
      Options.withDescription("Print a one-line summary (counts per provider, elapsed time) on stderr at the end")
    )
  },
  (args) =>
    Effect.gen(function*() {
      const started = Date.now()
      const output = yield* Output
      const settings = yield* settingsOf(args)
      const limit = Option.getOrUndefined(args.limit)
      if (limit !== undefined && limit < 1) {
        return yield* new UsageError({ message: `--limit must be 1 or more, got ${limit}` })
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
                  yield* errorLine(e.error.message)
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

// ---------------------------------------------------------------------------
// get

const get = Command.make(
  "get",
  {
    ...connection,
    format: Options.choice("format", ["text", "json"] as const).pipe(
      Options.withDescription("text (field: value lines) or json (the normalized job with the provider's raw record)"),
      Options.withDefault("text" as const)
    ),
    provider: providerArg(Providers.names, ""),
    id: idArg
  },
  (args) =>
    Effect.gen(function*() {
      const settings = yield* settingsOf(args)
      const provider = yield* Providers.requireConfigured(args.provider, settings)
      const handle = yield* Providers.open(provider, settings)
      const job = yield* handle.getJob(args.id)
      yield* out(args.format === "json" ? `${JSON.stringify(Job.toJson(job), null, 2)}\n` : Format.details(job))
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
).pipe(Command.withDescription("Show one job, normalized (where the API has no per-job endpoint, the listing is scanned)"))

// ---------------------------------------------------------------------------
// cancel

const cancel = Command.make(
  "cancel",
  { ...connection, provider: providerArg(able("cancel"), " (the providers whose jobs can be canceled)"), id: idArg },
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

// ---------------------------------------------------------------------------
// watch

const watch = Command.make(
  "watch",
  {
    ...connection,
    interval: durationOption("interval").pipe(
      Options.withDescription("Time between polls, e.g. 500ms, 2s (default 2s)"),
      Options.withDefault(Duration.seconds(2))
    ),
    timeout: durationOption("timeout").pipe(
      Options.withDescription("Give up (exit 4) when the job has not ended after this long"),
      Options.optional
    ),
    provider: providerArg(able("watch"), " (the providers whose jobs can be watched)"),
    id: idArg
  },
  (args) =>
    Effect.gen(function*() {
      const settings = yield* settingsOf(args)
      const provider = yield* Providers.requireConfigured(args.provider, settings)
      const handle = yield* Providers.open(provider, settings)
      if (handle.watchJob === undefined) {
        return yield* new UsageError({ message: `${provider.name} jobs cannot be watched` })
      }
      const spaced = Schedule.spaced(args.interval)
      const schedule = Option.match(args.timeout, { onNone: () => spaced, onSome: (t) => Schedule.upTo(spaced, t) })
      let last: Job.Job | undefined
      yield* handle.watchJob(args.id, schedule).pipe(
        Stream.runForEach((job) => {
          last = job
          const detail = provider.detail?.(job)
          const info = detail === undefined ? "" : `  ${oneLine(detail)}`
          return out(`${Format.instant(new Date())}  ${args.id}  ${job.status}  ${oneLine(job.providerStatus)}${info}\n`)
        })
      )
      const final = last
      if (final === undefined || !Job.isTerminal(final.status)) {
        return yield* new CliExit({
          code: ExitCode.watchTimeout,
          message: `gave up watching job ${args.id} (last state: ${oneLine(final?.providerStatus ?? "unknown")})`
        })
      }
      if (final.status !== "succeeded") {
        return yield* new CliExit({
          code: ExitCode.jobFailed,
          message: `job ${args.id} ended ${oneLine(final.providerStatus)}`
        })
      }
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
).pipe(
  Command.withDescription(
    `Poll a job (${able("watch").join(", ")}) and print each status change (normalized, then the provider's word); ` +
      "exit 0 when it succeeds, 3 when it fails or is canceled, 4 on --timeout"
  )
)

// ---------------------------------------------------------------------------
// root

const titles = (providers: ReadonlyArray<Provider.Provider>): string => {
  const all = providers.map((p) => p.title)
  return all.length < 2 ? all.join("") : `${all.slice(0, -1).join(", ")} and ${all.at(-1)}`
}

/** The command tree. */
export const command = Command.make("jobstream", {}, () =>
  new UsageError({ message: "missing command: list, get, cancel or watch (see jobstream --help)" })).pipe(
    Command.withDescription(
      `Jobs of ${titles(Providers.providers)} as one stream. Configure providers with environment variables: ` +
        `${Providers.providers.map((p) => `${p.name}: ${p.requirement}`).join("; ")}. ` +
        "Exit codes: 0 ok, 1 API error, 2 usage or configuration, 3 watched job failed/canceled, 4 watch timed out."
    ),
    Command.withSubcommands([list, get, cancel, watch])
  )

const cli = Command.run(command, { name: "jobstream", version })

const logLevel = Config.logLevel("JOBSTREAM_LOG_LEVEL").pipe(
  Config.withDefault(LogLevel.None),
  Effect.orElseSucceed(() => LogLevel.None)
)


/**
 * Runs the CLI on `argv` (as `process.argv`: node, script, arguments…) and
 * returns the exit code. Expected failures print one `jobstream: …` line on
 * stderr; an unexpected defect prints one line too (the full cause with
 * JOBSTREAM_DEBUG=1). Interruption is not caught.
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  Effect.gen(function*() {
    const level = yield* logLevel
    const hidden = yield* secrets
    // @effect/cli prints parse errors as multi-line help text through Console.error;
    // we print our own single line instead.
    const console = yield* Effect.console
    return yield* cli(argv).pipe(
      Effect.withConsole({ ...console, error: () => Effect.void }),
      Effect.as<number>(ExitCode.ok),
      Effect.catchAll((error) => {
        const described = describe(error)
        if (described === undefined) return Effect.die(error)
        return (described.message === undefined ? Effect.void : errorLine(described.message)).pipe(
          Effect.as(described.code)
        )
      }),
      Effect.catchAllDefect((defect) =>
        Effect.gen(function*() {
          const debug = yield* Config.boolean("JOBSTREAM_DEBUG").pipe(Config.withDefault(false), Effect.orElseSucceed(() => false))
          const text = defect instanceof Error ? defect.message : String(defect)
          yield* errorLine(`internal error: ${text}${debug ? "" : " (set JOBSTREAM_DEBUG=1 for details)"}`)
          if (debug) yield* Effect.sync(() => process.stderr.write(`${Cause.pretty(Cause.die(defect))}\n`))
          return ExitCode.internal
        })
      ),
      Effect.provide(Logger.replace(Logger.defaultLogger, maskingLogger(hidden))),
      Logger.withMinimumLogLevel(level)
    )
  })
