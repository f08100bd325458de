/**
 * Reading a response body within a size limit.
 *
 * A body is abandoned as soon as it is known to be too large: from its
 * `Content-Length` before a byte is read, or from the bytes read so far.
 * A body that declares a length within the limit is read in one go
 * (`response.text`): HTTP framing stops every Node client at the declared
 * length, so it cannot grow past the limit, and one promise costs far less
 * than a Stream of chunks. A body without a usable length (chunked) is read
 * as a stream, counting bytes. Abandoning it is the caller's scope
 * closing: the transport sends every request under `HttpClient.withScope`,
 * whose finalizer aborts the request, which releases the socket (a server
 * announcing 2 GB cannot hold the connection, or the process, open).
 *
 * @internal
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as ApiError from "../ApiError.js"
import { describeCause } from "./errors.js"

/** Statuses that carry no body whatever the headers say. */
const bodyless = (status: number, method: string): boolean =>
  status === 204 || status === 205 || status === 304 || method === "HEAD"

/**
 * Whether the body is exactly `Content-Length` bytes as they arrive: a plain
 * decimal length, not chunked, and not compressed (a compressed body's length
 * says nothing about what it inflates to).
 */
const framedByLength = (headers: Headers.Headers, declared: string): boolean => {
  if (!/^\s*\d{1,15}\s*$/.test(declared)) return false
  if (headers["transfer-encoding"] !== undefined) return false
  const encoding = headers["content-encoding"]
  return encoding === undefined || encoding.trim() === "" || encoding.trim().toLowerCase() === "identity"
}

/** The body as text, or a typed error: `DecodeError` (format "body") when too large, `TransportError` when cut off. */
export const read = (
  response: HttpClientResponse.HttpClientResponse,
  where: ApiError.Where,
  maxBytes: number,
  headers: Headers.Headers = response.headers
): Effect.Effect<string, ApiError.ApiError> => {
  if (bodyless(response.status, where.method)) return Effect.succeed("")
  const tooLarge = (bytes: number) =>
    ApiError.DecodeError.fromBody(where, { status: response.status, body: "" }, {
      format: "body",
      issue: `the response body (${bytes} bytes or more) exceeds the limit of ${maxBytes} bytes`
    })
  const declared = Option.getOrUndefined(Headers.get(headers, "content-length"))
  const declaredBytes = declared === undefined ? Number.NaN : Number(declared)
  if (Number.isFinite(declaredBytes) && declaredBytes > maxBytes) return Effect.fail(tooLarge(declaredBytes))
  const cutOff = (error: HttpClientError.ResponseError) =>
    new ApiError.TransportError({ ...where, reason: `the response body could not be read: ${describeCause(error)}` })
  if (declared !== undefined && framedByLength(headers, declared)) return Effect.mapError(response.text, cutOff)
  return Effect.suspend(() => {
    const parts: Array<Uint8Array> = []
    let size = 0
    return response.stream.pipe(
      Stream.mapError(cutOff),
      Stream.runForEach((bytes) => {
        size += bytes.byteLength
        if (size > maxBytes) return Effect.fail(tooLarge(size))
        parts.push(bytes)
        return Effect.void
      }),
      Effect.map(() => decodeUtf8(parts, size))
    )
  })
}

const decodeUtf8 = (parts: ReadonlyArray<Uint8Array>, size: number): string => {
  if (parts.length === 1) return new TextDecoder().decode(parts[0])
  const all = new Uint8Array(size)
  let offset = 0
  for (const part of parts) {
    all.set(part, offset)
    offset += part.byteLength
  }
  return new TextDecoder().decode(all)
}

