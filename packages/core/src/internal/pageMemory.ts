/**
 * What a paginated walk remembers about the pages it has read, to drop
 * repeated items and to notice a server that is not moving forward.
 *
 * Memory is bounded: the item keys of the last `windowPages` pages, plus the
 * keys of the first page (kept for the whole walk, so a listing that starts
 * over is recognised however long it is). Nothing else is kept; an item seen
 * outside that window, and not on the first page, is not recognised.
 *
 * @internal
 */

/** How a page compares with what the walk has already read. */
export type Verdict =
  /** The page has items never seen in the window: they are `fresh` (repeats within the window are dropped). */
  | { readonly _tag: "Progress" }
  /** The page is empty. */
  | { readonly _tag: "Empty" }
  /** Every item was seen already, and the keys are exactly those of the page read just before. */
  | { readonly _tag: "SameAsPrevious" }
  /** Every item was seen already, in some other arrangement. */
  | { readonly _tag: "AllSeen" }
  /** Items of the first page came back on a page the window no longer covers: the listing started over. */
  | { readonly _tag: "Restarted"; readonly count: number }

/** The outcome of reading a page: its new items and how it compares. */
export interface Judged<A> {
  readonly fresh: ReadonlyArray<A>
  /** Items dropped because they were seen already. */
  readonly dropped: number
  readonly verdict: Verdict
}

/**
 * Keys of recent pages and of the first page. A key of `undefined` means the
 * item has no identity: it is always fresh and is never compared.
 */
export class PageMemory {
  private readonly window: Array<ReadonlySet<string>> = []
  private previous: ReadonlyArray<string | undefined> | undefined
  private first: ReadonlySet<string> | undefined

  constructor(private readonly windowPages: number) {}

  private inWindow(key: string): boolean {
    for (const keys of this.window) if (keys.has(key)) return true
    return false
  }

  /**
   * Splits a page into new items and items already seen, judges it, and
   * remembers its keys (whatever the verdict: a page that was read is the
   * "page before" of the next one).
   */
  read<A>(items: ReadonlyArray<A>, key: (item: A) => string | undefined): Judged<A> {
    if (items.length === 0) return { fresh: [], dropped: 0, verdict: { _tag: "Empty" } }
    const keys = items.map(key)
    const onPage = new Set<string>()
    const fresh: Array<A> = []
    let restarted = 0
    for (let i = 0; i < items.length; i++) {
      const k = keys[i]
      if (k === undefined) {
        fresh.push(items[i]!)
        continue
      }
      if (onPage.has(k)) continue
      onPage.add(k)
      if (this.inWindow(k)) continue
      if (this.first !== undefined && this.first.has(k)) {
        restarted++
        continue
      }
      fresh.push(items[i]!)
    }
    const verdict: Verdict = restarted > 0
      ? { _tag: "Restarted", count: restarted }
      : fresh.length > 0
      ? { _tag: "Progress" }
      : sameKeys(keys, this.previous)
      ? { _tag: "SameAsPrevious" }
      : { _tag: "AllSeen" }
    this.remember(keys, onPage)
    return { fresh, dropped: items.length - fresh.length, verdict }
  }

  private remember(keys: ReadonlyArray<string | undefined>, set: ReadonlySet<string>): void {
    this.previous = keys
    if (this.first === undefined) this.first = set
    this.window.push(set)
    // The first page stays in `first`; the window slides over the rest.
    if (this.window.length > this.windowPages) this.window.shift()
  }
}

const sameKeys = (a: ReadonlyArray<string | undefined>, b: ReadonlyArray<string | undefined> | undefined): boolean =>
  b !== undefined && a.length === b.length && a.every((k, i) => k !== undefined && k === b[i])
