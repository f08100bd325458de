/**
 * The walk behind `Paginate.numbered`: pages requested by number, up to
 * `concurrency` of them in flight, emitted in page order, the page count
 * re-read from every page.
 *
 * In-flight pages are fibers forked in the stream's scope: when the stream
 * ends, fails or is interrupted, the scope closes and interrupts them, which
 * aborts their HTTP requests.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as ApiError from "../ApiError.js"
import type { NumberedOptions, NumberedPage } from "../Paginate.js"
import { PageMemory } from "./pageMemory.js"

/**
 * Pages in a row that may bring nothing new, when the total grew meanwhile
 * (insertions ahead of the walk shift items onto later pages), before the
 * walk gives up with "no-progress".
 */
export const maxShiftedPages = 3

export const numberedWalk = <A, E, R>(
  options: NumberedOptions<A, E, R>
): Stream.Stream<A, E | ApiError.PaginationError, R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const scope = yield* Effect.scope
    const base = options.pageBase ?? (options.firstPage === 0 ? 0 : 1)
    const first = options.firstPage ?? base
    const pageSize = Math.max(1, Math.floor(options.pageSize))
    const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4))
    const lastAllowed = first + Math.max(1, options.maxPages ?? Number.POSITIVE_INFINITY) - 1
    const memory = new PageMemory(concurrency + 1)
    const inflight = new Map<number, Fiber.RuntimeFiber<NumberedPage<A>, E>>()

    let requests = 0
    let nextEmit = first
    let nextStart = first
    /** The last page worth requesting, as far as the pages read so far tell. */
    let horizon = first
    let previousTotal: number | undefined
    let previousLast: number | undefined
    let shifted = 0
    let failure: ApiError.PaginationError | undefined
    let done = false

    const error = (page: number, reason: ApiError.PaginationError["reason"], detail: string) =>
      new ApiError.PaginationError({ ...options.where(page), reason, page, requests, detail })

    const start = (n: number) =>
      Effect.map(Effect.forkIn(options.fetch(n), scope), (fiber) => {
        inflight.set(n, fiber)
        requests++
      })

    // Keeps pages nextEmit … nextEmit + concurrency − 1 in flight, within the horizon and the page limit.
    const topUp = Effect.suspend(() => {
      const until = Math.min(horizon, lastAllowed, nextEmit + concurrency - 1)
      const starts: Array<Effect.Effect<void, never, R>> = []
      for (; nextStart <= until; nextStart++) starts.push(start(nextStart))
      return Effect.all(starts, { discard: true })
    })

    const stop = Effect.suspend(() => {
      const fibers = [...inflight.values()]
      inflight.clear()
      return Fiber.interruptAll(fibers)
    })

    /** Judges page `n`; returns the items to emit and sets `done`/`failure` when the walk ends. */
    const judge = (n: number, page: NumberedPage<A>): { readonly items: ReadonlyArray<A>; readonly dropped: number } => {
      const judged = memory.read(page.items, options.key)
      const total = page.total
      const lastByCount = page.pages !== undefined
        ? base + page.pages - 1
        : total !== undefined
        ? base + Math.ceil(total / pageSize) - 1
        : undefined
      const grew = total !== undefined && previousTotal !== undefined && total > previousTotal
      // Whether the counts of the page before already put this page past the end (a page asked for
      // only because the one before was full).
      const pastCount = previousLast !== undefined && n > previousLast
      if (total !== undefined) previousTotal = total
      if (lastByCount !== undefined) previousLast = lastByCount
      const full = page.items.length >= pageSize
      const more = full || (lastByCount !== undefined && lastByCount > n)
      const none = { items: [], dropped: judged.dropped }
      switch (judged.verdict._tag) {
        case "Empty": {
          if (lastByCount !== undefined && lastByCount >= n) {
            const counts = page.pages !== undefined ? `${page.pages} pages` : `${total} items`
            failure = error(n, "no-progress", `page ${n} is empty although the same answer reports ${counts}`)
          } else {
            // The listing ends here (or shrank under the walk): nothing further is asked for.
            done = true
          }
          return none
        }
        case "Progress":
          shifted = 0
          break
        default: {
          if (grew && shifted < maxShiftedPages) {
            // Insertions ahead of the walk pushed already-read items onto this page; go on.
            shifted++
            break
          }
          if (!more || pastCount) {
            // Nothing new on a page that ends the listing (or that the counts said was past its
            // end): the walk cannot loop on it, so it simply ends.
            done = true
            return none
          }
          failure = error(n, grew ? "no-progress" : "repeated-page", describe(n, first, judged.verdict, grew))
          return none
        }
      }
      if (!more) {
        done = true
      } else if (n >= lastAllowed) {
        if (lastByCount !== undefined && lastByCount <= n) {
          // Only the "one more page after a full one" check is cut off by the limit: the counts
          // say the listing ends here, and that is taken as its end.
          done = true
          return { items: judged.fresh, dropped: judged.dropped }
        }
        const why = full
          ? `page ${n} was full`
          : page.pages !== undefined
          ? `the server reports ${page.pages} pages`
          : `the server reports ${total} items`
        failure = error(n + 1, "max-pages", `read ${n - first + 1} pages (maxPages) and the listing goes on: ${why}`)
      } else {
        nextEmit = n + 1
        horizon = Math.max(n + 1, lastByCount ?? n + 1)
      }
      return { items: judged.fresh, dropped: judged.dropped }
    }

    const pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E | ApiError.PaginationError>, R> = Effect.gen(function*() {
      for (;;) {
        if (failure !== undefined) {
          yield* stop
          return yield* Effect.fail(Option.some(failure))
        }
        if (done) {
          yield* stop
          return yield* Effect.fail(Option.none())
        }
        const n = nextEmit
        let page: NumberedPage<A>
        if (concurrency === 1) {
          // Nothing runs ahead of the consumer: the page is fetched in the consumer's own fiber,
          // without a fiber of its own (the page before has set the horizon to at least n).
          requests++
          nextStart = n + 1
          page = yield* Effect.mapError(options.fetch(n), Option.some)
        } else {
          yield* topUp
          const fiber = inflight.get(n)
          if (fiber === undefined) return yield* Effect.dieMessage(`Paginate.numbered: page ${n} was never requested`)
          page = yield* Effect.mapError(Fiber.join(fiber), Option.some)
          inflight.delete(n)
        }
        const before = previousTotal
        const { dropped, items } = judge(n, page)
        if (dropped > 0 || (before !== undefined && page.total !== undefined && page.total !== before)) {
          yield* Effect.logDebug("pagination: the listing moved while it was read").pipe(
            Effect.annotateLogs({ page: n, dropped, totalBefore: before ?? "-", total: page.total ?? "-" })
          )
        }
        if (items.length > 0) return Chunk.unsafeFromArray(items as Array<A>)
      }
    })

    return Stream.repeatEffectChunkOption(pull)
  }))

const describe = (
  n: number,
  first: number,
  verdict: { readonly _tag: string; readonly count?: number },
  grew: boolean
): string => {
  if (grew) return `${maxShiftedPages + 1} pages in a row brought nothing new although the total kept growing`
  switch (verdict._tag) {
    case "SameAsPrevious":
      return n === first + 1
        ? `page ${n} repeats page ${first}: the server seems to ignore the page parameter`
        : `page ${n} repeats the items of page ${n - 1}`
    case "Restarted":
      return `page ${n} brings back items of page ${first}: the listing started over`
    default:
      return `every item of page ${n} was already read`
  }
}
