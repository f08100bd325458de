/**
 * `jobstream watch --all`: the changes of every job of every configured
 * provider (`AllJobs.watch`), polled fast while jobs run (`--interval`) and
 * slowly when all are final (`--idle-interval`).
 *
 * Output: on a terminal, a table of changes (one row each) on stdout and a
 * status line on stderr, redrawn after every poll, with each provider's
 * counts (jobs, unfinished, changes, failed polls); when stdout is not a
 * terminal (or `--format ndjson`), one JSON object per change:
 * `{"event":"Changed","provider":…,"at":…,"previous":…,"job":{…}}`.
 * Runs until interrupted (Ctrl-C), `--limit` changes, or a provider fails
 * too many polls in a row (5). With `--keep-going` a provider's failures never
 * end the watch: each failed poll is a `jobstream: …` line on stderr (with the
 * same hint as a failure that ends a command), the provider is polled again
 * after a wait that doubles with each failure up to `--idle-interval` (core
 * `Watch`), and its first good poll after failures says so.
 */
import { AllJobs, Job, type Provider, type Watch } from "@jobstream/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { oneLine } from "../Errors.js"
import * as Format from "../Format.js"
import { Output } from "../Output.js"
import * as Hints from "./hints.js"
import * as Print from "./print.js"

/** Output formats of `watch --all`. */
export const formats = ["auto", "table", "ndjson"] as const
export type WatchFormat = (typeof formats)[number]

/** One change as a JSON object. */
export const changeJson = (change: Watch.Change) => ({
  event: change._tag,
  provider: change.provider,
  at: new Date(change.at).toISOString(),
  previous: change._tag === "Created" ? null : change.previous ?? null,
  job: Job.toJson(change.job)
})

/** The table header of changes. */
export const header = `${Format.cell("TIME", 20)}  ${Format.cell("PROVIDER", 10)}  ${Format.cell("EVENT", 8)}  ${
  Format.cell("ID", 20)
}  ${Format.cell("STATUS", 22)}  NAME\n`

/** One change as a table row. */
export const changeRow = (change: Watch.Change): string => {
  const from = change._tag === "Created" || change.previous === undefined ? "" : `${change.previous} → `
  return `${Format.cell(Format.instant(new Date(change.at)), 20)}  ${Format.cell(change.provider, 10)}  ${
    Format.cell(change._tag, 8)
  }  ${Format.cell(change.job.id, 20)}  ${Format.cell(`${from}${change.job.status}`, 22)}  ${oneLine(change.job.name ?? "-")}\n`
}

/** What the status line shows of one provider. */
interface Counts {
  jobs: number
  unfinished: number
  changes: number
  failures: number
  polls: number
}

/** The status line. */
export const statusLine = (counts: ReadonlyMap<string, Counts>): string =>
  [...counts].map(([p, c]) =>
    c.polls === 0
      ? `${p}: …`
      : `${p}: ${c.jobs} jobs, ${c.unfinished} unfinished, ${c.changes} changes${c.failures > 0 ? `, ${c.failures} failed polls` : ""}`
  ).join(" | ")

/** Options of {@link run}. */
export interface RunOptions {
  readonly handles: ReadonlyArray<Provider.Handle>
  readonly interval: Duration.Duration
  readonly idleInterval: Duration.Duration
  readonly statuses: ReadonlyArray<Job.Status>
  readonly limit: number | undefined
  /** A provider's failed polls never end the watch; each is a line on stderr. */
  readonly keepGoing: boolean
  readonly format: WatchFormat
}

/** Runs the watch until interrupted, `limit` changes, or a provider's failure. */
export const run = (options: RunOptions) =>
  Effect.gen(function*() {
    const output = yield* Output
    const table = options.format === "table" || (options.format === "auto" && process.stdout.isTTY === true)
    const counts = new Map<string, Counts>(
      options.handles.map((h) => [h.provider, { jobs: 0, unfinished: 0, changes: 0, failures: 0, polls: 0 }])
    )
    const onPoll = (poll: Watch.Poll) =>
      Effect.suspend(() => {
        const c = counts.get(poll.provider)
        const failedBefore = c?.failures ?? 0
        if (c !== undefined) {
          c.polls++
          c.failures = poll.failures
          if (poll.error === undefined) {
            c.jobs = poll.jobs
            c.unfinished = poll.unfinished
            c.changes += poll.changes
          }
        }
        const line = !options.keepGoing
          ? undefined
          : poll.error !== undefined
          ? `${poll.provider}: poll failed (${poll.failures} in a row), polling again: ${Hints.apiErrorLine(poll.error)}`
          : failedBefore > 0
          ? `${poll.provider}: polling again after ${failedBefore} failed polls`
          : undefined
        return Effect.zipRight(line === undefined ? Effect.void : Print.errorLine(line), output.progress(statusLine(counts)))
      })
    const service = AllJobs.make(options.handles.map((h) => ({ provider: h.provider, jobs: h.jobs })))
    const changes = service.watch({
      activeInterval: options.interval,
      idleInterval: options.idleInterval,
      statuses: options.statuses,
      initial: "baseline",
      ...(options.keepGoing ? { maxConsecutiveFailures: Infinity } : {}),
      onPoll
    })
    if (table) yield* output.out(header)
    yield* (options.limit === undefined ? changes : Stream.take(changes, options.limit)).pipe(
      Stream.runForEach((change) => output.out(table ? changeRow(change) : `${JSON.stringify(changeJson(change))}\n`)),
      Effect.ensuring(output.progress(undefined))
    )
  })

/** The default idle interval of `watch --all`. */
export const defaultIdleInterval = Duration.minutes(1)
