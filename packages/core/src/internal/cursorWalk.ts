/**
 * The walk behind `Paginate.cursor`: one page after another, following the
 * cursor each page names, with the guards described there.
 *
 * @internal
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as ApiError from "../ApiError.js"
import type { CursorOptions, CursorPage } from "../Paginate.js"
import { PageMemory } from "./pageMemory.js"

type Step<C> =
  | { readonly _tag: "Fetch"; readonly at: C | undefined }
  | { readonly _tag: "Fail"; readonly error: ApiError.PaginationError }

/** A cursor as text: strings as they are, anything else as JSON. */
export const cursorText = (cursor: unknown): string =>
  typeof cursor === "string" ? cursor : typeof cursor === "object" ? JSON.stringify(cursor) : String(cursor)

/** Pages of item keys kept to recognise repeats: the page before, and the one before that. */
const windowPages = 2

export const cursorWalk = <A, C, E, R>(
  options: CursorOptions<A, C, E, R>,
  defaultMaxPages: number
): Stream.Stream<A, E | ApiError.PaginationError, R> =>
  Stream.suspend(() => {
    const text = options.cursorKey ?? cursorText
    const maxPages = Math.max(1, options.maxPages ?? defaultMaxPages)
    const readAhead = Math.max(0, Math.floor(options.readAhead ?? 1))
    const memory = new PageMemory(windowPages)
    // Every cursor followed: at most `maxPages` of them.
    const followed = new Set<string>()
    let requests = 0

    // The cursor and the detail quote the server: redacted before they are cut.
    const redact = options.redact ?? ((t: string) => t)
    const error = (at: C | undefined, reason: ApiError.PaginationError["reason"], detail: string) =>
      new ApiError.PaginationError({
        ...options.where(at),
        reason,
        ...(at === undefined ? {} : { cursor: ApiError.truncate(redact(text(at)), 200) }),
        requests,
        detail: redact(detail)
      })

    const judge = (
      at: C | undefined,
      page: CursorPage<A, C>
    ): Effect.Effect<readonly [Chunk.Chunk<A>, Option.Option<Step<C>>], ApiError.PaginationError> => {
      const { dropped, fresh, verdict } = memory.read(page.items, options.key)
      const which = at === undefined ? "the first page" : `the page at cursor ${ApiError.truncate(redact(text(at)), 80)}`
      const next = page.next
      const last = next === null || next === undefined
      // A page of items already read that ends the listing cannot make the walk loop: it just ends.
      if (last && verdict._tag !== "Progress" && verdict._tag !== "Empty") {
        return Effect.succeed([Chunk.empty<A>(), Option.none()] as const)
      }
      switch (verdict._tag) {
        case "SameAsPrevious":
          return Effect.fail(error(at, "repeated-page", `${which} repeats the ${page.items.length} items of the page before it`))
        case "AllSeen":
          return Effect.fail(error(at, "repeated-page", `every item of ${which} was already read`))
        case "Restarted":
          return Effect.fail(
            error(at, "repeated-page", `${which} brings back ${verdict.count} items of the first page: the listing started over`)
          )
      }
      const items = Chunk.unsafeFromArray(fresh as Array<A>)
      const emit = (step: Option.Option<Step<C>>) => {
        const result = [items, step] as const
        return dropped === 0 ? Effect.succeed(result) : Effect.as(
          Effect.logWarning("pagination: items already read came back and were dropped").pipe(
            Effect.annotateLogs({ dropped, requests })
          ),
          result
        )
      }
      if (last) return emit(Option.none())
      if (verdict._tag === "Empty") {
        return Effect.fail(error(at, "no-progress", `${which} is empty but names a next cursor`))
      }
      if (followed.has(text(next))) {
        const repeated = error(next, "repeated-cursor", `${which} names a next cursor that was already followed`)
        return emit(Option.some({ _tag: "Fail", error: repeated }))
      }
      if (requests >= maxPages) {
        const limit = error(next, "max-pages", `read ${maxPages} pages (maxPages) and the server still names a next cursor`)
        return emit(Option.some({ _tag: "Fail", error: limit }))
      }
      return emit(Option.some({ _tag: "Fetch", at: next }))
    }

    const step = (s: Step<C>) =>
      s._tag === "Fail"
        ? Effect.fail(s.error)
        : Effect.suspend(() => {
          requests++
          if (s.at !== undefined) followed.add(text(s.at))
          return Effect.flatMap(options.fetch(s.at), (page) => judge(s.at, page))
        })

    const pages = Stream.paginateChunkEffect<Step<C>, A, E | ApiError.PaginationError, R>(
      { _tag: "Fetch", at: undefined },
      step
    )
    return readAhead > 0 ? Stream.bufferChunks(pages, { capacity: readAhead }) : pages
  })
