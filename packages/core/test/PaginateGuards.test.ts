/**
 * Paginate's guards against listings that move and servers that misbehave,
 * on in-memory listings (the provider tests repeat these over real HTTP).
 */
import { describe, expect, it } from "@effect/vitest"
import { ApiError, Paginate } from "@jobstream/core"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"

const where = (at: unknown) => ({ provider: "test", operation: "list", method: "GET", url: `http://test/list?at=${String(at)}` })
const idsOf = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `j${from + i}`)

/**
 * A listing served by offset, 1-based pages. `change(request, items)` runs
 * before request number `request` (1-based) is answered; `answer` can
 * replace what a page returns (a misbehaving server).
 */
const offsetListing = (
  size: number,
  pageSize: number,
  options: {
    readonly change?: (request: number, items: Array<string>) => void
    readonly answer?: (page: number, items: ReadonlyArray<string>) => ReadonlyArray<string>
    readonly total?: "honest" | "none"
  } = {}
) => {
  const items = idsOf(0, size)
  const log: Array<number> = []
  const fetch = (page: number) =>
    Effect.sync(() => {
      log.push(page)
      options.change?.(log.length, items)
      const slice = items.slice((page - 1) * pageSize, page * pageSize)
      const served = options.answer?.(page, items) ?? slice
      return options.total === "none" ? { items: served } : { items: served, total: items.length }
    })
  return { items, log, fetch }
}

const numbered = (
  listing: ReturnType<typeof offsetListing>,
  pageSize: number,
  concurrency: number,
  maxPages?: number
) =>
  Paginate.numbered({
    fetch: listing.fetch,
    key: (id: string) => id,
    where,
    pageSize,
    concurrency,
    ...(maxPages === undefined ? {} : { maxPages })
  })

const run = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.gen(function*() {
    const out: Array<A> = []
    const result = yield* Effect.either(Stream.runForEach(stream, (a) => Effect.sync(() => out.push(a))))
    return { out, error: Either.isLeft(result) ? result.left : undefined }
  })

describe("Paginate.numbered: a listing that moves", () => {
  for (const concurrency of [1, 8]) {
    it.effect(`growth at the end is followed to the new end (1,001 + 60 → 1,061), concurrency ${concurrency}`, () =>
      Effect.gen(function*() {
        const listing = offsetListing(1001, 50, {
          change: (request, items) => {
            if (request === 3 || request === 12 || request === 21) items.push(...idsOf(items.length, items.length + 20))
          }
        })
        const { error, out } = yield* run(numbered(listing, 50, concurrency))
        expect(error).toBeUndefined()
        expect(out).toEqual(idsOf(0, 1061))
        // 22 pages; the last one (11 items) agrees with the total that it is the last.
        expect(listing.log.length).toBe(22)
      }))

    it.effect(`removals ahead of the walk: no error, no repeat, the pulled-back items are missed, concurrency ${concurrency}`, () =>
      Effect.gen(function*() {
        const listing = offsetListing(200, 10, {
          change: (request, items) => {
            if (request === 3) items.splice(0, 15)
          }
        })
        const { error, out } = yield* run(numbered(listing, 10, concurrency))
        expect(error).toBeUndefined()
        // Pages 1 and 2 were read before the removal; page 3 then starts 15 items further on.
        expect(out).toEqual([...idsOf(0, 20), ...idsOf(35, 200)])
        // The total (185) ends the walk at page 19, a short page.
        expect(Math.max(...listing.log)).toBe(19)
      }))
  }

  it.effect("insertions at the front shift items onto the next page: they are dropped, never emitted twice", () =>
    Effect.gen(function*() {
      const listing = offsetListing(100, 10, {
        change: (request, items) => {
          if (request === 4) items.unshift("new1", "new2", "new3")
        }
      })
      const { error, out } = yield* run(numbered(listing, 10, 1))
      expect(error).toBeUndefined()
      expect(out).toEqual(idsOf(0, 100))
      // The total grew to 103, so an 11th page was asked for.
      expect(listing.log).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    }))

  it.effect("a whole page shifted by insertions (total grew) is skipped, not an error", () =>
    Effect.gen(function*() {
      const listing = offsetListing(60, 10, {
        change: (request, items) => {
          if (request === 3) items.unshift(...idsOf(1000, 1010))
        }
      })
      const { error, out } = yield* run(numbered(listing, 10, 1))
      expect(error).toBeUndefined()
      expect(out).toEqual(idsOf(0, 60))
    }))

  it.effect("a listing whose total divides evenly: one more page confirms the end", () =>
    Effect.gen(function*() {
      const listing = offsetListing(40, 10)
      expect((yield* run(numbered(listing, 10, 1))).out).toEqual(idsOf(0, 40))
      expect(listing.log).toEqual([1, 2, 3, 4, 5])
    }))

  it.effect("without a total the walk goes on while pages are full", () =>
    Effect.gen(function*() {
      for (const size of [47, 40]) {
        const listing = offsetListing(size, 10, { total: "none" })
        expect((yield* run(numbered(listing, 10, 8))).out).toEqual(idsOf(0, size))
        expect(listing.log).toEqual([1, 2, 3, 4, 5])
      }
    }))
})

describe("Paginate.numbered: a server that does not move forward", () => {
  for (const concurrency of [1, 8]) {
    it.effect(`a server ignoring the page parameter: repeated-page at page 2, concurrency ${concurrency}`, () =>
      Effect.gen(function*() {
        const listing = offsetListing(1000, 10, { answer: (_page, items) => items.slice(0, 10) })
        const { error, out } = yield* run(numbered(listing, 10, concurrency))
        expect(out).toEqual(idsOf(0, 10))
        expect(error).toBeInstanceOf(ApiError.PaginationError)
        expect(error).toMatchObject({ reason: "repeated-page", page: 2, provider: "test", url: "http://test/list?at=2" })
        expect(error?.detail).toContain("ignore the page parameter")
        // Page 1 alone, then at most `concurrency` pages in flight when page 2 was judged.
        expect(listing.log.length).toBeLessThanOrEqual(1 + concurrency)
        expect(error?.requests).toBeLessThanOrEqual(1 + concurrency)
        expect(error?.requests).toBeGreaterThanOrEqual(2)
      }))

    it.effect(`a page repeating the page before: repeated-page, nothing emitted twice, concurrency ${concurrency}`, () =>
      Effect.gen(function*() {
        const listing = offsetListing(1000, 10, {
          answer: (page, items) => (page >= 4 ? items.slice(20, 30) : items.slice((page - 1) * 10, page * 10))
        })
        const { error, out } = yield* run(numbered(listing, 10, concurrency))
        expect(out).toEqual(idsOf(0, 30))
        expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-page", page: 4 })
        expect(error?.message).toContain("page 4 repeats the items of page 3")
        expect(listing.log.length).toBeLessThanOrEqual(3 + concurrency)
      }))
  }

  it.effect("a server ignoring the page parameter on a listing of exactly one page ends cleanly", () =>
    Effect.gen(function*() {
      // Page 1 is full, so page 2 is asked for to confirm the end; it repeats page 1, which the total
      // already said was the last: the walk ends without error.
      const listing = offsetListing(10, 10, { answer: (_page, items) => items.slice(0, 10) })
      expect(yield* run(numbered(listing, 10, 4))).toEqual({ out: idsOf(0, 10), error: undefined })
      expect(listing.log).toEqual([1, 2])
    }))

  it.effect("an empty page whose own total says it should hold items: no-progress", () =>
    Effect.gen(function*() {
      const listing = offsetListing(100, 10, {
        answer: (page, items) => (page === 3 ? [] : items.slice((page - 1) * 10, page * 10))
      })
      const { error, out } = yield* run(numbered(listing, 10, 1))
      expect(out).toEqual(idsOf(0, 20))
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "no-progress", page: 3, requests: 3 })
    }))

  it.effect("a total that keeps growing while pages repeat: no-progress after a bounded number of pages", () =>
    Effect.gen(function*() {
      let total = 100
      const log: Array<number> = []
      const fetch = (page: number) =>
        Effect.sync(() => {
          log.push(page)
          total += 10
          return { items: idsOf(0, 10), total }
        })
      const { error, out } = yield* run(Paginate.numbered({ fetch, key: (id: string) => id, where, pageSize: 10, concurrency: 1 }))
      expect(out).toEqual(idsOf(0, 10))
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "no-progress" })
      expect(log.length).toBe(2 + 3)
    }))
})

describe("Paginate.cursor: a server that does not move forward", () => {
  /** Pages of `size` ids; `nextOf(index, page)` decides the cursor a page names. */
  const pages = (count: number, size: number, nextOf: (index: number) => number | null, content?: (index: number) => number) => {
    const log: Array<number | undefined> = []
    const fetch = (at: number | undefined) =>
      Effect.sync(() => {
        log.push(at)
        const index = at ?? 0
        const from = (content?.(index) ?? index) * size
        return { items: index < count ? idsOf(from, from + size) : [], next: nextOf(index) }
      })
    const stream = (maxPages?: number) =>
      Paginate.cursor({ fetch, key: (id: string) => id, where, ...(maxPages === undefined ? {} : { maxPages }) })
    return { log, stream }
  }

  it.effect("a cursor already followed: the page's new items are emitted, then repeated-cursor", () =>
    Effect.gen(function*() {
      const p = pages(10, 5, (i) => (i === 2 ? 1 : i + 1))
      const { error, out } = yield* run(p.stream())
      expect(out).toEqual(idsOf(0, 15))
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-cursor", cursor: "1", requests: 3 })
      expect(p.log).toEqual([undefined, 1, 2])
    }))

  it.effect("a cursor that points at the same page again: repeated-page, nothing repeated", () =>
    Effect.gen(function*() {
      const p = pages(10, 5, () => 7, (i) => (i === 7 ? 0 : i))
      const { error, out } = yield* run(p.stream())
      expect(out).toEqual(idsOf(0, 5))
      expect(error).toMatchObject({ reason: "repeated-page", cursor: "7", requests: 2 })
    }))

  it.effect("a listing that starts over after its end: repeated-page when the first page comes back", () =>
    Effect.gen(function*() {
      const p = pages(1000, 5, (i) => i + 1, (i) => i % 4)
      const { error, out } = yield* run(p.stream())
      expect(out).toEqual(idsOf(0, 20))
      expect(error).toMatchObject({ reason: "repeated-page", requests: 5 })
      expect(error?.detail).toContain("started over")
    }))

  it.effect("a token that never ends: an empty page naming a next cursor is no-progress", () =>
    Effect.gen(function*() {
      const p = pages(3, 5, (i) => i + 1)
      const { error, out } = yield* run(p.stream())
      expect(out).toEqual(idsOf(0, 15))
      expect(error).toMatchObject({ reason: "no-progress", cursor: "3", requests: 4 })
    }))

  it.effect("fresh cursors and fresh items forever: max-pages at the default limit", () =>
    Effect.gen(function*() {
      const p = pages(Number.MAX_SAFE_INTEGER, 1, (i) => i + 1)
      const { error, out } = yield* run(p.stream())
      expect(out.length).toBe(Paginate.defaultMaxPages)
      expect(error).toMatchObject({ reason: "max-pages", requests: Paginate.defaultMaxPages })
      expect(p.log.length).toBe(Paginate.defaultMaxPages)
      const capped = pages(Number.MAX_SAFE_INTEGER, 2, (i) => i + 1)
      expect((yield* run(capped.stream(3))).error).toMatchObject({ reason: "max-pages", requests: 3, cursor: "3" })
      // A listing that ends within the limit is no error.
      const fits = pages(3, 2, (i) => (i < 2 ? i + 1 : null))
      expect(yield* run(fits.stream(3))).toEqual({ out: idsOf(0, 6), error: undefined })
    }))

  it.effect("a page that overlaps the one before by one item (an inclusive cursor): the repeat is dropped", () =>
    Effect.gen(function*() {
      const log: Array<number | undefined> = []
      const fetch = (at: number | undefined) =>
        Effect.sync(() => {
          log.push(at)
          const from = at ?? 0
          const items = idsOf(from, Math.min(from + 5, 17))
          return { items, next: items.length === 5 ? from + 4 : null }
        })
      const out = yield* Stream.runCollect(Paginate.cursor({ fetch, key: (id: string) => id, where }))
      expect(Chunk.toReadonlyArray(out)).toEqual(idsOf(0, 17))
    }))
})
