/**
 * Pagination as Streams. Nothing here collects: every function returns a
 * `Stream` that fetches pages as the consumer pulls, so memory stays bounded
 * and stopping the stream stops the requests.
 *
 * - {@link cursor}: follow a server cursor (page tokens, "from this id").
 *   Stops on a missing cursor, an empty page, a cursor seen before, or after
 *   `maxPages`. Reads `readAhead` pages (default 1) ahead of the consumer.
 * - {@link numbered}: page numbers with a known total. The first page tells the
 *   total; the remaining pages are fetched `concurrency` at a time and emitted
 *   in page order. At most `concurrency` pages are held at once.
 *
 * Request bounds, for `Stream.take(n)` on a stream of pages of size `p`:
 * `cursor` sends at most ⌈n/p⌉ + 1 + readAhead requests; `numbered` at most
 * ⌈n/p⌉ + concurrency.
 *
 * @since 0.1.0
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"

/** One page from a cursor API. */
export interface CursorPage<A, C> {
  readonly items: ReadonlyArray<A>
  /** The cursor of the next page; null/undefined when this was the last. */
  readonly next: C | null | undefined
}

/** Options of {@link cursor}. */
export interface CursorOptions<A, C, E, R> {
  /** Fetches the page at `cursor` (undefined for the first page). */
  readonly fetch: (cursor: C | undefined) => Effect.Effect<CursorPage<A, C>, E, R>
  /** Stop after this many pages. Default: unlimited. */
  readonly maxPages?: number
  /** Pages fetched ahead of the consumer. 0 disables read-ahead. Default 1. */
  readonly readAhead?: number
  /** Identity of a cursor for the "seen before" check. Default: the value itself (or JSON for objects). */
  readonly key?: (cursor: C) => unknown
}

const defaultKey = (c: unknown): unknown => (typeof c === "object" && c !== null ? JSON.stringify(c) : c)

/** A stream of every item, following the server's cursor. */
export const cursor = <A, C, E, R>(options: CursorOptions<A, C, E, R>): Stream.Stream<A, E, R> =>
  Stream.suspend(() => {
    const key = options.key ?? defaultKey
    const seen = new Set<unknown>()
    const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY
    let pages = 0
    const pagesStream = Stream.paginateChunkEffect(
      undefined as C | undefined,
      (at): Effect.Effect<readonly [Chunk.Chunk<A>, Option.Option<C | undefined>], E, R> =>
        Effect.map(options.fetch(at), (page) => {
          pages++
          const items = Chunk.unsafeFromArray(page.items as Array<A>)
          const next = page.next
          if (next === null || next === undefined || page.items.length === 0 || pages >= maxPages) {
            return [items, Option.none()] as const
          }
          const k = key(next)
          if (seen.has(k)) return [items, Option.none()] as const
          seen.add(k)
          return [items, Option.some(next)] as const
        })
    )
    const readAhead = options.readAhead ?? 1
    return readAhead > 0 ? Stream.bufferChunks(pagesStream, { capacity: readAhead }) : pagesStream
  })

/** One page from a numbered API. */
export interface NumberedPage<A> {
  readonly items: ReadonlyArray<A>
  /** The total number of items across all pages, as the server reports it now. */
  readonly total: number
  /** The number of pages, when the server says it (wins over `total`). */
  readonly pages?: number | undefined
}

/** Options of {@link numbered}. */
export interface NumberedOptions<A, E, R> {
  /** Fetches one page by number. */
  readonly fetch: (page: number) => Effect.Effect<NumberedPage<A>, E, R>
  /** Items per page the request asks for (used to turn the total into a page count). */
  readonly pageSize: number
  /** The page to start from. Default: `pageBase`. */
  readonly firstPage?: number
  /** The number the API gives its first page: 1 or 0. Default 1 (0 when `firstPage` is 0). */
  readonly pageBase?: number
  /** Pages in flight at once after the first. Default 4. */
  readonly concurrency?: number
  /** Stop after this many pages. Default: unlimited. */
  readonly maxPages?: number
  /**
   * Drops an item whose key was emitted recently (within the last
   * `pageSize × (concurrency + 1)` items). Items shift between pages when the
   * collection changes during the walk; this keeps a shifted item from being
   * emitted twice without keeping every key in memory.
   */
  readonly key?: (item: A) => string
}

/**
 * A stream of every item of a numbered-page API. The page count comes from
 * the first page's total and is fixed for the walk, so a growing collection
 * cannot make it run forever; later pages that come back empty simply end
 * early.
 */
export const numbered = <A, E, R>(options: NumberedOptions<A, E, R>): Stream.Stream<A, E, R> =>
  Stream.suspend(() => {
    const base = options.pageBase ?? (options.firstPage === 0 ? 0 : 1)
    const first = options.firstPage ?? base
    const concurrency = Math.max(1, options.concurrency ?? 4)
    const maxPages = options.maxPages ?? Number.POSITIVE_INFINITY
    const pageSize = Math.max(1, options.pageSize)
    const pages = Stream.unwrap(
      Effect.map(options.fetch(first), (page) => {
        // Pages are counted from page 1 (or 0), so a walk starting later has
        // fewer of them to go.
        const firstIndex = first - base
        const total = page.pages ?? Math.ceil(page.total / pageSize)
        const count = Math.min(maxPages, total - firstIndex)
        const head = Stream.make(page.items)
        if (count <= 1 || page.items.length === 0) return head
        const rest = Stream.range(first + 1, first + count - 1).pipe(
          Stream.mapEffect((n) => Effect.map(options.fetch(n), (p) => p.items), { concurrency }),
          // The collection shrank under us: the first empty page ends the walk
          // (pages fetched ahead of it are dropped, none further are asked for).
          Stream.takeWhile((items) => items.length > 0)
        )
        return Stream.concat(head, rest)
      })
    )
    const items = Stream.mapConcatChunk(pages, (items) => Chunk.unsafeFromArray(items as Array<A>))
    return options.key === undefined ? items : dedupeRecent(items, options.key, pageSize * (concurrency + 1))
  })

/** Drops items whose key appeared among the last `window` keys emitted. */
export const dedupeRecent = <A, E, R>(
  stream: Stream.Stream<A, E, R>,
  key: (item: A) => string,
  window: number
): Stream.Stream<A, E, R> =>
  Stream.suspend(() => {
    const size = Math.max(1, window)
    const recent = new Set<string>()
    const ring: Array<string | undefined> = new Array(size)
    let next = 0
    return Stream.filter(stream, (item) => {
      const k = key(item)
      if (recent.has(k)) return false
      const evicted = ring[next]
      if (evicted !== undefined) recent.delete(evicted)
      ring[next] = k
      next = (next + 1) % size
      recent.add(k)
      return true
    })
  })
