/**
 * Where the CLI writes: stdout for results, stderr for errors, summaries and
 * the progress line. A `Context.Reference`, so the live process streams are
 * the default and tests can swap in a capturing implementation.
 *
 * @since 0.1.0
 * @module
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"

/**
 * The CLI's output channels.
 *
 * @since 0.1.0
 */
export interface Service {
  /** Writes results (waits for the stream to drain when it is full). */
  readonly out: (text: string) => Effect.Effect<void>
  /** Writes a diagnostic (one line per call, newline included by the caller). */
  readonly err: (text: string) => Effect.Effect<void>
  /** Whether a progress line may be drawn (stderr is a terminal). */
  readonly interactive: boolean
  /** Shows (or replaces) the progress line; `undefined` clears it. No-op unless interactive. */
  readonly progress: (text: string | undefined) => Effect.Effect<void>
}

const write = (stream: NodeJS.WriteStream, text: string): Effect.Effect<void> =>
  text.length === 0
    ? Effect.void
    : Effect.async<void>((resume) => {
      if (stream.write(text)) resume(Effect.void)
      else stream.once("drain", () => resume(Effect.void))
    })

/**
 * The process's own stdout/stderr.
 *
 * @since 0.1.0
 */
export const live = (): Service => {
  const interactive = process.stderr.isTTY === true
  let shown: string | undefined
  const clear = () => {
    if (shown !== undefined) process.stderr.write("\r\x1b[K")
  }
  const redraw = () => {
    if (shown !== undefined) process.stderr.write(`\r\x1b[K${shown}`)
  }
  return {
    interactive,
    out: (text) =>
      interactive && shown !== undefined && process.stdout.isTTY === true
        ? Effect.sync(clear).pipe(Effect.zipRight(write(process.stdout, text)), Effect.zipRight(Effect.sync(redraw)))
        : write(process.stdout, text),
    err: (text) =>
      Effect.sync(clear).pipe(
        Effect.zipRight(write(process.stderr, text)),
        Effect.zipRight(Effect.sync(redraw))
      ),
    progress: (text) =>
      interactive
        ? Effect.sync(() => {
          if (text === undefined) {
            clear()
            shown = undefined
          } else {
            shown = text
            redraw()
          }
        })
        : Effect.void
  }
}

/**
 * The output service; defaults to the process streams.
 *
 * @since 0.1.0
 */
export class Output extends Context.Reference<Output>()("@jobstream/cli/Output", { defaultValue: live }) {}

/**
 * An in-memory output, for tests.
 *
 * @since 0.1.0
 */
export const capture = (): Service & {
  /** Everything written to stdout so far. */
  readonly stdout: () => string
  /** Everything written to stderr so far. */
  readonly stderr: () => string
} => {
  let stdout = ""
  let stderr = ""
  return {
    interactive: false,
    out: (text) => Effect.sync(() => void (stdout += text)),
    err: (text) => Effect.sync(() => void (stderr += text)),
    progress: () => Effect.void,
    stdout: () => stdout,
    stderr: () => stderr
  }
}
