/**
 * A live view of job *changes*: each provider's listing is polled, compared
 * with the previous poll, and every difference becomes an event — a job
 * that appeared (`Created`), whose status moved (`Changed`), or that reached
 * a final status (`Finished`). Events of one job come in the order they
 * happened (poll order); events of different providers interleave.
 *
 * Polling adapts: every `activeInterval` while the provider has jobs that are
 * pending, running or paused, every `idleInterval` when all its jobs are
 * final. The requests of a poll go through the provider's client, so its
 * retry policy and (when configured) its rate limiter apply to them.
 *
 * What a watch keeps: for each provider, the id, status and status word of
 * every job of the last poll (about 100 bytes a job), never the jobs
 * themselves; memory stays flat however long it runs.
 *
 * A failed poll (after the client's own retries) is logged at Warning and
 * tried again at the next interval; `maxConsecutiveFailures` failed polls in a
 * row end the stream with the last error.
 *
 * @since 0.2.0
 * @module
 */
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Stream from "effect/Stream"
import type * as AllJobs from "./AllJobs.js"
import type * as ApiError from "./ApiError.js"
import * as Job from "./Job.js"

/**
 * A change of one job, seen between two polls.
 *
 * @since 0.2.0
 */
export type Change =
  /** A job the previous poll did not have (not reported for the jobs of the first poll, see `initial`). */
  | { readonly _tag: "Created"; readonly provider: string; readonly job: Job.Job; readonly at: number }
  /** A job whose status (or the provider's word for it) changed, to a status that is not final. */
  | {
    readonly _tag: "Changed"
    readonly provider: string
    readonly job: Job.Job
    readonly previous: Job.Status
    readonly previousProviderStatus: string
    readonly at: number
  }
  /** A job that reached a final status (succeeded, failed, canceled) since the previous poll. */
  | {
    readonly _tag: "Finished"
    readonly provider: string
    readonly job: Job.Job
    readonly previous: Job.Status | undefined
    readonly at: number
  }

/**
 * How to watch.
 *
 * @since 0.2.0
 */
export interface Options {
  /** Time between polls while the provider has unfinished jobs. Default 5 seconds. */
  readonly activeInterval?: Duration.DurationInput
  /** Time between polls when every job is final. Default 1 minute. */
  readonly idleInterval?: Duration.DurationInput
  /**
   * What the first poll reports: "baseline" (default) reports nothing and
   * only sets the state later polls compare with; "unfinished" reports every
   * job that is not final as `Created`; "all" reports every job.
   */
  readonly initial?: "baseline" | "unfinished" | "all"
  /**
   * Failed polls in a row before the stream fails. Default 5. `Infinity`: a
   * provider's failures never end the stream; each is reported to `onPoll`
   * (and logged as a Warning). After a failed poll the next one waits twice
   * as long as after the previous failure — `activeInterval`, then 2×, 4×… —
   * but never longer than `idleInterval`, so a provider that is down is not
   * polled at the active pace for hours, and is seen again within an idle
   * interval once it is back.
   */
  readonly maxConsecutiveFailures?: number
  /**
   * Called after every poll of a provider, ok or failed (for progress
   * displays and metrics). Its failures are ignored.
   *
   * @since 0.2.0
   */
  readonly onPoll?: ((poll: Poll) => Effect.Effect<void>) | undefined
}

/**
 * What one poll of one provider found.
 *
 * @since 0.2.0
 */
export interface Poll {
  readonly provider: string
  /** Jobs in the listing (0 when the poll failed). */
  readonly jobs: number
  /** Jobs that are not final. */
  readonly unfinished: number
  /** Changes reported by this poll. */
  readonly changes: number
  /** The poll's error, after the client's own retries. */
  readonly error?: ApiError.ApiError | undefined
  /** Failed polls in a row, this one included. */
  readonly failures: number
  readonly at: number
}

/**
 * The defaults.
 *
 * @since 0.2.0
 */
export const defaults = {
  activeInterval: Duration.seconds(5),
  idleInterval: Duration.minutes(1),
  initial: "baseline",
  maxConsecutiveFailures: 5
} as const

const unfinishedCount = (seen: ReadonlyMap<string, Seen>): number => {
  let n = 0
  for (const s of seen.values()) if (!Job.isTerminal(s.status)) n++
  return n
}

/** What a watch remembers of a job. */
interface Seen {
  readonly status: Job.Status
  readonly providerStatus: string
}

/**
 * The changes between two polls of one provider (pure: for tests and for
 * callers who poll themselves). `previous` undefined means "first poll".
 *
 * @since 0.2.0
 */
export const diff = (
  provider: string,
  previous: ReadonlyMap<string, Seen> | undefined,
  current: ReadonlyArray<Job.Job>,
  at: number,
  initial: NonNullable<Options["initial"]> = defaults.initial
): ReadonlyArray<Change> => {
  const changes: Array<Change> = []
  for (const job of current) {
    const before = previous?.get(job.id)
    if (before === undefined) {
      if (previous === undefined) {
        if (initial === "baseline" || (initial === "unfinished" && Job.isTerminal(job.status))) continue
      }
      changes.push({ _tag: "Created", provider, job, at })
      // Created and finished between two polls: both are reported.
      if (previous !== undefined && Job.isTerminal(job.status)) {
        changes.push({ _tag: "Finished", provider, job, previous: undefined, at })
      }
      continue
    }
    if (before.status === job.status && before.providerStatus === job.providerStatus) continue
    changes.push(
      Job.isTerminal(job.status) && !Job.isTerminal(before.status)
        ? { _tag: "Finished", provider, job, previous: before.status, at }
        : {
          _tag: "Changed",
          provider,
          job,
          previous: before.status,
          previousProviderStatus: before.providerStatus,
          at
        }
    )
  }
  return changes
}

/**
 * Watches one source: polls its listing for ever, adapting the interval,
 * and emits the changes.
 *
 * @since 0.2.0
 */
export const source = (
  source: AllJobs.Source,
  options: Options = {}
): Stream.Stream<Change, ApiError.ApiError> =>
  Stream.suspend(() => {
    const active = Duration.decode(options.activeInterval ?? defaults.activeInterval)
    const idle = Duration.decode(options.idleInterval ?? defaults.idleInterval)
    const initial = options.initial ?? defaults.initial
    const maxFailures = Math.max(1, options.maxConsecutiveFailures ?? defaults.maxConsecutiveFailures)
    let previous: Map<string, Seen> | undefined
    let unfinished = false
    let failures = 0
    let first = true

    const poll = Effect.gen(function*() {
      const jobs: Array<Job.Job> = []
      yield* Stream.runForEachChunk(source.jobs, (chunk) => Effect.sync(() => {
        for (const job of chunk) jobs.push(job)
      }))
      const at = yield* Clock.currentTimeMillis
      const changes = diff(source.provider, previous, jobs, at, initial)
      const next = new Map<string, Seen>()
      unfinished = false
      for (const job of jobs) {
        next.set(job.id, { status: job.status, providerStatus: job.providerStatus })
        if (!Job.isTerminal(job.status)) unfinished = true
      }
      previous = next
      return { changes, jobs: jobs.length, unfinished: unfinishedCount(next) }
    })

    const report = (poll: Omit<Poll, "provider" | "at">) =>
      options.onPoll === undefined
        ? Effect.void
        : Effect.flatMap(Clock.currentTimeMillis, (at) =>
          Effect.ignore(options.onPoll!({ provider: source.provider, at, ...poll })))

    // After `failures` failed polls in a row: active, 2 × active, 4 × active…, at most the idle interval.
    const backoff = (failures: number): Duration.Duration =>
      Duration.min(Duration.times(active, 2 ** Math.min(failures - 1, 30)), Duration.max(idle, active))

    const step: Effect.Effect<Chunk.Chunk<Change>, ApiError.ApiError> = Effect.gen(function*() {
      if (!first) yield* Effect.sleep(failures > 0 ? backoff(failures) : unfinished || previous === undefined ? active : idle)
      first = false
      const result = yield* Effect.either(poll)
      if (Either.isRight(result)) {
        failures = 0
        const { changes, jobs, unfinished: open } = result.right
        yield* report({ jobs, unfinished: open, changes: changes.length, failures: 0 })
        return Chunk.unsafeFromArray(changes as Array<Change>)
      }
      failures++
      yield* report({ jobs: 0, unfinished: 0, changes: 0, error: result.left, failures })
      if (failures >= maxFailures) return yield* Effect.fail(result.left)
      yield* Effect.logWarning("watch: a poll failed; trying again at the next interval").pipe(
        Effect.annotateLogs({ provider: source.provider, error: result.left._tag, failures })
      )
      return Chunk.empty<Change>()
    })

    return Stream.repeatEffectChunk(step)
  })

/**
 * Watches several sources at once; their events interleave as they come.
 *
 * @since 0.2.0
 */
export const sources = (
  list: ReadonlyArray<AllJobs.Source>,
  options: Options = {}
): Stream.Stream<Change, ApiError.ApiError> =>
  Stream.mergeAll(list.map((s) => source(s, options)), { concurrency: "unbounded" })
