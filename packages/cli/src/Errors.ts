/**
 * Expected failures of the CLI and how each becomes one stderr line and an
 * exit code.
 *
 * Exit codes: 0 success; 1 an API error (or `--keep-going` with failed
 * providers); 2 usage or configuration (a bad flag, a missing, empty or
 * malformed variable: one line naming it); 3 `watch`: the job ended failed or
 * canceled; 4 `watch`: gave up (`--timeout`) before the job ended;
 * 70 an unexpected internal error; 130 interrupted.
 *
 * @since 0.1.0
 * @module
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import { ApiError, ClientOptions } from "@jobstream/core"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import { apiErrorLine } from "./internal/hints.js"

/**
 * Exit codes.
 *
 * @since 0.1.0
 */
export const ExitCode = {
  ok: 0,
  apiError: 1,
  usage: 2,
  jobFailed: 3,
  watchTimeout: 4,
  internal: 70,
  interrupted: 130
} as const

/**
 * Bad usage or configuration (exit 2).
 *
 * @since 0.1.0
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/**
 * Ends the command with a code, after printing `message` when there is one.
 *
 * @since 0.1.0
 */
export class CliExit extends Data.TaggedError("CliExit")<{ readonly code: number; readonly message?: string }> {}

// eslint-disable-next-line no-control-regex
const ansi = /\x1b\[[0-9;]*[A-Za-z]/g

/**
 * Text on one line: ANSI codes removed, every run of whitespace a single space.
 *
 * @since 0.1.0
 */
export const oneLine = (text: string): string => text.replace(ansi, "").replace(/\s+/g, " ").trim()

/**
 * Replaces every occurrence of the given secret values with `<redacted>`.
 *
 * @since 0.1.0
 */
export const mask = (text: string, secrets: ReadonlyArray<string>): string =>
  secrets.filter((s) => s.length >= 4).reduce((acc, s) => acc.split(s).join("<redacted>"), text)

/**
 * Shapes that carry a credential whatever its value, for values the CLI
 * cannot know in advance (a token or session id the server issued): the
 * session id in ICWS paths, `Authorization`/`Cookie`/CSRF header values,
 * and token, secret, password, session and cookie fields in query strings,
 * JSON or XML.
 */
const secretShapes: ReadonlyArray<readonly [RegExp, string]> = [
  // /icws/{sessionId}/… (the login path /icws/connection has none)
  [/(\/icws\/)(?!connection\b)(?!<redacted>)[^/\s?#"']+(\/)/gi, "$1<redacted>$2"],
  // key=value (query strings, logfmt)
  [/\b(accessToken|clientSecret|client_secret|password|csrfToken|sessionId|apiKey|api_key|token)=(?!<redacted>)[^&\s"]+/gi, "$1=<redacted>"],
  // header lines and logfmt/JSON pairs naming a secret header
  [/\b(authorization|proxy-authorization|cookie|set-cookie|accesstoken|inin-icws-csrf-token|inin-icws-session-id)(\s*[:=]\s*"?)(?!<redacted>)[^"\r\n]+/gi, "$1$2<redacted>"],
  // "key": "value" (JSON, also with its quotes escaped inside a logfmt value)
  [/(\\?"(?:accessToken|clientSecret|password|csrfToken|sessionId|apiKey|token)\\?"\s*:\s*\\?")(?!<redacted>)[^"\\]*(\\?")/gi, "$1<redacted>$2"],
  // <key>value</key> (XML)
  [/(<(accessToken|clientSecret|password|csrfToken|sessionId)>)(?!<redacted>)[^<]*(<\/\2>)/gi, "$1<redacted>$3"],
  // Basic / Bearer credentials anywhere
  [/\b(Basic|Bearer)\s+(?!<redacted>)[A-Za-z0-9+/=._~-]{8,}/g, "$1 <redacted>"]
]

/**
 * Masks the given secret values, then everything shaped like a credential
 * (session ids in ICWS paths, secret headers, token and password fields).
 *
 * @since 0.2.0
 */
export const redact = (text: string, secrets: ReadonlyArray<string>): string =>
  secretShapes.reduce((acc, [pattern, replacement]) => acc.replace(pattern, replacement), mask(text, secrets))

/**
 * The line (without the `jobstream: ` prefix) and exit code for an expected failure, or undefined.
 *
 * @since 0.1.0
 */
export const describe = (error: unknown): { readonly message: string | undefined; readonly code: number } | undefined => {
  if (ApiError.isApiError(error)) return { message: apiErrorLine(error), code: ExitCode.apiError }
  if (error instanceof UsageError) return { message: error.message, code: ExitCode.usage }
  if (error instanceof CliExit) return { message: error.message === "" ? undefined : error.message, code: error.code }
  if (ConfigError.isConfigError(error)) {
    return { message: `configuration: ${ClientOptions.format(error)}`, code: ExitCode.usage }
  }
  if (ValidationError.isValidationError(error)) {
    if (ValidationError.isHelpRequested(error)) return { message: undefined, code: ExitCode.ok }
    const text = HelpDoc.toAnsiText(error.error)
    return { message: text, code: ExitCode.usage }
  }
  return undefined
}
