/**
 * The errors of an exchange that got no usable answer (transport, timeout,
 * an undecodable body) and of a request refused before it was sent.
 */
import * as Schema from "effect/Schema"
import { Common, describe, type Where, WhereFields } from "./fields.js"
import { truncate } from "./problems.js"

/**
 * The request never got a complete response: refused, reset, DNS failure, or the body was cut off.
 *
 * @since 0.1.0
 */
export class TransportError extends Schema.TaggedError<TransportError>("@jobstream/core/TransportError")(
  "TransportError",
  { ...WhereFields, ...Common, reason: Schema.String }
) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `transport failure: ${this.reason}`)
  }
}

/**
 * An attempt (or the overall deadline) ran out of time.
 *
 * @since 0.1.0
 */
export class Timeout extends Schema.TaggedError<Timeout>("@jobstream/core/Timeout")("Timeout", {
  ...WhereFields,
  ...Common,
  timeoutMillis: Schema.Number,
  /** "attempt" for the per-attempt timeout, "deadline" for the overall one. */
  scope: Schema.Literal("attempt", "deadline")
}) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `timed out after ${this.timeoutMillis} ms (${this.scope})`)
  }
}

/**
 * A body an error is built from: what the transport read, with its status and the call's redaction.
 *
 * @since 0.2.0
 */
export interface BodySource {
  /** The HTTP status the body came with, if any. */
  readonly status?: number | undefined
  /** The body as text. */
  readonly body: string
  /**
   * Replaces every secret of the request (token, key, password, session id,
   * cookie, … in every form a server may echo it in) with `<redacted>`. The
   * transport sets it on every response it hands out.
   */
  readonly redact?: ((text: string) => string) | undefined
}

/**
 * What went wrong reading a body, for {@link DecodeError.fromBody}.
 *
 * @since 0.2.0
 */
export interface DecodeProblem {
  /** Which stage failed. */
  readonly format: "json" | "xml" | "schema" | "body"
  /** What did not match, in words. Redacted and shortened to 1000 characters. */
  readonly issue: string
  /**
   * The body may hold a credential (a login answer): the error then quotes no
   * excerpt at all. The issue should then name paths, not values.
   */
  readonly sensitive?: boolean | undefined
}

/**
 * Length of the body excerpt a `DecodeError` quotes.
 *
 * @since 0.2.0
 */
export const excerptLength = 200

/**
 * The excerpt of a body that must not be quoted.
 *
 * @since 0.1.0
 */
export const omittedExcerpt = "<omitted: the body may hold a credential>"

// Secrets longer than this that straddle the end of the excerpt could be cut
// before they are recognised; the redaction looks this far past the cut.
const excerptLookahead = 8 * 1024

/**
 * The response body could not be read as the expected shape.
 *
 * @since 0.1.0
 */
export class DecodeError extends Schema.TaggedError<DecodeError>("@jobstream/core/DecodeError")("DecodeError", {
  ...WhereFields,
  ...Common,
  /** Which stage failed: parsing JSON, parsing XML, matching the schema, or reading the body itself. */
  format: Schema.Literal("json", "xml", "schema", "body"),
  /** What did not match, in words. */
  issue: Schema.String,
  /** The first characters of the offending body, secrets replaced. */
  excerpt: Schema.String
}) {
  /**
   * The one way to build a `DecodeError` from a body: the excerpt is the
   * body's first {@link excerptLength} characters and the issue is capped at
   * 1000, both with the request's secrets replaced (through `source.redact`)
   * before they are cut, so a secret cannot survive half-quoted.
   */
  static fromBody(where: Where, source: BodySource, problem: DecodeProblem): DecodeError {
    const redact = source.redact ?? identity
    const excerpt = problem.sensitive === true
      ? omittedExcerpt
      : truncate(redact(source.body.slice(0, excerptLength + excerptLookahead)).slice(0, excerptLength + 1), excerptLength)
    return new DecodeError({
      provider: where.provider,
      operation: where.operation,
      method: where.method,
      url: redact(where.url),
      ...(source.status === undefined ? {} : { status: source.status }),
      format: problem.format,
      issue: truncate(redact(problem.issue), 1000),
      excerpt
    })
  }

  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    const excerpt = this.excerpt === "" ? "" : `; the body starts ${JSON.stringify(truncate(this.excerpt, 60))}`
    return describe(this, `could not decode the ${formatWords[this.format]}: ${this.issue}${excerpt}`)
  }
}

const formatWords = {
  json: "body as JSON",
  xml: "body as XML",
  schema: "body's content",
  body: "body"
} as const

const identity = (text: string): string => text

/**
 * The request was rejected before anything was sent.
 *
 * @since 0.1.0
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>("@jobstream/core/InvalidRequest")(
  "InvalidRequest",
  {
    provider: Schema.String,
    operation: Schema.String,
    ...Common,
    /** What is wrong with the input: one line per problem (`parameter: what`), joined by "; ". */
    issue: Schema.String,
    /** The same problems, structured: which parameter, what was wrong. Never holds a secret value. */
    problems: Schema.optional(Schema.Array(Schema.Struct({
      /** The parameter (or option) at fault, e.g. "resultsPerPage" or "auth.apiKey". */
      parameter: Schema.String,
      /** What is wrong and what is allowed, e.g. "500 is above the maximum 50". */
      message: Schema.String
    })))
  }
) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return `${this.provider}.${this.operation}: invalid request: ${this.issue}`
  }
}
