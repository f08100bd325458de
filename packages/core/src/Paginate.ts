/**
 * Pagination as Streams. Nothing here collects: every function returns a
 * `Stream` that fetches pages as the consumer pulls, so memory stays bounded
 * and stopping the stream stops the requests.
 *
 * - {@link numbered}: page numbers. The page count is re-read from every
 *   page, so a listing that grows while it is read is followed to its new
 *   end; pages are fetched `concurrency` at a time and emitted in page order.
 * - {@link cursor}: follow a server cursor (page tokens, "from this id"),
 *   reading `readAhead` pages (default 1) ahead of the consumer.
 *
 * **A server that does not move forward ends the stream with
 * `ApiError.PaginationError`**, never a loop, repeated items or growing
 * memory:
 * - `"repeated-page"`: a page whose items were all read already (the same
 *   items as the page before — a server that ignores the page parameter or
 *   the cursor — or any items already read), or a page that brings back items
 *   of the first page (the listing started over);
 * - `"repeated-cursor"`: a cursor that was already followed;
 * - `"no-progress"`: an empty page that names a next cursor, an empty page
 *   whose own answer says it should hold items, or (numbered) more than
 *   three pages in a row with nothing new while the total keeps growing;
 * - `"max-pages"`: `maxPages` pages were read and the server says there is
 *   more. The limit is a safety net, not a way to take a prefix (use
 *   `Stream.take`, which stops the requests); reaching it is an error so that
 *   a cut listing never looks complete. Default: {@link defaultMaxPages} for
 *   cursors, none for numbered pages (their walk is bounded by the server's
 *   total and by the checks above).
 * A page that fails a check is not emitted; items emitted before stay emitted.
 *
 * **Repeated items** (by `key`) are dropped when they come back within a
 * window of recent pages (`concurrency + 1` pages for numbered walks, 2 for
 * cursors) or from the first page. Memory is that window, the first page's
 * keys and (cursors) the cursors followed — never every item. An item that
 * comes back later than the window, on a page that also has new items, is
 * not recognised.
 *
 * **Request bounds**, for `Stream.take(n)` on pages of `p` items (no item
 * dropped as a repeat): `numbered` sends at most ⌈n/p⌉ + concurrency − 1 page
 * requests (exactly ⌈n/p⌉ at concurrency 1); `cursor` at most
 * ⌈n/p⌉ + 1 + readAhead. Retries of a page are not counted here. When the
 * stream ends, fails or is interrupted, requests still in flight are
 * interrupted (their HTTP requests aborted) before it finishes, so none starts
 * afterwards.
 *
 * @since 0.1.0
 * @module
 */
import type * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as ApiError from "./ApiError.js"
import { cursorWalk } from "./internal/cursorWalk.js"
import { numberedWalk } from "./internal/numberedWalk.js"

/**
 * Pages a cursor walk reads at most unless told otherwise: 10,000 (20
 * million GreenArrow jobs at 2,000 a page, a million ICWS jobs at 100).
 *
 * @since 0.2.0
 */
export const defaultMaxPages = 10_000

/**
 * One page from a cursor API.
 *
 * @since 0.1.0
 */
export interface CursorPage<A, C> {
  readonly items: ReadonlyArray<A>
  /** The cursor of the next page; null/undefined when this was the last. */
  readonly next: C | null | undefined
}

/**
 * Options of {@link cursor}.
 *
 * @since 0.1.0
 */
export interface CursorOptions<A, C, E, R> {
  /** Fetches the page at `cursor` (undefined for the first page). */
  readonly fetch: (cursor: C | undefined) => Effect.Effect<CursorPage<A, C>, E, R>
  /** Identity of an item (its id), to drop repeats and notice a server that repeats itself; undefined: no identity. */
  readonly key: (item: A) => string | undefined
  /** Where the request for `cursor` goes, for the `PaginationError` (a URL without secrets). */
  readonly where: (cursor: C | undefined) => ApiError.Where
  /** Pages read at most; one more page named by the server is a "max-pages" error. Default {@link defaultMaxPages}. */
  readonly maxPages?: number
  /** Pages fetched ahead of the consumer. 0 disables read-ahead. Default 1. */
  readonly readAhead?: number
  /** Identity (and printed form) of a cursor. Default: strings as they are, other values as JSON. */
  readonly cursorKey?: (cursor: C) => string
  /**
   * Hides secrets in what the `PaginationError` quotes from the server (its
   * cursor, its detail): pass the transport's `redact`, since a hostile
   * server may hand back a secret as its next cursor. Default: none.
   */
  readonly redact?: (text: string) => string
}

/**
 * A stream of every item, following the server's cursor: stops on a missing
 * cursor; fails with `PaginationError` on an empty page that names a next
 * cursor, a cursor already followed, a page of items already read, or past
 * `maxPages`.
 *
 * @since 0.1.0
 */
export const cursor = <A, C, E, R>(
  options: CursorOptions<A, C, E, R>
): Stream.Stream<A, E | ApiError.PaginationError, R> => cursorWalk(options, defaultMaxPages)

/**
 * One page from a numbered API.
 *
 * @since 0.1.0
 */
export interface NumberedPage<A> {
  readonly items: ReadonlyArray<A>
  /** The total number of items across all pages, as the server reports it in this answer; undefined when it does not. */
  readonly total?: number | undefined
  /** The number of pages, when the server says it (wins over `total`). */
  readonly pages?: number | undefined
}

/**
 * Options of {@link numbered}.
 *
 * @since 0.1.0
 */
export interface NumberedOptions<A, E, R> {
  /** Fetches one page by number. */
  readonly fetch: (page: number) => Effect.Effect<NumberedPage<A>, E, R>
  /** Identity of an item (its id), to drop repeats and notice a server that repeats itself; undefined: no identity. */
  readonly key: (item: A) => string | undefined
  /** Where the request for `page` goes, for the `PaginationError` (a URL without secrets). */
  readonly where: (page: number) => ApiError.Where
  /** Items per page the request asks for (turns the total into a page count; a page this long is "full"). */
  readonly pageSize: number
  /** The page to start from. Default: `pageBase`. */
  readonly firstPage?: number
  /** The number the API gives its first page: 1 or 0. Default 1 (0 when `firstPage` is 0). */
  readonly pageBase?: number
  /** Pages in flight at once (the first page is always read alone). Default 4. */
  readonly concurrency?: number
  /** Pages read at most; when the listing goes on past them, a "max-pages" error. Default: no limit. */
  readonly maxPages?: number
}

/**
 * A stream of every item of a numbered-page API, in page order.
 *
 * After each page (in page order) the walk goes on while that page was full
 * or its own total (or page count) says there are pages after it: a listing
 * that grows while it is read is followed to its new end, and the read-ahead
 * window reaches as far as the newest total allows. It stops at a short page
 * that the total agrees is the last, or at an empty page (the listing ended
 * or shrank). When the total divides evenly the walk asks for one page past
 * it, to be sure nothing was added.
 *
 * What a moving listing gives (items addressed by offset):
 * - growth at the end (appended items): everything, each once;
 * - insertions before the read position: the inserted items are not seen;
 *   items they push onto the next page are dropped as repeats (within the
 *   window); with `concurrency` > 1 a page read after the page following it
 *   can miss as many items as were inserted in between;
 * - removals before the read position: as many items as were removed are
 *   pulled onto pages already read and are missed; no error, no repeat.
 *
 * @since 0.1.0
 */
export const numbered = <A, E, R>(
  options: NumberedOptions<A, E, R>
): Stream.Stream<A, E | ApiError.PaginationError, R> => numberedWalk(options)

/**
 * Drops items whose key appeared among the last `window` keys emitted.
 *
 * @since 0.1.0
 */
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
