/**
 * Expected failures of the CLI and how each becomes one stderr line and an
 * exit code.
 *
 * Exit codes: 0 success; 1 an API error (or `--keep-going` with failed
 * providers); 2 usage or configuration; 3 `watch`: the job ended failed or
 * canceled; 4 `watch`: gave up (`--timeout`) before the job ended;
 * 70 an unexpected internal error; 130 interrupted.
 *
 * @since 0.1.0
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import { ApiError } from "@jobstream/core"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"

/** Exit codes. */
export const ExitCode = {
  ok: 0,
  apiError: 1,
  usage: 2,
  jobFailed: 3,
  watchTimeout: 4,
  internal: 70,
  interrupted: 130
} as const

/** Bad usage or configuration (exit 2). */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** Ends the command with a code, after printing `message` when there is one. */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly code: number; readonly message?: string }> {}

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*[A-Za-z]/g

/** Text on one line: ANSI codes removed, every run of whitespace a single space. */
export const oneLine = (text: string): string => text.replace(ansi, "").replace(/\s+/g, " ").trim()

/** Replaces every occurrence of the given secret values with `<redacted>`. */
export const mask = (text: string, secrets: ReadonlyArray<string>): string =>
  secrets.filter((s) => s.length >= 4).reduce((acc, s) => acc.split(s).join("<redacted>"), text)

/** A hint appended to some API errors. */
const hint = (error: ApiError.ApiError): string => {
  switch (error._tag) {
    case "Unauthorized":
    case "Forbidden":
      return ` (check the ${error.provider.toUpperCase()}_* credentials)`
    case "TransportError":
      return ` (is the ${error.provider.toUpperCase()} base URL right and the server up?)`
    default:
      return ""
  }
}

/** The line (without the `jobstream: ` prefix) and exit code for an expected failure, or undefined. */
export const describe = (error: unknown): { readonly message: string | undefined; readonly code: number } | undefined => {
  if (ApiError.isApiError(error)) return { message: `${error.message}${hint(error)}`, code: ExitCode.apiError }
  if (error instanceof UsageError) return { message: error.message, code: ExitCode.usage }
  if (error instanceof CliExit) return { message: error.message === "" ? undefined : error.message, code: error.code }
  if (ConfigError.isConfigError(error)) return { message: `configuration: ${String(error)}`, code: ExitCode.usage }
  if (ValidationError.isValidationError(error)) {
    if (ValidationError.isHelpRequested(error)) return { message: undefined, code: ExitCode.ok }
    const text = HelpDoc.toAnsiText(error.error)
    return { message: text, code: ExitCode.usage }
  }
  return undefined
}
