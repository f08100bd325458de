/**
 * Ready-made `decode` functions for JSON bodies. Every failure is a
 * `DecodeError` built by `DecodeError.fromBody`, so its excerpt and issue
 * carry none of the request's secrets.
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as ApiError from "../ApiError.js"

/** A response as the decoders need it. */
export interface Body extends ApiError.BodySource {
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: string
}

/**
 * How a body may be quoted in errors.
 *
 * @since 0.1.0
 */
export interface DecodeOptions {
  /**
   * The body may hold a credential (a login answer): errors then quote no
   * excerpt, and a schema mismatch names only the path, not the value.
   */
  readonly sensitive?: boolean
}

/**
 * What a JSON parse failure says. The engine's own message quotes a piece of
 * the body, possibly cut in the middle of a secret; only the position is kept.
 */
const jsonIssue = (cause: unknown): string => {
  const message = cause instanceof Error ? cause.message : ""
  if (/unexpected end/i.test(message)) return "the body ends before the JSON value does"
  const position = /position (\d+)/.exec(message)
  return position === null ? "the body is not valid JSON" : `the body is not valid JSON (at position ${position[1]})`
}

/**
 * Reads a JSON body, turning a parse failure into a `DecodeError`.
 *
 * @since 0.1.0
 */
export const parseJson = (
  raw: Body,
  where: ApiError.Where,
  options?: DecodeOptions
): Effect.Effect<unknown, ApiError.DecodeError> =>
  Effect.suspend(() => {
    const sensitive = options?.sensitive === true
    if (raw.body.trim() === "") {
      return Effect.fail(ApiError.DecodeError.fromBody(where, raw, { format: "json", issue: "the body is empty", sensitive }))
    }
    try {
      return Effect.succeed(JSON.parse(raw.body) as unknown)
    } catch (cause) {
      return Effect.fail(ApiError.DecodeError.fromBody(where, raw, { format: "json", issue: jsonIssue(cause), sensitive }))
    }
  })

/**
 * The response's media type, lower-cased, without parameters ("application/json").
 *
 * @since 0.1.0
 */
export const mediaType = (raw: { readonly headers: Headers.Headers }): string =>
  Option.getOrElse(Headers.get(raw.headers, "content-type"), () => "").split(";")[0]!.trim().toLowerCase()

/**
 * A `decode` for JSON bodies: parse, then decode with the Schema. A parse
 * failure is a `DecodeError` with format "json", a mismatch one with format
 * "schema" and the path of the first offending value.
 *
 * @since 0.1.0
 */
export const decodeJson = <A, I>(schema: Schema.Schema<A, I, never>, options?: DecodeOptions) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "first" })
  return (raw: Body, where: ApiError.Where): Effect.Effect<A, ApiError.DecodeError> =>
    Effect.flatMap(parseJson(raw, where, options), (json) => {
      const result = decode(json)
      if (Either.isRight(result)) return Effect.succeed(result.right)
      const sensitive = options?.sensitive === true
      const issue = sensitive ? mismatchPaths(result.left) : ApiError.formatParseError(result.left)
      return Effect.fail(ApiError.DecodeError.fromBody(where, raw, { format: "schema", issue, sensitive }))
    })
}

/**
 * Where a mismatch is, without the values found there.
 *
 * @since 0.2.0
 */
export const mismatchPaths = (error: ParseResult.ParseError): string => {
  try {
    const paths = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
      issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")
    )
    return `the body does not have the expected shape at ${[...new Set(paths)].join(", ")}`
  } catch {
    return "the body does not have the expected shape"
  }
}
