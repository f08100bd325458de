/**
 * Resumable listings: a long listing remembers how far it got in a
 * `KeyValueStore` (from `@effect/platform`: in memory, file-backed, or your
 * own) and a later run goes on from there instead of starting over.
 *
 * **What a checkpoint holds**: the page to read first (`from`: a page number,
 * a page cursor, or the first page) and the id of the last job delivered from
 * that page (`after`), the count of jobs delivered so far and whether the
 * listing reached its end. When the last job of a page is delivered, the
 * checkpoint moves on to the next page (`from` = the next page, no `after`),
 * so a resumed run re-reads nothing it delivered (with a cursor, `after`
 * stays the last job, which a cursor page that starts with its own cursor job
 * repeats); otherwise it reads the checkpoint's page again and skips its jobs
 * up to and including `after`.
 *
 * **Semantics: at least once.** A job counts as delivered when the handler
 * call that received it has succeeded; the checkpoint is written after every
 * such call (and before `forEach` returns, fails or is interrupted). So:
 * - a stop that lets finalizers run (Ctrl-C, a failure of the listing or the
 *   handler, interruption) delivers nothing twice on resume;
 * - a crash (SIGKILL, power loss) delivers again at most the jobs of the one
 *   handler call that was running or whose checkpoint was not yet written;
 * - a listing that changed between runs: when `after` is no longer on the
 *   checkpoint's page (the list shifted), that whole page is delivered again
 *   (duplicates, never a gap, for jobs that moved towards the end); jobs
 *   inserted before the checkpoint's page are not seen by the resumed run
 *   (the order of the listing put them behind the reader). Consumers that
 *   must be exactly-once de-duplicate by job id.
 * A checkpoint is tied to one listing of one provider with its query: resume
 * with the same ones (the key names them).
 *
 * @since 0.2.0
 * @module
 */
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as ApiError from "./ApiError.js"
import type * as Job from "./Job.js"

/**
 * Where a page starts.
 *
 * @since 0.2.0
 */
export const Position = Schema.Union(
  Schema.TaggedStruct("First", {}),
  Schema.TaggedStruct("Page", { page: Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)) }),
  Schema.TaggedStruct("Cursor", { cursor: Schema.String })
)
/**
 * The type of the schema of the same name.
 *
 * @since 0.2.0
 */
export type Position = typeof Position.Type

/** Constructors of {@link Position}. @since 0.2.0 */
export const first: Position = { _tag: "First" }
/** @since 0.2.0 */
export const page = (n: number): Position => ({ _tag: "Page", page: n })
/** @since 0.2.0 */
export const cursor = (c: string): Position => ({ _tag: "Cursor", cursor: c })

/**
 * An item with the page it was read from; the last item of a page also
 * says where the next page starts (`next`), when there is one.
 *
 * @since 0.2.0
 */
export interface Positioned<A> {
  readonly item: A
  readonly page: Position
  readonly next?: Position | undefined
}

/**
 * The items of one page, each with that page's position; the last one also
 * with `next`, where the following page starts (when there is one).
 *
 * @since 0.2.0
 */
export const positioned = <A>(items: ReadonlyArray<A>, page: Position, next: Position | undefined): Array<Positioned<A>> =>
  items.map((item, i) => (i === items.length - 1 && next !== undefined ? { item, page, next } : { item, page }))

/**
 * What a provider's page walk emits for each page, so that one walk serves
 * both `jobs()` ({@link plain}: the items themselves) and `jobsFrom`
 * ({@link tagged}: each item with its page's position). `key` is the id the
 * walk drops repeats by (undefined: an item without one, never dropped).
 *
 * @since 0.2.0
 */
export interface Emit<Item, A> {
  /** What one page yields: its items, the page's own position, and where the following page starts (if any). */
  readonly items: (items: ReadonlyArray<Item>, page: Position, next: Position | undefined) => ReadonlyArray<A>
  /** The id of what the walk emits, by which it drops repeats (undefined: never dropped). */
  readonly key: (a: A) => string | undefined
}

/**
 * Emits a page's items as they are.
 *
 * @since 0.2.0
 */
export const plain = <Item>(key: (item: Item) => string | undefined): Emit<Item, Item> => ({ items: (items) => items, key })

/**
 * Emits a page's items tagged with the page's position ({@link positioned}).
 *
 * @since 0.2.0
 */
export const tagged = <Item>(key: (item: Item) => string | undefined): Emit<Item, Positioned<Item>> => ({
  items: positioned,
  key: (p) => key(p.item)
})

/**
 * A listing that can start at a position: what a provider's handle offers
 * as `jobsFrom` (undefined: from the start).
 *
 * @since 0.2.0
 */
export type Listing<A = Job.Job> = (from: Position | undefined) => Stream.Stream<Positioned<A>, ApiError.ApiError>

/**
 * The checkpoint.
 *
 * @since 0.2.0
 */
export const Checkpoint = Schema.Struct({
  version: Schema.Literal(1),
  from: Position,
  after: Schema.optional(Schema.String),
  delivered: Schema.Int.pipe(Schema.greaterThanOrEqualTo(0)),
  complete: Schema.Boolean
})
/**
 * The type of the schema of the same name.
 *
 * @since 0.2.0
 */
export type Checkpoint = typeof Checkpoint.Type

/**
 * The store could not be read or written, or what it holds is not a
 * checkpoint (delete the key, or restart the listing).
 *
 * @since 0.2.0
 */
export class CheckpointError extends Schema.TaggedError<CheckpointError>()("CheckpointError", {
  key: Schema.String,
  reason: Schema.Literal("read", "write", "invalid"),
  detail: Schema.String
}) {
  /** One line: the key and what is wrong with it. */
  override get message(): string {
    const what = this.reason === "invalid" ? "is not a valid checkpoint" : `could not be ${this.reason === "read" ? "read" : "written"}`
    return `checkpoint ${JSON.stringify(this.key)} ${what}: ${this.detail}`
  }
}

const decode = Schema.decodeUnknownEither(Schema.parseJson(Checkpoint))

/**
 * The checkpoint stored under `key`, if any.
 *
 * @since 0.2.0
 */
export const load = (
  store: KeyValueStore.KeyValueStore,
  key: string
): Effect.Effect<Checkpoint | undefined, CheckpointError> =>
  store.get(key).pipe(
    Effect.mapError((e) => new CheckpointError({ key, reason: "read", detail: e.message })),
    Effect.flatMap(Option.match({
      onNone: () => Effect.succeed(undefined),
      onSome: (text) =>
        Either.match(decode(text), {
          onLeft: (e) => Effect.fail(new CheckpointError({ key, reason: "invalid", detail: e.message.split("\n")[0] ?? "" })),
          onRight: (c) => Effect.succeed(c)
        })
    }))
  )

const save = (store: KeyValueStore.KeyValueStore, key: string, checkpoint: Checkpoint) =>
  store.set(key, JSON.stringify(checkpoint)).pipe(
    Effect.mapError((e) => new CheckpointError({ key, reason: "write", detail: e.message }))
  )

const same = (a: Position, b: Position) =>
  a._tag === b._tag && (a._tag !== "Page" || a.page === (b as typeof a).page) &&
  (a._tag !== "Cursor" || a.cursor === (b as typeof a).cursor)

/**
 * The items of a listing resumed at `from`, with the jobs of that page up to
 * and including `after` left out. The page's items are held back until
 * `after` is found among them (what was held is dropped) or the page ends
 * without it (what was held is emitted: the listing changed).
 *
 * @since 0.2.0
 */
export const skipDelivered = <A, E, R>(
  stream: Stream.Stream<Positioned<A>, E, R>,
  from: Position,
  after: string | undefined,
  key: (item: A) => string
): Stream.Stream<Positioned<A>, E, R> => {
  if (after === undefined) return stream
  return Stream.suspend(() => {
    let held: Array<Positioned<A>> | undefined = []
    const release = (): Array<Positioned<A>> => {
      const out = held ?? []
      held = undefined
      return out
    }
    const body = Stream.mapChunks(stream, (chunk) => {
      if (held === undefined) return chunk
      const out: Array<Positioned<A>> = []
      for (const p of chunk) {
        if (held === undefined) out.push(p)
        else if (!same(p.page, from)) out.push(...release(), p)
        else if (key(p.item) === after) held = undefined
        else {
          held.push(p)
          if (p.next !== undefined) out.push(...release())
        }
      }
      return Chunk.unsafeFromArray(out)
    })
    return Stream.concat(body, Stream.suspend(() => Stream.fromIterable(release())))
  })
}

/**
 * The checkpoint after delivering `p`, the last job of a handler call.
 *
 * @since 0.2.0
 */
export const advance = (
  checkpoint: Checkpoint,
  p: Positioned<Job.Job>,
  count: number
): Checkpoint =>
  p.next === undefined
    ? { version: 1, from: p.page, after: p.item.id, delivered: checkpoint.delivered + count, complete: false }
    : p.next._tag === "Cursor"
    // A cursor page may start with the job the cursor names (ICWS's `fromJobId` can be inclusive): skip it there too.
    ? { version: 1, from: p.next, after: p.item.id, delivered: checkpoint.delivered + count, complete: false }
    : { version: 1, from: p.next, delivered: checkpoint.delivered + count, complete: false }

/**
 * Options of {@link forEach}.
 *
 * @since 0.2.0
 */
export interface ForEachOptions<E, R> {
  /** Where checkpoints live. */
  readonly store: KeyValueStore.KeyValueStore
  /** The checkpoint's key: one per listing (provider and query). */
  readonly key: string
  /** The listing, from a position. */
  readonly listing: Listing
  /** Receives the jobs, a chunk at a time; they count as delivered once it succeeds. */
  readonly onJobs: (jobs: ReadonlyArray<Job.Job>) => Effect.Effect<void, E, R>
  /**
   * Ignore a stored checkpoint and start from the beginning. Default false.
   * A listing whose checkpoint says it is complete starts where it ended:
   * from the page after its last one (or its last page, skipping what was
   * delivered), so only jobs added since are read.
   */
  readonly restart?: boolean | undefined
}

/**
 * What a run did.
 *
 * @since 0.2.0
 */
export interface Summary {
  /** Jobs delivered by this run. */
  readonly delivered: number
  /** Whether it resumed from a stored checkpoint. */
  readonly resumed: boolean
  /** The checkpoint as stored at the end. */
  readonly checkpoint: Checkpoint
}

/**
 * Delivers every job of a listing to `onJobs`, resuming from the checkpoint
 * under `key` and keeping it up to date (see the module's semantics).
 *
 * @since 0.2.0
 */
export const forEach = <E, R>(
  options: ForEachOptions<E, R>
): Effect.Effect<Summary, ApiError.ApiError | CheckpointError | E, R> =>
  Effect.gen(function*() {
    const { key, store } = options
    const stored = options.restart === true ? undefined : yield* load(store, key)
    const start: Checkpoint = stored ?? { version: 1, from: first, delivered: 0, complete: false }
    let current = start
    let written = stored
    let delivered = 0
    const write = Effect.suspend(() => {
      if (written === current) return Effect.void
      const next = current
      return Effect.tap(save(store, key, next), () => Effect.sync(() => void (written = next)))
    })
    const items = skipDelivered(
      options.listing(stored === undefined ? undefined : start.from),
      start.from,
      start.after,
      (job) => job.id
    )
    yield* Stream.runForEachChunk(items, (chunk) => {
      const all = Chunk.toReadonlyArray(chunk)
      const last = all.at(-1)
      if (last === undefined) return Effect.void
      const jobs = all.map((p) => p.item)
      return options.onJobs(jobs).pipe(
        Effect.zipRight(Effect.sync(() => {
          current = advance(current, last, jobs.length)
          delivered += jobs.length
        })),
        Effect.zipRight(write)
      )
    }).pipe(
      // The last chunk's checkpoint, whatever ended the run; a failure to write it is logged (the run's own outcome wins).
      Effect.onExit(() =>
        Effect.catchAll(write, (e) => Effect.logWarning("jobstream: the last checkpoint could not be written").pipe(
          Effect.annotateLogs({ key, detail: e.detail })
        ))
      )
    )
    current = { ...current, complete: true }
    yield* write
    return { delivered, resumed: stored !== undefined, checkpoint: current }
  })

/**
 * Removes the checkpoint under `key` (the next run starts over).
 *
 * @since 0.2.0
 */
export const reset = (store: KeyValueStore.KeyValueStore, key: string): Effect.Effect<void, CheckpointError> =>
  store.remove(key).pipe(Effect.mapError((e) => new CheckpointError({ key, reason: "write", detail: e.message })))
