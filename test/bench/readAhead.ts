/**
 * Benchmark 4: read-ahead on a cursor-paginated stream. GreenArrow's
 * `page_token` walk (Paginate.cursor, default `readAhead: 1`) against a
 * strictly sequential loop over the client's single-page call; the server
 * takes 20 ms per request and the consumer spends 20 ms on every page.
 *
 * The GreenArrow client does not expose `readAhead`, so the sequential side
 * is a hand loop over `GreenArrowClient.page` (fetch a page, consume it, then
 * ask for the next).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { GreenArrowSimulator } from "@jobstream/testkit"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { median, round, timeIt } from "./util.js"

export interface ReadAheadResult {
  readonly jobs: number
  readonly perPage: number
  readonly pages: number
  readonly fetchMillis: number
  readonly consumeMillis: number
  readonly repeats: number
  readonly readAhead: { readonly runsMs: ReadonlyArray<number>; readonly medianMs: number }
  readonly sequential: { readonly runsMs: ReadonlyArray<number>; readonly medianMs: number }
  /** readAhead / sequential. */
  readonly ratio: number
}

const sysAdmin = GreenArrowSimulator.defaultKeys.find((k) => k.role === "system_admin")!

const clientFor = (url: string, perPage: number) =>
  GreenArrowClient.make({
    baseUrl: url,
    auth: { _tag: "Key", organizationId: sysAdmin.organizationId, apiKey: Redacted.make(sysAdmin.apiKey) },
    pageSize: perPage
  })

const withClient = <A>(url: string, perPage: number, f: (c: GreenArrowClient.Service) => Effect.Effect<A, unknown>) =>
  Effect.runPromise(Effect.flatMap(clientFor(url, perPage), f).pipe(Effect.provide(FetchHttpClient.layer)))

/** The library's stream; the consumer spends `consume` on each page's worth of jobs. */
const viaStream = (url: string, perPage: number, consume: Duration.Duration) =>
  withClient(url, perPage, (client) => {
    let n = 0
    return Stream.runForEach(client.jobs(), () => {
      n++
      return n % perPage === 0 ? Effect.sleep(consume) : Effect.void
    }).pipe(Effect.flatMap(() => (n % perPage === 0 ? Effect.succeed(n) : Effect.as(Effect.sleep(consume), n))))
  })

/** Fetch a page, consume it, then fetch the next. */
const sequentially = (url: string, perPage: number, consume: Duration.Duration) =>
  withClient(url, perPage, (client) =>
    Effect.gen(function*() {
      let n = 0
      let at: GreenArrowClient.PageRequest = { _tag: "First" }
      while (true) {
        const page: GreenArrowClient.JobsPage = yield* client.page(undefined, at)
        n += page.jobs.length
        yield* Effect.sleep(consume)
        if (typeof page.nextPageToken !== "string" || page.jobs.length === 0) return n
        at = { _tag: "Token", token: page.nextPageToken }
      }
    }))

export const readAhead = async (
  url: string,
  jobs: number,
  perPage: number,
  millis: number,
  repeats: number,
  log: (line: string) => void
): Promise<ReadAheadResult> => {
  const consume = Duration.millis(millis)
  const ahead: Array<number> = []
  const seq: Array<number> = []
  const check = (what: string, n: number) => {
    if (n !== jobs) throw new Error(`read-ahead (${what}): ${n} jobs, expected ${jobs}`)
  }
  check("warm-up", await viaStream(url, perPage, Duration.zero))
  for (let r = 0; r < repeats; r++) {
    const a = await timeIt(() => viaStream(url, perPage, consume))
    check("stream", a.value)
    ahead.push(a.ms)
    const s = await timeIt(() => sequentially(url, perPage, consume))
    check("sequential", s.value)
    seq.push(s.ms)
    log(`  [${r + 1}/${repeats}] read-ahead ${Math.round(a.ms)} ms, sequential ${Math.round(s.ms)} ms`)
  }
  const aheadMs = median(ahead)
  const seqMs = median(seq)
  return {
    jobs,
    perPage,
    pages: Math.ceil(jobs / perPage),
    fetchMillis: millis,
    consumeMillis: millis,
    repeats,
    readAhead: { runsMs: ahead.map((x) => round(x)), medianMs: round(aheadMs) },
    sequential: { runsMs: seq.map((x) => round(x)), medianMs: round(seqMs) },
    ratio: round(aheadMs / seqMs, 3)
  }
}
