/**
 * The request side of the transport: where a request goes, whether it may be
 * repeated, and the last check before anything is sent — every header name
 * and value must be sendable. Node's HTTP clients reject a value holding a
 * line break, a NUL or a character beyond Latin-1 with an error that quotes
 * the value (for a token: the token); here the request is refused first,
 * naming the header only.
 *
 * @internal
 */
import type * as Headers from "@effect/platform/Headers"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as ApiError from "../ApiError.js"
import type { Redactor } from "./redact.js"

/** Methods that may be repeated without a second effect. */
export const idempotentMethods: ReadonlySet<string> = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE"])

/** Whether `url` is absolute (http or https). */
export const isAbsolute = (url: string): boolean => /^https?:\/\//i.test(url)

/** The absolute URL of a request, query included, as the platform will build it. */
export const fullUrl = (request: HttpClientRequest.HttpClientRequest, baseUrl: string): string => {
  const url = isAbsolute(request.url) ? request.url : `${baseUrl}${request.url}`
  if (request.urlParams.length === 0) return url
  const qs = new URLSearchParams(request.urlParams.map(([k, v]) => [k, v] as [string, string])).toString()
  return `${url}${url.includes("?") ? "&" : "?"}${qs}`
}

/** A header that cannot be sent; raised before the request leaves. */
export class HeaderRejected extends Data.TaggedError("HeaderRejected")<{
  readonly name: string
  readonly part: "name" | "value"
}> {}

// RFC 9110 token characters.
const tokenChars = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
// Horizontal tab, visible ASCII and the Latin-1 range: what every Node client accepts.
const badValueChar = /[^\t\u0020-\u007e\u0080-\u00ff]/

/** The first header that cannot be sent, if any. */
export const rejectedHeader = (headers: Headers.Headers): HeaderRejected | undefined => {
  for (const name of Object.keys(headers)) {
    if (!tokenChars.test(name)) return new HeaderRejected({ name: printableName(name), part: "name" })
    if (badValueChar.test(headers[name]!)) return new HeaderRejected({ name, part: "value" })
  }
  return undefined
}

const printableName = (name: string): string =>
  ApiError.truncate(name.replace(/[^\u0020-\u007e]/g, "?"), 60)

/** The error a rejected header becomes: not retried, and quoting no value. */
export const toInvalidRequest = (rejected: HeaderRejected, where: ApiError.Where): ApiError.InvalidRequest => {
  const message = rejected.part === "name"
    ? "is not a valid header name"
    : "has a value that cannot be sent: it holds a line break, a NUL, another control character or a character outside Latin-1 (the value is not shown)"
  return new ApiError.InvalidRequest({
    provider: where.provider,
    operation: where.operation,
    issue: `header ${rejected.name} ${message}`,
    problems: [{ parameter: `header ${rejected.name}`, message }]
  })
}

/** The redactor of the call being sent, so the last request step can teach it the headers added late (cookies). */
export const currentRedactor: FiberRef.FiberRef<Redactor | undefined> = FiberRef.unsafeMake<Redactor | undefined>(
  undefined
)

/**
 * The last step before a request is sent: learns the secret headers' values
 * (some, like a session's cookies, are added after the call was built) and
 * refuses a header that cannot be sent.
 */
export const finalCheck = (isSecretHeader: (name: string) => boolean) =>
(
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<HttpClientRequest.HttpClientRequest, HeaderRejected> =>
  Effect.flatMap(FiberRef.get(currentRedactor), (redactor) => {
    if (redactor !== undefined) {
      for (const [name, value] of Object.entries(request.headers)) {
        if (isSecretHeader(name)) redactor.addHeader(name, value)
      }
    }
    const rejected = rejectedHeader(request.headers)
    return rejected === undefined ? Effect.succeed(request) : Effect.fail(rejected)
  })
