/**
 * The ICWS logout: `DELETE /icws/{sessionId}/connection`, for the session
 * held when the scope closes and for every session a reconnect replaced.
 *
 * The DELETE is idempotent, so transport failures (a reset, a refused
 * connection) and per-attempt timeouts (a silent server) are retried with a
 * short backoff, all within `timeout` overall: a server that never answers
 * cannot hold the scope (or the CLI) open longer than that. An answer — a
 * 5xx, a 429 — is final (logged, not retried). Each attempt gets a third of the budget (at most the session's
 * per-attempt timeout), so a silent first attempt leaves room for another
 * when the server comes back. A 401, 404 or 410 means the session had
 * already ended. Any other outcome is logged at Warning, naming the error's
 * kind, status and code — never its message (a server may echo secrets there).
 */
import { ApiError, type HttpTransport, RetryPolicy } from "@jobstream/core"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { inCall } from "./cookies.js"
import type { Credential } from "./wire.js"

/** What a logout needs. */
export interface LogoutOptions {
  readonly transport: HttpTransport.Service
  readonly request: (credential: Credential) => HttpClientRequest.HttpClientRequest
  /** Overall bound, retries included. */
  readonly timeout: Duration.Duration
  /** The session's per-attempt timeout. */
  readonly attemptTimeout: Duration.Duration
}

const alreadyEnded: ReadonlySet<string> = new Set(["Unauthorized", "NotFound", "Gone"])

const describeError = (error: ApiError.ApiError): Record<string, string | number> => ({
  error: error._tag,
  ...(error.status !== undefined ? { status: error.status } : {}),
  ...(error.providerCode !== undefined ? { providerCode: error.providerCode } : {}),
  ...(error._tag === "TransportError" ? { reason: error.reason.split(":")[0]! } : {}),
  ...(error._tag === "Timeout" ? { timeoutMillis: error.timeoutMillis, scope: error.scope } : {})
})

const lost = "ICWS: logging out failed; the session stays open on the server until it times out"

/** Builds the logout of one credential; it never fails (outcomes are logged). */
export const makeLogout = (options: LogoutOptions) => {
  const { timeout, transport } = options
  const attemptTimeout = Duration.max(
    Duration.millis(1),
    Duration.min(options.attemptTimeout, Duration.millis(Duration.toMillis(timeout) / 3))
  )
  // Only failures that say nothing about the server's state: an answer (a 5xx,
  // a 429) is final, and logged.
  const policy = RetryPolicy.make({
    base: Duration.millis(100),
    maxDelay: Duration.seconds(1),
    maxRetries: 20,
    while: (error) => error._tag === "TransportError" || (error._tag === "Timeout" && error.scope === "attempt")
  })

  return (credential: Credential): Effect.Effect<void> => {
    const request = options.request(credential)
    const where = transport.where("disconnect", request, [credential.sessionId])
    return inCall(credential.cookies).run(transport.execute({
      operation: "disconnect",
      request,
      idempotent: true,
      retryPolicy: policy,
      timeout: attemptTimeout,
      // The session id travels in the path.
      secrets: [credential.sessionId],
      decode: () => Effect.void
    })).pipe(
      // It runs in a finalizer (uninterruptible): let the timeout cut it short.
      Effect.interruptible,
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () =>
          new ApiError.Timeout({ ...where, timeoutMillis: Duration.toMillis(timeout), scope: "deadline" })
      }),
      Effect.matchCauseEffect({
        onSuccess: () => Effect.logDebug("ICWS session disconnected"),
        onFailure: (cause) => {
          const error = Cause.failureOption(cause)
          if (Option.isNone(error)) return Effect.logWarning(lost).pipe(Effect.annotateLogs({ error: "defect" }))
          if (alreadyEnded.has(error.value._tag)) {
            return Effect.logDebug("ICWS session had already ended on the server").pipe(
              Effect.annotateLogs(describeError(error.value))
            )
          }
          return Effect.logWarning(lost).pipe(Effect.annotateLogs(describeError(error.value)))
        }
      }),
      Effect.onInterrupt(() => Effect.logWarning(lost).pipe(Effect.annotateLogs({ error: "interrupted" })))
    )
  }
}
