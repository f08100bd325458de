/**
 * Chaos streams: every job of each registered provider, streamed while the
 * simulator injects (seeded) 10 % HTTP 500, 5 % 429 with Retry-After, 2 %
 * connection resets and 1 % truncated bodies on the list requests.
 */
import { expect, layer } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import { Faults, type Harness } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { collect, entries, guard, ids, listCount, live, onList, quickPolicy } from "./support.js"

const mix = Faults.chaos({ serverError: 0.10, rateLimited: 0.05, reset: 0.02, truncate: 0.01, retryAfter: "0" })

/** Pages of at most 50 jobs, so a realistic volume is many pages (and many chances of a fault). */
const pageSize = (entry: Harness.Entry) => Math.min(50, entry.defaultPageSize)

/** A realistic volume, and at least 40 pages (enough requests for every kind of fault to occur). */
const volume = (entry: Harness.Entry) => Math.max(entry.volume, 40 * pageSize(entry))

/** The typed error each injected fault must become. */
const expectedTag: Record<string, string> = {
  Status: "ServerError",
  RateLimited: "RateLimited",
  Reset: "TransportError",
  Truncate: "TransportError"
}

const faultKind = (running: Harness.Running, index: number): string | undefined => {
  const entry = running.server.requests.find((r) => r.index === index)
  if (entry?.fault === undefined) return undefined
  // A "Status" fault is a 500 or a 429; the log records the status that went out.
  if (entry.fault === "Status") return entry.status === 429 ? "RateLimited" : "Status"
  return entry.fault
}

layer(live, { excludeTestServices: true })("chaos", (it) => {
  for (const entry of entries) {
    const name = entry.provider.name
    const p = pageSize(entry)
    const n = volume(entry)

    it.scoped(`with retries, every job arrives exactly once and in order: ${name}, ${n} jobs through 18 % injected failures`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: n, seed: 7 })
        running.server.setFaults(onList(entry, mix))
        const got = yield* guard(collect(ids(running, { retryPolicy: quickPolicy(10), pageSize: p })), 45_000, `${name} chaos stream`)
        const expected = running.expectedIds()
        expect(expected.length).toBe(n)
        expect(new Set(got).size).toBe(got.length)
        expect(got).toEqual(expected)
        // The chaos really happened, and every kind of fault was met (seed 7 is chosen so it is).
        const faulted = running.server.requests.filter((r) => entry.isList(r) && r.fault !== undefined)
        const kinds = new Set(faulted.map((r) => faultKind(running, r.index)))
        expect(faulted.length).toBeGreaterThan(0)
        expect([...kinds].sort()).toEqual(["RateLimited", "Reset", "Status", "Truncate"])
        // Each faulted request was followed by a retry: list requests = pages + faults. A cursor
        // walk may ask once more, past a last page that happens to be full.
        const pages = Math.ceil(expected.length / p) + (entry.pagination === "numbered" ? 0 : 1)
        expect(listCount(running)).toBeGreaterThanOrEqual(pages - 1 + faulted.length)
        expect(listCount(running)).toBeLessThanOrEqual(pages + faulted.length)
      }), 60_000)

    it.scoped(`without retries, the first fault surfaces as its typed error: ${name}, over many seeded walks`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 40 * p, seed: 7 })
        running.server.setFaults(onList(entry, mix))
        const seen = new Map<string, string>()
        for (let walk = 0; walk < 400 && seen.size < 4; walk++) {
          const before = running.server.requestCount
          // One page in flight at a time, so "first" is well defined.
          const exit = yield* Effect.exit(collect(ids(running, { retryPolicy: RetryPolicy.none, concurrency: 1, pageSize: p })))
          const mine = running.server.requests.filter((r) => r.index > before && entry.isList(r))
          const firstFaulted = mine.find((r) => r.fault !== undefined)
          if (firstFaulted === undefined) {
            expect(Exit.isSuccess(exit)).toBe(true)
            continue
          }
          const kind = faultKind(running, firstFaulted.index)!
          expect(Exit.isFailure(exit)).toBe(true)
          if (Exit.isFailure(exit)) {
            const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
            expect(error?._tag, `${kind} on request ${firstFaulted.index}`).toBe(expectedTag[kind])
            if (kind === "RateLimited" && error?._tag === "RateLimited") expect(error.retryAfterMillis).toBe(0)
            if (kind === "Status" && error?._tag === "ServerError") expect(error.status).toBe(500)
            if (error !== undefined) expect(error.message).toContain(name)
            seen.set(kind, error?._tag ?? "none")
          }
          // Nothing was asked for after the failing page.
          expect(mine[mine.length - 1]!.index).toBe(firstFaulted.index)
        }
        expect([...seen.keys()].sort()).toEqual(["RateLimited", "Reset", "Status", "Truncate"])
      }), 60_000)

    it.scoped(`the retried stream is reproducible: ${name}, the same seed injects the same faults on a sequential walk`, () =>
      Effect.gen(function*() {
        const runs: Array<ReadonlyArray<string>> = []
        for (let run = 0; run < 2; run++) {
          const running = yield* entry.start({ jobs: 25 * p, seed: 99 })
          running.server.setFaults(onList(entry, mix))
          const got = yield* collect(ids(running, { retryPolicy: quickPolicy(10), pageSize: p, concurrency: 1 }))
          expect(got).toEqual(running.expectedIds())
          runs.push(running.server.requests.filter(entry.isList).map((r) => `${r.index}:${r.fault ?? "-"}`))
        }
        expect(runs[0]).toEqual(runs[1])
      }))
  }
})
