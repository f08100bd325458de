/**
 * The errors judged from an HTTP status (400 … 5xx, and a redirect that was
 * not followed).
 */
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import { describe, StatusFields } from "./fields.js"

/**
 * 400: the provider rejected the request as malformed. Never retried.
 *
 * @since 0.1.0
 */
export class BadRequest extends Schema.TaggedError<BadRequest>("@jobstream/core/BadRequest")("BadRequest", StatusFields) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `bad request (${this.status})`, this)
  }
}

/**
 * 401: the credential is missing, wrong or expired.
 *
 * @since 0.1.0
 */
export class Unauthorized extends Schema.TaggedError<Unauthorized>("@jobstream/core/Unauthorized")("Unauthorized", StatusFields) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `unauthorized (${this.status})`, this)
  }
}

/**
 * 403: the credential is valid but not allowed to do this.
 *
 * @since 0.1.0
 */
export class Forbidden extends Schema.TaggedError<Forbidden>("@jobstream/core/Forbidden")("Forbidden", StatusFields) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `forbidden (${this.status})`, this)
  }
}

/**
 * 404: the resource does not exist. `status` is absent when no response
 * said so: a lookup that scanned a listing (an API without a get-by-id
 * endpoint) and did not find the job.
 *
 * @since 0.1.0
 */
export class NotFound extends Schema.TaggedError<NotFound>("@jobstream/core/NotFound")("NotFound", {
  ...StatusFields,
  status: Schema.optional(Schema.Number)
}) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, this.status === undefined ? "not found" : `not found (${this.status})`, this)
  }
}

/**
 * 405: the endpoint does not accept this method.
 *
 * @since 0.1.0
 */
export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>("@jobstream/core/MethodNotAllowed")(
  "MethodNotAllowed",
  StatusFields
) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `method not allowed (${this.status})`, this)
  }
}

/**
 * 410: the resource or the API path has been retired.
 *
 * @since 0.1.0
 */
export class Gone extends Schema.TaggedError<Gone>("@jobstream/core/Gone")("Gone", StatusFields) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `gone (${this.status})`, this)
  }
}

/**
 * 429: throttled. `retryAfterMillis` is the parsed `Retry-After`, when the response had one.
 *
 * @since 0.1.0
 */
export class RateLimited extends Schema.TaggedError<RateLimited>("@jobstream/core/RateLimited")("RateLimited", {
  ...StatusFields,
  retryAfterMillis: Schema.optional(Schema.Number)
}) {
  /** The server's requested wait, if it sent one. */
  get retryAfter(): Duration.Duration | undefined {
    return this.retryAfterMillis === undefined ? undefined : Duration.millis(this.retryAfterMillis)
  }
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    const wait = this.retryAfterMillis === undefined ? "no Retry-After" : `retry after ${this.retryAfterMillis} ms`
    return describe(this, `rate limited (${this.status}, ${wait})`, this)
  }
}

/**
 * 500 and every other 5xx.
 *
 * @since 0.1.0
 */
export class ServerError extends Schema.TaggedError<ServerError>("@jobstream/core/ServerError")("ServerError", {
  ...StatusFields,
  /** `Retry-After` on a 503, when present. */
  retryAfterMillis: Schema.optional(Schema.Number)
}) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `server error (${this.status})`, this)
  }
}

/**
 * Any status this library has no class for (e.g. 409, 415, or a 3xx that was not followed).
 *
 * @since 0.1.0
 */
export class UnexpectedStatus extends Schema.TaggedError<UnexpectedStatus>("@jobstream/core/UnexpectedStatus")(
  "UnexpectedStatus",
  StatusFields
) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `unexpected status ${this.status}`, this)
  }
}

/**
 * A redirect the transport would not follow: to another origin (credentials
 * must never travel there), a downgrade from https to http, a loop, or more
 * hops than allowed. `location` is the target's origin only (scheme, host,
 * port): its path and query may carry secrets and are never kept.
 *
 * @since 0.2.0
 */
export class Redirected extends Schema.TaggedError<Redirected>("@jobstream/core/Redirected")("Redirected", {
  ...StatusFields,
  /**
   * The origin the server redirected to ("https://other.example:8443"),
   * "<missing>" when the redirect had no Location, "<invalid>" when it could
   * not be read as a URL.
   */
  location: Schema.String,
  /** Why it was not followed. */
  reason: Schema.Literal("cross-origin", "scheme-downgrade", "loop", "too-many", "not-followed")
}) {
  /** The error in one line: which provider and operation, and what went wrong. */
  override get message(): string {
    return describe(this, `redirect (${this.status}) to ${this.location} not followed: ${this.reason}`, this)
  }
}
