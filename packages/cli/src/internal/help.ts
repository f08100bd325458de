/**
 * How @effect/cli's help reaches the reader. Its help text is styled with ANSI
 * codes whatever stdout is; piped into a file, `less` or a CI log those are
 * noise, so they are removed when stdout is not a terminal or `NO_COLOR` is
 * set (https://no-color.org). Its usage line for a subcommand names the
 * subcommand alone (`$ list [--provider …]`); a reader types `jobstream list`,
 * so the line says so.
 */
import type * as Console from "effect/Console"
import * as Effect from "effect/Effect"

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*[A-Za-z]/g

/** Whether help should be plain text: stdout is not a terminal, or NO_COLOR is set (to anything but ""). */
export const plainOutput = (): boolean =>
  process.stdout.isTTY !== true || (process.env["NO_COLOR"] !== undefined && process.env["NO_COLOR"] !== "")

/** Help text as printed: usage lines under the program's name, ANSI codes removed when `plain`. */
export const tidy = (text: string, name: string, plain: boolean): string => {
  const stripped = plain ? text.replace(ansi, "") : text
  return stripped.replace(new RegExp(`^((?:\\x1b\\[[0-9;]*m)*\\$ )(?!${name}\\b)`, "gm"), `$1${name} `)
}

/**
 * The Effect `Console` service the command tree prints its help with (the
 * one in context, not the global console): `log` tidied, and
 * `error` silenced (the CLI prints its own one-line errors instead of
 * @effect/cli's multi-line ones).
 */
export const helpConsole = (base: Console.Console, name: string, plain: boolean): Console.Console => ({
  ...base,
  log: (...args: ReadonlyArray<unknown>) => base.log(...args.map((a) => (typeof a === "string" ? tidy(a, name, plain) : a))),
  error: () => Effect.void
})
