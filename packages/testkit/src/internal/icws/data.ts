/**
 * The ICWS simulator's data: the media type and states, seeded jobs and how
 * a job moves from one state to the next. Internal to `IcwsSimulator`.
 */
import type { IcwsJobConfig, IcwsJobStatus, IcwsSimJob } from "../../IcwsSimulator.js"
import * as Seed from "../../Seed.js"

/**
 * The media type of every body.
 *
 * @since 0.1.0
 */
export const mediaType = "application/vnd.inin.icws+json"

/**
 * Numeric job states (`urn:inin.com:dataExtractor:state`).
 *
 * @since 0.1.0
 */
export const State = { submitted: 0, queued: 1, started: 2, failed: 3, canceled: 4, finished: 5 } as const
/**
 * A job state.
 *
 * @since 0.1.0
 */
export type StateValue = (typeof State)[keyof typeof State]

/** Writes a date in the extended or compact ICWS form. */
export const formatDate = (ms: number, compact: boolean): string => {
  const iso = new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")
  return compact ? iso.replace(/[-:]/g, "") : iso
}

const epoch = Date.UTC(2024, 2, 1, 8, 0, 0)
const tableNames = ["IWrkgrpQueueStats", "IAgentQueueStats", "InteractionSummary", "IStatsGroup", "AgentActivityLog"]
const viewNames = ["InteractionSummaryView", "AgentActivityView"]
const userIds = ["agent", "agent", "agent", "supervisor"]

export const seededJobs = (count: number, seed: number): Array<IcwsSimJob> =>
  Seed.dataset(count, seed, (index, r) => {
    const id = `${Seed.id(r, 8, "0123456789abcdef")}-${String(index + 1).padStart(5, "0")}`
    const compact = index % 2 === 1
    const submitted = epoch + index * 600_000 + Seed.int(r, 0, 59) * 1000
    const user = Seed.pick(r, userIds)
    // Older jobs are done; the newest few are still moving.
    const fromEnd = count - 1 - index
    const roll = Seed.int(r, 0, 9)
    const state: StateValue = fromEnd < 3
      ? Seed.pick(r, [State.submitted, State.queued, State.started])
      : roll < 7
      ? State.finished
      : roll < 9
      ? State.failed
      : State.canceled
    const table = Seed.pick(r, tableNames)
    const status: IcwsJobStatus = {
      name: `extract-${table.toLowerCase()}-${index + 1}`,
      submittedUserId: user,
      id,
      submittedUserSiteId: 1,
      state,
      submitTime: formatDate(submitted, compact),
      stateChangedTime: formatDate(submitted + 120_000, compact)
    }
    if (state >= State.queued) status.queuedTime = formatDate(submitted + 30_000, compact)
    if (state >= State.started) status.startedTime = formatDate(submitted + 60_000, compact)
    if (state === State.finished) {
      status.finishedTime = formatDate(submitted + 120_000, compact)
      status.outputFolder = `D:\\I3\\IC\\DataExtractor\\${id}`
    }
    if (state === State.failed) {
      status.failedTime = formatDate(submitted + 120_000, compact)
      status.errorInfo = "The database connection was lost during extraction."
    }
    if (state === State.canceled) {
      status.canceledTime = formatDate(submitted + 120_000, compact)
      status.cancelUserId = user
    }
    const config: IcwsJobConfig = {
      name: status.name,
      submittedUserId: user,
      id,
      tables: {
        tableList: [{ name: table, dateTimeFilterColumn: "dIntervalStart", column: [{ name: "cName" }] }]
      },
      startTimeFilter: formatDate(epoch - 86_400_000, false),
      endTimeFilter: formatDate(epoch, false)
    }
    if (index % 5 === 0) {
      config.views = { viewList: [{ name: Seed.pick(r, viewNames), column: [{ name: "InteractionIDKey" }] }] }
    }
    if (index % 7 === 0) config.siteIdFilters = [{ name: "1" }]
    return { status, config, outcome: roll === 0 ? "failed" : "finished", polls: 0 }
  }) as Array<IcwsSimJob>

/** A job just submitted. */
export const newJob = (config: IcwsJobConfig & { readonly id: string }, now: number): IcwsSimJob => ({
  status: {
    name: config.name,
    submittedUserId: config.submittedUserId,
    id: config.id,
    submittedUserSiteId: 1,
    state: State.submitted,
    submitTime: formatDate(now, false),
    stateChangedTime: formatDate(now, false)
  },
  config,
  outcome: /fail/i.test(config.name) ? "failed" : "finished",
  polls: 0
})

export const isTerminal = (state: StateValue): boolean =>
  state === State.failed || state === State.canceled || state === State.finished

/** Moves a job one state forward, stamping the time of the change. */
export const step = (job: IcwsSimJob, now: number): void => {
  const s = job.status
  const at = formatDate(now, false)
  switch (s.state) {
    case State.submitted:
      s.state = State.queued
      s.queuedTime = at
      break
    case State.queued:
      s.state = State.started
      s.startedTime = at
      break
    case State.started:
      if (job.outcome === "failed") {
        s.state = State.failed
        s.failedTime = at
        s.errorInfo = job.errorInfo ?? "The extraction failed."
      } else if (job.outcome === "canceled") {
        s.state = State.canceled
        s.canceledTime = at
        s.cancelUserId = "supervisor"
        if (job.errorInfo !== undefined) s.errorInfo = job.errorInfo
      } else {
        s.state = State.finished
        s.finishedTime = at
        s.outputFolder = `D:\\I3\\IC\\DataExtractor\\${s.id}`
      }
      break
    default:
      return
  }
  s.stateChangedTime = at
  job.polls = 0
}
