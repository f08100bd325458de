/**
 * The errors of a walk or a wait: a listing that stopped making progress, an
 * awaited job that ended badly, a request whose outcome is unknown.
 */
import * as Schema from "effect/Schema"
import { Common, describe, WhereFields } from "./fields.js"

/**
 * A listing that stopped making progress: the server ignored the page
 * parameter, repeated a cursor or a page already seen, or the walk reached
 * its page limit. The stream ends with this error instead of looping.
 *
 * @since 0.2.0
 */
export class PaginationError extends Schema.TaggedError<PaginationError>("@jobstream/core/PaginationError")(
  "PaginationError",
  {
    ...WhereFields,
    ...Common,
    /** What went wrong. */
    reason: Schema.Literal("repeated-page", "repeated-cursor", "no-progress", "max-pages"),
    /** The page number at fault, for numbered pagination. */
    page: Schema.optional(Schema.Number),
    /** The cursor (page token, job id) at fault, for cursor pagination. */
    cursor: Schema.optional(Schema.String),
    /** Requests the walk had sent when it stopped. */
    requests: Schema.Number,
    /** One sentence on what was seen. */
    detail: Schema.String
  }
) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    const at = this.page !== undefined ? ` at page ${this.page}` : this.cursor !== undefined ? ` at cursor ${this.cursor}` : ""
    return describe(this, `pagination stopped (${this.reason})${at} after ${this.requests} requests: ${this.detail}`)
  }
}

/** The fields of an awaited job that ended badly. */
const EndedFields = {
  ...WhereFields,
  ...Common,
  /** The server's error text, if it gave one. */
  providerMessage: Schema.optional(Schema.String),
  jobId: Schema.String,
  /** The provider's own word for the final state. */
  providerStatus: Schema.String
}

const ended = (self: Schema.Struct.Type<typeof EndedFields>, what: string): string =>
  describe(self, `job ${self.jobId} ${what} (${self.providerStatus})${self.providerMessage === undefined ? "" : `: ${self.providerMessage}`}`)

/**
 * A job that was awaited ended in failure; `providerMessage` is the server's error text.
 *
 * @since 0.2.0
 */
export class JobFailed extends Schema.TaggedError<JobFailed>("@jobstream/core/JobFailed")("JobFailed", EndedFields) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return ended(this, "failed")
  }
}

/**
 * A job that was awaited ended canceled.
 *
 * @since 0.2.0
 */
export class JobCanceled extends Schema.TaggedError<JobCanceled>("@jobstream/core/JobCanceled")("JobCanceled", EndedFields) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return ended(this, "was canceled")
  }
}

/**
 * A non-idempotent request (a submit) was sent, but no answer came back (a
 * timeout, a reset after the request was written): the server may or may not
 * have acted on it. It is not retried, because a retry could act twice;
 * check (list the jobs) before submitting again.
 *
 * @since 0.2.0
 */
export class OutcomeUnknown extends Schema.TaggedError<OutcomeUnknown>("@jobstream/core/OutcomeUnknown")(
  "OutcomeUnknown",
  {
    ...WhereFields,
    ...Common,
    /** What happened to the request, e.g. "timed out after 30000 ms". */
    reason: Schema.String
  }
) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `the request may have taken effect (${this.reason}); check before repeating it`)
  }
}
