/**
 * Wire decoding for InsideView: list pages (JSON or XML), error bodies and
 * the token response. Internal: the public shapes live in InsideViewJob.ts.
 */
import { ApiError, Dates, FastDecode, HttpTransport, XmlCodec } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { BulkJob, type BulkJobsPage, IntFromWire } from "../InsideViewJob.js"
import * as FastPage from "./fastPage.js"

const codec = XmlCodec.make()

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

// ---------------------------------------------------------------------------
// List pages

const JsonPage = Schema.Struct({
  bulkJobs: Schema.optionalWith(Schema.Array(BulkJob), { nullable: true }),
  page: Schema.optionalWith(IntFromWire, { nullable: true }),
  resultsPerPage: Schema.optionalWith(IntFromWire, { nullable: true }),
  totalResults: Schema.optionalWith(IntFromWire, { nullable: true })
})

// After normalisation, `bulkJob` always holds an array (see `decodePageXml`).
const XmlPage = Schema.Struct({
  bulkJob: Schema.Array(BulkJob),
  bulkJobs: Schema.optional(Schema.Struct({ bulkJob: Schema.Array(BulkJob) })),
  page: Schema.optional(IntFromWire),
  resultsPerPage: Schema.optional(IntFromWire),
  totalResults: Schema.optional(IntFromWire)
})

const toPage = (
  bulkJobs: ReadonlyArray<BulkJob>,
  p: { readonly page?: number | undefined; readonly resultsPerPage?: number | undefined; readonly totalResults?: number | undefined }
): BulkJobsPage => ({
  bulkJobs,
  ...(p.page !== undefined ? { page: p.page } : {}),
  ...(p.resultsPerPage !== undefined ? { resultsPerPage: p.resultsPerPage } : {}),
  ...(p.totalResults !== undefined ? { totalResults: p.totalResults } : {})
})

const decodeJsonPage = HttpTransport.decodeJson(JsonPage)
const decodeXmlPage = Schema.decodeUnknownEither(XmlPage, { errors: "first" })
const decodeJsonValue = Schema.decodeUnknownEither(JsonPage, { errors: "first" })

/** A parsed JSON page through the Schemas only (what the fast path must agree with). */
export const schemaPageJson = (json: unknown): Either.Either<BulkJobsPage, ParseResult.ParseError> =>
  Either.map(decodeJsonValue(json), (p) => toPage(p.bulkJobs ?? [], p))

/** An XML page's root content through the Schemas only (what the fast path must agree with). */
export const schemaPageXml = (content: unknown): Either.Either<BulkJobsPage, ParseResult.ParseError> =>
  Either.map(decodeXmlPage(content), (p) => toPage([...p.bulkJob, ...(p.bulkJobs?.bulkJob ?? [])], p))

/**
 * A JSON page: `JSON.parse` and the fast path (`internal/fastPage`) in one
 * synchronous pass; a body that does not parse, or a page the fast path is
 * not sure of, goes through `HttpTransport.decodeJson` and the Schema, which
 * give the value or the precise `DecodeError`.
 */
export const decodePageJson = (
  raw: HttpTransport.RawResponse,
  where: ApiError.Where
): Effect.Effect<BulkJobsPage, ApiError.DecodeError> =>
  FastDecode.json(
    raw.body,
    FastPage.jsonPage,
    () => Effect.map(decodeJsonPage(raw, where), (p) => toPage(p.bulkJobs ?? [], p))
  )

/**
 * An XML page. The root element's name is not documented, so it is read
 * from the document and not relied upon; the items are `<bulkJob>` elements
 * either directly under the root (the documented example) or inside a
 * `<bulkJobs>` element under it. Both places are declared array paths, so
 * one item is a one-item list and none is an empty list.
 */
export const decodePageXml = (
  raw: HttpTransport.RawResponse,
  where: ApiError.Where
): Effect.Effect<BulkJobsPage, ApiError.DecodeError> =>
  Effect.suspend(() => {
    const fail = (format: "xml" | "schema", issue: string) =>
      Effect.fail(ApiError.DecodeError.fromBody(where, raw, { format, issue }))
    const parsed = codec.parse(raw.body, { arrayPaths: ["*.bulkJob", "*.bulkJobs.bulkJob"] })
    if (Either.isLeft(parsed)) return fail("xml", parsed.left)
    const roots = isRecord(parsed.right) ? Object.keys(parsed.right) : []
    if (roots.length !== 1) return fail("xml", `expected one root element, found ${roots.length}`)
    const root = roots[0]!
    const content = isRecord(parsed.right) ? parsed.right[root] : undefined
    const fast = FastPage.xmlPage(content)
    if (fast !== undefined) return Effect.succeed(fast)
    const decoded = decodeXmlPage(content)
    if (Either.isLeft(decoded)) return fail("schema", `in <${root}>: ${ApiError.formatParseError(decoded.left)}`)
    const p = decoded.right
    return Effect.succeed(toPage([...p.bulkJob, ...(p.bulkJobs?.bulkJob ?? [])], p))
  })

/**
 * A page in whichever format the server actually answered with (by
 * Content-Type), falling back to the requested one.
 */
export const decodePage = (requested: "json" | "xml") =>
(
  raw: HttpTransport.RawResponse,
  where: ApiError.Where
): Effect.Effect<BulkJobsPage, ApiError.DecodeError> => {
  const type = HttpTransport.mediaType(raw)
  const format = type.includes("json") ? "json" : type.includes("xml") ? "xml" : requested
  return format === "json" ? decodePageJson(raw, where) : decodePageXml(raw, where)
}

// ---------------------------------------------------------------------------
// Error bodies: {errorType, status, errorNumber, message, diagnosticCode}

const detailOf = (value: unknown): ApiError.Detail => {
  if (!isRecord(value)) return {}
  const code = value["errorNumber"]
  const message = value["message"]
  return {
    ...(typeof code === "string" || typeof code === "number" ? { providerCode: String(code) } : {}),
    ...(typeof message === "string" && message !== "" ? { providerMessage: message } : {})
  }
}

/** Reads InsideView's error body (JSON or XML); plain text becomes the message. */
export const readErrorBody = (raw: HttpTransport.RawResponse): ApiError.Detail => {
  const body = raw.body.trim()
  if (body === "") return {}
  const type = HttpTransport.mediaType(raw)
  if (body.startsWith("{")) {
    try {
      return detailOf(JSON.parse(body))
    } catch {
      return {}
    }
  }
  if (body.startsWith("<")) {
    if (type.includes("html")) return {}
    const parsed = codec.parse(body)
    if (Either.isLeft(parsed) || !isRecord(parsed.right)) return {}
    const roots = Object.values(parsed.right)
    return roots.length === 1 ? detailOf(roots[0]) : {}
  }
  return type.startsWith("text/plain") ? { providerMessage: ApiError.truncate(body, 300) } : {}
}

// ---------------------------------------------------------------------------
// Token response: {"accessTokenDetails": {accessToken, tokenType, expirationTime}}

const TokenDetails = Schema.Struct({
  accessToken: Schema.String.pipe(Schema.minLength(1)),
  tokenType: Schema.optional(Schema.String),
  expirationTime: Schema.optional(Schema.String)
})
export type TokenDetails = typeof TokenDetails.Type

const TokenResponse = Schema.Struct({ accessTokenDetails: TokenDetails })

const decodeTokenJson = HttpTransport.decodeJson(TokenResponse, { sensitive: true })
const decodeTokenValue = Schema.decodeUnknownEither(TokenResponse, { errors: "all" })

/**
 * Decodes the login answer (JSON, or XML with root `<accessTokenDetails>`).
 * The body holds the token, so an error never quotes it: no excerpt, and a
 * mismatch names only the paths at fault, never the values found there —
 * whatever shape (truncated, wrongly typed) the answer has.
 */
export const decodeToken = (
  raw: HttpTransport.RawResponse,
  where: ApiError.Where
): Effect.Effect<TokenDetails, ApiError.DecodeError> =>
  Effect.suspend(() => {
    const body = raw.body.trim()
    if (!body.startsWith("<")) return Effect.map(decodeTokenJson(raw, where), (r) => r.accessTokenDetails)
    const fail = (format: "xml" | "schema", issue: string) =>
      Effect.fail(ApiError.DecodeError.fromBody(where, raw, { format, issue, sensitive: true }))
    const parsed = codec.parse(body)
    if (Either.isLeft(parsed)) return fail("xml", "the login answer is not well-formed XML")
    const decoded = decodeTokenValue(parsed.right)
    if (Either.isLeft(decoded)) return fail("schema", HttpTransport.mismatchPaths(decoded.left))
    return Effect.succeed(decoded.right.accessTokenDetails)
  })

const monthIndex: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12
}

// "Tue, Jul 21, 2015 09:08:17 PM GMT" (the documented form)
const documented =
  /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s+([a-z]{3})[a-z]*\s+(\d{1,2}),?\s+(\d{4})\s+(\d{1,2}):(\d{2}):(\d{2})\s*(am|pm)\s+(?:gmt|utc)$/i
// "Tue, 21 Jul 2015 21:08:17 GMT" (RFC 1123, in case a server answers with it)
const rfc1123 = /^(?:mon|tue|wed|thu|fri|sat|sun),\s+(\d{1,2})\s+([a-z]{3})\s+(\d{4})\s+(\d{2}):(\d{2}):(\d{2})\s+(?:gmt|utc)$/i

const instant = (year: number, month: number | undefined, day: number, hour: number, minute: number, second: number) =>
  month === undefined || Dates.calendarProblem(year, month, day) !== undefined ||
    Dates.timeProblem(hour, minute, second) !== undefined
    ? undefined
    : Date.UTC(year, month - 1, day, hour, minute, second)

/**
 * `expirationTime` as epoch millis, if readable: the documented form
 * ("Tue, Jul 21, 2015 09:08:17 PM GMT"), RFC 1123, or ISO 8601. An impossible
 * date or time ("Feb 30", "13:00:00 PM") is unreadable, not rolled over.
 */
export const parseExpirationTime = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const text = value.trim()
  const d = documented.exec(text)
  if (d !== null) {
    const hour12 = Number(d[4])
    if (hour12 < 1 || hour12 > 12) return undefined
    const hour = (hour12 % 12) + (d[7]!.toLowerCase() === "pm" ? 12 : 0)
    return instant(Number(d[3]), monthIndex[d[1]!.toLowerCase()], Number(d[2]), hour, Number(d[5]), Number(d[6]))
  }
  const r = rfc1123.exec(text)
  if (r !== null) {
    return instant(Number(r[3]), monthIndex[r[2]!.toLowerCase()], Number(r[1]), Number(r[4]), Number(r[5]), Number(r[6]))
  }
  return Dates.parseIsoDateTime(text, { zone: "utc-if-absent" })?.getTime()
}
