/**
 * How the transport turns what happened into an `ApiError`: a response the
 * call does not accept (status, the provider's reading of the body,
 * `Retry-After`), a failure below HTTP, and the last pass every error goes
 * through before it is kept, logged or put on a span: the request's secrets
 * replaced in every text it holds.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as Headers from "@effect/platform/Headers"
import * as Option from "effect/Option"
import * as ApiError from "../ApiError.js"
import * as RetryPolicy from "../RetryPolicy.js"
import type { Redactor } from "./redact.js"

/** The part of a response these functions read (the transport's `RawResponse`). */
export interface Response extends ApiError.BodySource {
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: string
}

/** The provider hooks that read error bodies. */
export interface Readers<R extends Response> {
  readonly readErrorBody: (response: R) => ApiError.Detail
  readonly mapError:
    | ((response: R, where: ApiError.Where, fallback: ApiError.ApiError) => ApiError.ApiError)
    | undefined
}

/**
 * The error for a response the call does not accept. The provider's readers
 * see the body with the request's secrets already replaced, so nothing they
 * take from it (a message, a code) can carry one, even once shortened.
 */
export const fromResponse = <R extends Response>(
  response: R,
  where: ApiError.Where,
  readers: Readers<R>,
  redactor: Redactor,
  now: number
): ApiError.ApiError => {
  const safe: R = { ...response, body: redactor.redact(response.body) }
  const detail = redactDetail(attempt(() => readers.readErrorBody(safe), {}), redactor)
  const retryAfter = RetryPolicy.parseRetryAfter(
    Option.getOrUndefined(Headers.get(response.headers, "retry-after")),
    now
  )
  const fallback = ApiError.fromStatus(where, response.status, detail, retryAfter)
  const mapError = readers.mapError
  return mapError === undefined ? fallback : attempt(() => mapError(safe, where, fallback), fallback)
}

const redactDetail = (detail: ApiError.Detail, redactor: Redactor): ApiError.Detail => ({
  ...(detail.providerCode === undefined ? {} : { providerCode: redactor.redact(detail.providerCode) }),
  ...(detail.providerMessage === undefined ? {} : { providerMessage: redactor.redact(detail.providerMessage) })
})

const attempt = <A>(f: () => A, fallback: A): A => {
  try {
    return f()
  } catch {
    return fallback
  }
}

/** The error for a request that got no response (refused, reset, bad URL, unencodable body). */
export const fromClientError = (error: HttpClientError.HttpClientError, where: ApiError.Where): ApiError.ApiError => {
  if (error._tag === "RequestError" && error.reason !== "Transport") {
    return new ApiError.InvalidRequest({
      provider: where.provider,
      operation: where.operation,
      issue: error.reason === "InvalidUrl" ? `invalid URL ${where.url}` : "the request body could not be encoded"
    })
  }
  return new ApiError.TransportError({ ...where, reason: describeCause(error) })
}

/**
 * A short account of why a request failed: the innermost system error code
 * (ECONNREFUSED, ECONNRESET, …) with its message, never the request. Callers
 * still pass it through the redaction: a message may quote what was sent.
 */
export const describeCause = (error: unknown): string => {
  const seen = new Set<unknown>()
  let current: unknown = error
  let best = "request failed"
  while (typeof current === "object" && current !== null && !seen.has(current)) {
    seen.add(current)
    const code = (current as { code?: unknown }).code
    const message = (current as { message?: unknown }).message
    if (typeof code === "string" && code !== "") best = typeof message === "string" ? `${code}: ${message}` : code
    else if (typeof message === "string" && message !== "" && !message.includes("http")) best = message
    current = (current as { cause?: unknown }).cause
  }
  return ApiError.truncate(best, 200)
}

/**
 * The error with every known secret replaced in every text it holds
 * (message, excerpt, issue, URL, reason, location, problems, …). The same
 * error comes back when there was nothing to replace.
 */
export const redactError = <E extends ApiError.ApiError>(error: E, redactor: Redactor): E => {
  if (redactor.size() === 0) return error
  const fields: Record<string, unknown> = {}
  let changed = false
  for (const [key, value] of Object.entries(error)) {
    if (key === "_tag") continue
    const next = redactValue(value, redactor)
    if (next !== value) changed = true
    fields[key] = next
  }
  if (!changed) return error
  const Rebuild = error.constructor as new(fields: Record<string, unknown>) => E
  return new Rebuild(fields)
}

const redactValue = (value: unknown, redactor: Redactor): unknown => {
  if (typeof value === "string") {
    const redacted = redactor.redact(value)
    return redacted === value ? value : redacted
  }
  if (Array.isArray(value)) {
    const items = value.map((item) => redactValue(item, redactor))
    return items.some((item, i) => item !== value[i]) ? items : value
  }
  if (typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = Object.entries(value).map(([k, v]) => [k, redactValue(v, redactor)] as const)
    return entries.some(([k, v]) => v !== (value as Record<string, unknown>)[k]) ? Object.fromEntries(entries) : value
  }
  return value
}
