/**
 * What the commands print: one masked `jobstream: …` line per error, the
 * masking logger, and stdout through the `Output` service.
 */
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import { oneLine, redact } from "../Errors.js"
import { Output } from "../Output.js"
import * as Providers from "../Providers.js"

/**
 * The secret values the CLI knows of: every secret variable that is set
 * (trimmed too, since a client may trim), read through the `ConfigProvider`
 * like the clients read them.
 */
export const secrets: Effect.Effect<ReadonlyArray<string>> = Effect.forEach(
  Providers.secretVariables,
  (name) => Config.option(Config.string(name)).pipe(Effect.orElseSucceed(() => Option.none<string>()))
).pipe(Effect.map((values) => values.flatMap((v) => (Option.isSome(v) ? [v.value, v.value.trim()] : []))))

/**
 * Prints `jobstream: <message>` on one stderr line, with any secret masked.
 *
 * @since 0.1.0
 */
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
 *
 * @since 0.2.0
 */
export const maskingLogger = (hidden: ReadonlyArray<string>, write: (line: string) => void = (line) => {
  process.stderr.write(line)
}): Logger.Logger<unknown, void> =>
  Logger.make((options) => {
    write(`${redact(Logger.logfmtLogger.log(options), hidden)}\n`)
  })

export const out = (text: string) => Effect.flatMap(Output, (o) => o.out(text))

export const seconds = (millis: number) => `${(millis / 1000).toFixed(1)} s`
