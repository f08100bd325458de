/**
 * The `jobstream` command tree (`list`, `get`, `cancel`, `watch`) on
 * `@effect/cli`, and `run`, which turns every outcome into an exit code.
 * Every provider-facing part is derived from the descriptors of `Registry`.
 *
 * @since 0.1.0
 * @module
 */
import type * as CliApp from "@effect/cli/CliApp"
import * as Command from "@effect/cli/Command"
import type { Provider } from "@jobstream/core"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import { describe, ExitCode, UsageError } from "./Errors.js"
import { helpConsole, plainOutput } from "./internal/help.js"
import { cancel, get, watch } from "./internal/jobs.js"
import { list } from "./internal/list.js"
import { usage } from "./internal/usage.js"
import { errorLine, maskingLogger, secrets } from "./internal/print.js"
import * as Providers from "./Providers.js"

export { maxRetries, parseDuration } from "./internal/flags.js"
export { errorLine, maskingLogger } from "./internal/print.js"
// runMain: a program that yields an exit code, run as the process (EPIPE → 0,
// SIGINT/SIGTERM → 130, a defect → 70); used by the executable and the demo.
export { runMain } from "./internal/main.js"

/**
 * The CLI version.
 *
 * @since 0.1.0
 */
export const version = "0.1.0"

const titles = (providers: ReadonlyArray<Provider.Provider>): string => {
  const all = providers.map((p) => p.title)
  return all.length < 2 ? all.join("") : `${all.slice(0, -1).join(", ")} and ${all.at(-1)}`
}

/**
 * The command tree.
 *
 * @since 0.1.0
 */
export const command = Command.make("jobstream", {}, () =>
  new UsageError({ message: "missing command: list, get, cancel, watch or usage (see jobstream --help)" })).pipe(
    Command.withDescription(
      `Jobs of ${titles(Providers.providers)} as one stream. Configure providers with environment variables: ` +
        `${Providers.providers.map((p) => `${p.name}: ${p.requirement}`).join("; ")}. ` +
        "Exit codes: 0 ok, 1 API error, 2 usage or configuration, 3 watched job failed/canceled, 4 watch timed out."
    ),
    Command.withSubcommands([list, get, cancel, watch, usage])
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
 *
 * @since 0.1.0
 */
export const run = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.CliApp.Environment> =>
  Effect.gen(function*() {
    const level = yield* logLevel
    const hidden = yield* secrets
    // @effect/cli prints parse errors as multi-line help text through Console.error;
    // we print our own single line instead. Its help goes through Console.log: tidied.
    const current = yield* Effect.console
    return yield* cli(argv).pipe(
      Effect.withConsole(helpConsole(current, "jobstream", plainOutput())),
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
