/**
 * Chaos streams: every job of each provider, streamed while the simulator
 * injects (seeded) 10 % HTTP 500, 5 % 429 with Retry-After, 2 % connection
 * resets and 1 % truncated bodies on the list requests.
 */
import { describe, expect, it } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import { Faults } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { collect, guard, harness, type Harness, listCount, live, onList, type ProviderName, quickPolicy } from "./support.js"

const mix = Faults.chaos({ serverError: 0.10, rateLimited: 0.05, reset: 0.02, truncate: 0.01, retryAfter: "0" })

const sizes: Record<ProviderName, number> = { insideview: 16_788, greenarrow: 3_000, icws: 400 }
const pageSizes: Record<ProviderName, number> = { insideview: 50, greenarrow: 50, icws: 10 }

/** The typed error each injected fault must become. */
const expectedTag: Record<string, string> = {
  Status: "ServerError",
  RateLimited: "RateLimited",
  Reset: "TransportError",
  Truncate: "TransportError"
}

const faultKind = (h: Harness, index: number): string | undefined => {
  const entry = h.server.requests.find((r) => r.index === index)
  if (entry?.fault === undefined) return undefined
  // A "Status" fault is a 500 or a 429; the log records the status that went out.
  if (entry.fault === "Status") return entry.status === 429 ? "RateLimited" : "Status"
  return entry.fault
}

describe("chaos: with retries, every job arrives exactly once and in order", () => {
  for (const name of ["insideview", "greenarrow", "icws"] as const) {
    it.live(`${name}: ${sizes[name]} jobs through 18 % injected failures`, () =>
      Effect.gen(function*() {
        const h = yield* harness(name, { jobs: sizes[name], seed: 7 })
        h.server.setFaults(onList(h, mix))
        const ids = yield* guard(
          collect(h.ids({ retryPolicy: quickPolicy(10), pageSize: pageSizes[name] })),
          45_000,
          `${name} chaos stream`
        )
        const expected = h.expectedIds()
        expect(expected.length).toBe(sizes[name])
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids).toEqual(expected)
        // The chaos really happened, and every kind of fault was met (seed 7 is chosen so it is).
        const faulted = h.server.requests.filter((r) => h.isList(r) && r.fault !== undefined)
        const kinds = new Set(faulted.map((r) => faultKind(h, r.index)))
        expect(faulted.length).toBeGreaterThan(0)
        expect([...kinds].sort()).toEqual(["RateLimited", "Reset", "Status", "Truncate"])
        // Each faulted request was followed by a retry: list requests = pages + faults.
        const pages = Math.ceil(expected.length / pageSizes[name]) + (name === "insideview" ? 0 : 1)
        expect(listCount(h)).toBeGreaterThanOrEqual(pages - 1 + faulted.length)
        expect(listCount(h)).toBeLessThanOrEqual(pages + faulted.length)
      }).pipe(Effect.scoped, Effect.provide(live)), 60_000)
  }
})

describe("chaos: without retries, the first fault surfaces as its typed error", () => {
  for (const name of ["insideview", "greenarrow", "icws"] as const) {
    it.live(`${name}: over many seeded walks, each fault kind maps to its error and stops the stream`, () =>
      Effect.gen(function*() {
        const h = yield* harness(name, { jobs: name === "icws" ? 200 : 2_000, seed: 7 })
        h.server.setFaults(onList(h, mix))
        const seen = new Map<string, string>()
        for (let walk = 0; walk < 400 && seen.size < 4; walk++) {
          const before = h.server.requestCount
          // One page in flight at a time, so "first" is well defined.
          const exit = yield* Effect.exit(
            collect(h.ids({ retryPolicy: RetryPolicy.none, concurrency: 1, pageSize: pageSizes[name] }))
          )
          const mine = h.server.requests.filter((r) => r.index > before && h.isList(r))
          const firstFaulted = mine.find((r) => r.fault !== undefined)
          if (firstFaulted === undefined) {
            expect(Exit.isSuccess(exit)).toBe(true)
            continue
          }
          const kind = faultKind(h, firstFaulted.index)!
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
      }).pipe(Effect.scoped, Effect.provide(live)), 60_000)
  }
})

describe("chaos: the retried stream is reproducible", () => {
  it.live("the same seed injects the same faults on a sequential walk", () =>
    Effect.gen(function*() {
      const runs: Array<ReadonlyArray<string>> = []
      for (let run = 0; run < 2; run++) {
        const h = yield* harness("greenarrow", { jobs: 1_000, seed: 99 })
        h.server.setFaults(onList(h, mix))
        const ids = yield* collect(h.ids({ retryPolicy: quickPolicy(10), pageSize: 25 }))
        expect(ids).toEqual(h.expectedIds())
        runs.push(h.server.requests.filter(h.isList).map((r) => `${r.index}:${r.fault ?? "-"}`))
      }
      expect(runs[0]).toEqual(runs[1])
    }).pipe(Effect.scoped, Effect.provide(live)))
})
