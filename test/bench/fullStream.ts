/**
 * Benchmark 1: the whole InsideView listing (16,788 jobs, 336 pages of 50,
 * 20 ms per request), plain `fetch` against the library, JSON and XML.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { InsideViewClient } from "@jobstream/insideview"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { XMLParser } from "fast-xml-parser"
import { median, round, timeIt } from "./util.js"

export type Format = "json" | "xml"

export const token = "sim-fixed-token"
export const pageSize = 50

const acceptOf = (format: Format) => (format === "json" ? "application/json" : "application/xml")

// The plain XML baseline: fast-xml-parser as anyone would first use it
// (default options), told only that `bulkJob` is a list.
const plainXml = new XMLParser({ isArray: (name) => name === "bulkJob" })

interface PlainPage {
  readonly count: number
  readonly total: number
}

/** One page with `fetch` and `JSON.parse` (or fast-xml-parser): no schema, no retry, no error mapping. */
export const plainPage = async (url: string, format: Format, page: number): Promise<PlainPage> => {
  const response = await fetch(`${url}/api/v1/admin/jobs?page=${page}&resultsPerPage=${pageSize}`, {
    headers: { accept: acceptOf(format), accesstoken: token }
  })
  const text = await response.text()
  if (response.status !== 200) throw new Error(`plain fetch: page ${page} answered ${response.status}`)
  if (format === "json") {
    const body = JSON.parse(text) as { bulkJobs: Array<unknown>; totalResults: string }
    return { count: body.bulkJobs.length, total: Number(body.totalResults) }
  }
  const doc = plainXml.parse(text) as { bulkJobs: { bulkJob?: Array<unknown>; totalResults: number } }
  return { count: doc.bulkJobs.bulkJob?.length ?? 0, total: Number(doc.bulkJobs.totalResults) }
}

/** Every page with plain fetch: the first (for the total), then the rest with `workers` loops. */
export const plainAll = async (url: string, format: Format, workers: number): Promise<number> => {
  const first = await plainPage(url, format, 1)
  const pages = Math.ceil(first.total / pageSize)
  let next = 2
  let count = first.count
  const worker = async () => {
    while (next <= pages) {
      const page = next++
      const { count: n } = await plainPage(url, format, page)
      count += n
    }
  }
  await Promise.all(Array.from({ length: workers }, worker))
  return count
}

/** Every job through `InsideViewClient.jobs()`, counted without being kept. */
export const libraryAll = (url: string, format: Format, concurrency: number): Promise<number> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const client = yield* InsideViewClient.make({
        baseUrl: url,
        authBaseUrl: url,
        auth: InsideViewClient.Auth.token(Redacted.make(token)),
        format,
        concurrency,
        pageSize: pageSize
      })
      return yield* Stream.runCount(client.jobs())
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
  )

export interface Variant {
  readonly name: string
  readonly format: Format
  /** Pages in flight at once (1 = sequential). */
  readonly concurrency: number
  readonly kind: "plain" | "library"
}

export const variants: ReadonlyArray<Variant> = (["json", "xml"] as const).flatMap((format) => [
  { name: "plain fetch, sequential", format, concurrency: 1, kind: "plain" as const },
  { name: "plain fetch, 8 workers", format, concurrency: 8, kind: "plain" as const },
  { name: "library, sequential (concurrency 1)", format, concurrency: 1, kind: "library" as const },
  { name: "library, concurrency 4", format, concurrency: 4, kind: "library" as const },
  { name: "library, concurrency 8", format, concurrency: 8, kind: "library" as const },
  { name: "library, concurrency 16", format, concurrency: 16, kind: "library" as const }
])

export const runVariant = (url: string, v: Variant): Promise<number> =>
  v.kind === "plain" ? plainAll(url, v.format, v.concurrency) : libraryAll(url, v.format, v.concurrency)

export interface VariantResult extends Variant {
  readonly runsMs: ReadonlyArray<number>
  readonly medianMs: number
  /** ⌈pages / concurrency⌉ × latency. */
  readonly latencyBoundMs: number
}

export interface FullStreamResult {
  readonly jobs: number
  readonly pages: number
  readonly latencyMillis: number
  readonly repeats: number
  readonly variants: ReadonlyArray<VariantResult>
}

/**
 * Runs every variant `repeats` times, round-robin (so slow drifts of the
 * machine spread over all of them), after one warm-up pass of the fast ones.
 */
export const fullStream = async (
  url: string,
  jobs: number,
  latencyMillis: number,
  repeats: number,
  log: (line: string) => void
): Promise<FullStreamResult> => {
  const pages = Math.ceil(jobs / pageSize)
  for (const v of variants.filter((v) => v.concurrency >= 8)) {
    const n = await runVariant(url, v)
    if (n !== jobs) throw new Error(`${v.name} (${v.format}) streamed ${n} jobs, expected ${jobs}`)
  }
  const runs = new Map<Variant, Array<number>>(variants.map((v) => [v, []]))
  for (let r = 0; r < repeats; r++) {
    for (const v of variants) {
      const { ms, value } = await timeIt(() => runVariant(url, v))
      if (value !== jobs) throw new Error(`${v.name} (${v.format}) streamed ${value} jobs, expected ${jobs}`)
      runs.get(v)!.push(ms)
      log(`  [${r + 1}/${repeats}] ${v.format} ${v.name}: ${Math.round(ms)} ms`)
    }
  }
  return {
    jobs,
    pages,
    latencyMillis,
    repeats,
    variants: variants.map((v) => ({
      ...v,
      runsMs: runs.get(v)!.map((ms) => round(ms)),
      medianMs: round(median(runs.get(v)!)),
      latencyBoundMs: Math.ceil(pages / v.concurrency) * latencyMillis
    }))
  }
}
