/**
 * Pagination, for every registered provider, over generated listings: any
 * number of jobs (none included), any page size, any number of pages in
 * flight — the stream yields every job exactly once, in the provider's
 * order, with a bounded number of list requests: one per page, and at most
 * one more to confirm the end after a full last page.
 */
import { expect, layer } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import * as Effect from "effect/Effect"
import { collect, entries, ids, listCount, live } from "./support.js"

layer(live, { excludeTestServices: true })("pagination of every provider", (it) => {
  for (const entry of entries) {
    const name = entry.provider.name
    it.scoped.prop(
      `${name}: every job once, in order, with ⌈n/p⌉ (+1) list requests`,
      [fc.integer({ min: 0, max: 90 }), fc.integer({ min: 1, max: Math.min(25, entry.maxPageSize) }), fc.integer({ min: 1, max: 8 })],
      ([jobs, pageSize, concurrency]) =>
        Effect.gen(function*() {
          const running = yield* entry.start({ jobs, seed: jobs + 1 })
          const got = yield* collect(ids(running, { pageSize, concurrency }))
          expect(got).toEqual(running.expectedIds())
          expect(got).toHaveLength(jobs)
          const pages = Math.max(1, Math.ceil(jobs / pageSize))
          const sent = listCount(running)
          expect(sent).toBeGreaterThanOrEqual(pages)
          expect(sent).toBeLessThanOrEqual(pages + 1)
        }),
      { fastCheck: { seed: 20240612, numRuns: 25 } }
    )
  }
})
