/**
 * Benchmark 2: decode throughput of one 50-job InsideView page, in jobs per
 * second, on the exact bodies the simulator serves.
 *
 * The library's page decoders (`decodePageJson` / `decodePageXml`) are
 * internal to @jobstream/insideview (its "./internal/*" export is closed), so
 * the bench imports the source file directly: it measures the same function
 * `InsideViewClient` hands to the transport for every page, XmlCodec and the
 * page schema included.
 */
import * as Cookies from "@effect/platform/Cookies"
import * as Headers from "@effect/platform/Headers"
import { XmlCodec } from "@jobstream/core"
import type { ApiError, HttpTransport } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { XMLParser } from "fast-xml-parser"
import * as Codec from "../../packages/insideview/src/internal/codec.js"
import { pageSize, token } from "./cases.js"
import { median, opsPerSecond, round } from "./util.js"

export interface DecodeRow {
  readonly name: string
  readonly jobsPerSecond: number
  readonly runs: ReadonlyArray<number>
}

export interface DecodeResult {
  readonly jobsPerPage: number
  readonly jsonBytes: number
  readonly xmlBytes: number
  readonly repeats: number
  readonly jsonParse: DecodeRow
  readonly libraryJson: DecodeRow
  readonly libraryXml: DecodeRow
  /** Reference points that explain the three figures above. */
  readonly reference: ReadonlyArray<DecodeRow>
  /** libraryXml / libraryJson. */
  readonly xmlOverJson: number
}

const fetchBody = async (url: string, accept: string) => {
  const response = await fetch(`${url}/api/v1/admin/jobs?page=1&resultsPerPage=${pageSize}`, {
    headers: { accept, accesstoken: token }
  })
  return { body: await response.text(), contentType: response.headers.get("content-type") ?? "" }
}

export const decodeThroughput = async (url: string, repeats: number, minMs: number): Promise<DecodeResult> => {
  const json = await fetchBody(url, "application/json")
  const xml = await fetchBody(url, "application/xml")
  const where: ApiError.Where = { provider: "insideview", operation: "bench", method: "GET", url }
  const raw = (r: { body: string; contentType: string }): HttpTransport.RawResponse => {
    // Built as a variable (not a literal) so the bench keeps compiling while
    // RawResponse gains or loses optional-ish fields in core.
    const response = {
      status: 200,
      headers: Headers.fromInput({ "content-type": r.contentType }),
      cookies: Cookies.empty,
      body: r.body
    }
    return response
  }
  const jsonRaw = raw(json)
  const xmlRaw = raw(xml)

  // Sanity: both decoders see the whole page.
  const jsonPage = Effect.runSync(Codec.decodePageJson(jsonRaw, where))
  const xmlPage = Effect.runSync(Codec.decodePageXml(xmlRaw, where))
  if (jsonPage.bulkJobs.length !== pageSize || xmlPage.bulkJobs.length !== pageSize) {
    throw new Error(`decode: expected ${pageSize} jobs per page, got ${jsonPage.bulkJobs.length} / ${xmlPage.bulkJobs.length}`)
  }

  const codec = XmlCodec.make()
  const fxpDefault = new XMLParser()
  const cases: ReadonlyArray<readonly [string, () => unknown]> = [
    ["JSON.parse alone", () => JSON.parse(json.body)],
    ["library JSON decode (JSON.parse + page schema)", () => Effect.runSync(Codec.decodePageJson(jsonRaw, where))],
    ["library XML decode (XmlCodec + page schema)", () => Effect.runSync(Codec.decodePageXml(xmlRaw, where))],
    ["ref: fast-xml-parser, default options, parse alone", () => fxpDefault.parse(xml.body)],
    ["ref: XmlCodec.parse alone (with the page's array paths)", () => {
      // The array paths `decodePageXml` declares.
      const r = codec.parse(xml.body, { arrayPaths: ["*.bulkJob", "*.bulkJobs.bulkJob"] })
      if (Either.isLeft(r)) throw new Error(r.left)
      return r.right
    }]
  ]
  // Warm-up, then `repeats` rounds of every case in turn.
  for (const [, f] of cases) opsPerSecond(f, minMs)
  const runs = cases.map(() => [] as Array<number>)
  for (let r = 0; r < repeats; r++) {
    cases.forEach(([, f], i) => runs[i]!.push(opsPerSecond(f, minMs) * pageSize))
  }
  const rows: Array<DecodeRow> = cases.map(([name], i) => ({
    name,
    jobsPerSecond: round(median(runs[i]!)),
    runs: runs[i]!.map((x) => round(x))
  }))
  return {
    jobsPerPage: pageSize,
    jsonBytes: Buffer.byteLength(json.body),
    xmlBytes: Buffer.byteLength(xml.body),
    repeats,
    jsonParse: rows[0]!,
    libraryJson: rows[1]!,
    libraryXml: rows[2]!,
    reference: rows.slice(3),
    xmlOverJson: round(rows[2]!.jobsPerSecond / rows[1]!.jobsPerSecond, 3)
  }
}
