/**
 * `GET /api/v1/admin/usage`: the request, and the answer decoded from JSON
 * or XML (see `InsideViewUsage` for the decisions on the undocumented parts).
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ApiError, type HttpTransport, XmlCodec } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { provider } from "../InsideViewJob.js"
import * as InsideViewUsage from "../InsideViewUsage.js"
import type { Authorizer } from "./listing.js"

/** The path of the usage endpoint. */
export const usagePath = "/api/v1/admin/usage"

const codec = XmlCodec.make()
const decodeValue = Schema.decodeUnknownEither(InsideViewUsage.Usage, { errors: "first" })

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** Decodes the answer in the format the server used (by Content-Type, else the body's first character). */
export const decodeUsage = (
  raw: HttpTransport.RawResponse,
  where: ApiError.Where
): Effect.Effect<InsideViewUsage.Usage, ApiError.DecodeError> =>
  Effect.suspend(() => {
    const fail = (format: "json" | "xml" | "schema", issue: string) =>
      Effect.fail(ApiError.DecodeError.fromBody(where, raw, { format, issue }))
    const body = raw.body.trim()
    let content: unknown
    if (body.startsWith("<")) {
      const parsed = codec.parse(body, { arrayPaths: ["*.usageForAccount", "*.creditsForAccount"] })
      if (Either.isLeft(parsed)) return fail("xml", parsed.left)
      const roots = isRecord(parsed.right) ? Object.keys(parsed.right) : []
      if (roots.length !== 1) return fail("xml", `expected one root element, found ${roots.length}`)
      content = (parsed.right as Record<string, unknown>)[roots[0]!]
    } else {
      try {
        content = JSON.parse(body)
      } catch {
        return fail("json", "the body is not JSON")
      }
    }
    if (!isRecord(content)) return fail("schema", "expected an object")
    const decoded = decodeValue(content)
    if (Either.isLeft(decoded)) return fail("schema", ApiError.formatParseError(decoded.left))
    return Effect.succeed(decoded.right)
  })

/** The `usage` operation. */
export const make = (options: {
  readonly transport: HttpTransport.Service
  readonly authorized: Authorizer
  readonly format: "json" | "xml"
}) =>
(query: InsideViewUsage.UsageQuery): Effect.Effect<InsideViewUsage.Usage, ApiError.ApiError> =>
  Effect.suspend(() => {
    const checked = InsideViewUsage.validate(query)
    if (Either.isLeft(checked)) return Effect.fail(ApiError.invalidRequest(provider, "usage", checked.left))
    const request = HttpClientRequest.get(usagePath).pipe(
      HttpClientRequest.setUrlParams(InsideViewUsage.toUrlParams(checked.right)),
      HttpClientRequest.setHeader("Accept", options.format === "json" ? "application/json" : "application/xml")
    )
    return options.authorized((token) =>
      options.transport.execute({
        operation: "usage",
        request: HttpClientRequest.setHeader(request, "accessToken", Redacted.value(token)),
        decode: decodeUsage
      })
    )
  })
