/**
 * Whether a failed request may have taken effect on the server — what a
 * client needs to know before repeating a request that is not idempotent
 * (submitting a job).
 *
 * Read from the {@link ApiError} the transport returns:
 * - **not processed**: the connection was never made (`TransportError` whose
 *   reason names ECONNREFUSED, ENOTFOUND, EAI_AGAIN, ENETUNREACH,
 *   EHOSTUNREACH or EADDRNOTAVAIL), or the server answered 429 or 503 (it
 *   turned the request away). Repeating such a request cannot act twice.
 * - **ambiguous**: the request may have reached the server but no answer came
 *   back — any other `TransportError` (a reset after sending, a body cut off)
 *   or a `Timeout`. Repeating it could act twice; {@link outcomeUnknown} turns
 *   such an error into `ApiError.OutcomeUnknown`.
 * - anything else is a definite answer from the server.
 *
 * @since 0.1.0
 * @module
 */
import * as ApiError from "./ApiError.js"

/**
 * System error codes of a connection that was never established.
 *
 * @since 0.2.0
 */
export const notConnectedCodes: ReadonlyArray<string> = [
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EADDRNOTAVAIL"
]

const notConnectedPattern = new RegExp(`\\b(${notConnectedCodes.join("|")})\\b`)

/**
 * True when the transport failed before a connection existed, so nothing was sent.
 *
 * @since 0.2.0
 */
export const neverSent = (error: ApiError.ApiError): boolean =>
  error._tag === "TransportError" && notConnectedPattern.test(error.reason)

/**
 * True when the server provably did not act on the request: it was never
 * sent, or it was turned away with 429 or 503.
 *
 * @since 0.2.0
 */
export const notProcessed = (error: ApiError.ApiError): boolean =>
  neverSent(error) ||
  (error._tag === "RateLimited" && error.status === 429) ||
  (error._tag === "ServerError" && error.status === 503)

/**
 * True when the request may or may not have taken effect: sent, but no answer read.
 *
 * @since 0.2.0
 */
export const ambiguous = (error: ApiError.ApiError): error is ApiError.TransportError | ApiError.Timeout =>
  error._tag === "Timeout" || (error._tag === "TransportError" && !neverSent(error))

/**
 * An ambiguous error as `OutcomeUnknown` (same place, with what happened as
 * the reason); every other error unchanged.
 *
 * @since 0.2.0
 */
export const outcomeUnknown = (error: ApiError.ApiError): ApiError.ApiError => {
  if (!ambiguous(error)) return error
  const { method, operation, provider, url } = error
  const reason = error._tag === "Timeout"
    ? `no answer within ${error.timeoutMillis} ms (${error.scope} timeout)`
    : `the connection failed after the request was sent: ${error.reason}`
  return new ApiError.OutcomeUnknown({
    provider,
    operation,
    method,
    url,
    ...(error.status !== undefined ? { status: error.status } : {}),
    reason
  })
}
