/**
 * The ICWS simulator's jobs: the list (newest first, `fromJobId` cursor,
 * with the configured ways of misbehaving), submit, get (which moves a job
 * one state forward after answering) and cancel, plus the dataset changes
 * of `mutations`. Internal to `IcwsSimulator`.
 */
import type { CursorMode, IcwsJobConfig, IcwsOptions, IcwsSessionRecord, IcwsSimJob } from "../../IcwsSimulator.js"
import * as Mutations from "../../Mutations.js"
import * as Seed from "../../Seed.js"
import type { SimRequest, SimResponse } from "../../Server.js"
import { formatDate, isTerminal, newJob, seededJobs, State, step } from "./data.js"
import { error, icws, missingProperty, modes, objectBody, render, unparsable, validSource } from "./wire.js"

/** The jobs of a simulator. */
export interface Jobs {
  /** Oldest first (the order they were created in). */
  readonly all: () => ReadonlyArray<IcwsSimJob>
  readonly list: (req: SimRequest) => SimResponse
  readonly submit: (req: SimRequest) => SimResponse
  /** `GET` or `DELETE …/jobs/{id}`. */
  readonly one: (req: SimRequest, session: IcwsSessionRecord, jobId: string) => SimResponse
  readonly setCursorMode: (mode: CursorMode) => void
  readonly setOutcome: (jobId: string, outcome: "finished" | "failed" | "canceled", errorInfo?: string) => void
  /** Moves every job `steps` states forward. */
  readonly tick: (steps: number) => void
  /** Puts a job in a state (by number), now. */
  readonly setState: (jobId: string, state: number) => boolean
}

/** The job store of a simulator. */
export const jobs = (options: IcwsOptions, r: Seed.Rng): Jobs => {
  const pollsPerStep = options.pollsPerStep ?? 1
  const all = seededJobs(options.jobs ?? 75, options.seed ?? 1)
  const byId = new Map(all.map((j) => [j.status.id, j] as const))
  let cursorMode: CursorMode = options.cursorMode ?? "honor"
  let submitted = 0

  const add = (config: Omit<IcwsJobConfig, "id">): string => {
    submitted++
    const id = `${Seed.id(r, 8, "0123456789abcdef")}-n${String(submitted).padStart(4, "0")}`
    const job = newJob({ ...config, id }, Date.now())
    all.push(job)
    byId.set(id, job)
    return id
  }
  const forget = (removed: ReadonlyArray<IcwsSimJob>) => {
    for (const job of removed) byId.delete(job.status.id)
  }
  const mutate = Mutations.schedule(options.mutations, {
    add: (n) => {
      for (let i = 0; i < n; i++) {
        add({
          name: `added-${submitted + 1}`,
          submittedUserId: "agent",
          tables: { tableList: [{ name: "IWrkgrpQueueStats", column: [{ name: "cName" }] }] }
        })
      }
    },
    remove: (n) => forget(all.splice(Math.max(0, all.length - n), n)),
    removeOldest: (n) => forget(all.splice(0, n))
  })

  const list = (req: SimRequest): SimResponse => {
    const mode = req.query.get("jobsResponseMode") ?? "status"
    if (!modes.has(mode)) return error(400, "error.request.invalidParameter", `Invalid jobsResponseMode ${mode}.`)
    const rawCount = req.query.get("jobCount")
    if (rawCount !== null && (!/^\d+$/.test(rawCount) || Number(rawCount) < 1)) {
      return error(400, "error.request.invalidParameter", "jobCount must be a positive integer.")
    }
    const count = rawCount === null ? 30 : Number(rawCount)
    mutate()
    const newestFirst = [...all].reverse()
    let from = 0
    const fromJobId = req.query.get("fromJobId")
    if (fromJobId !== null && cursorMode !== "ignore") {
      const at = newestFirst.findIndex((j) => j.status.id === fromJobId)
      if (at < 0) return error(400, "error.request.invalidParameter", `Unknown fromJobId ${fromJobId}.`)
      from = cursorMode === "inclusive" ? at : at + 1
    }
    const page = cursorMode === "wrap" && newestFirst.length > 0
      ? Array.from({ length: count }, (_, i) => newestFirst[(from + i) % newestFirst.length]!)
      : newestFirst.slice(from, from + count)
    return icws(200, { __type: "urn:inin.com:dataExtractor:jobs", jobList: page.map((j) => render(j, mode)) })
  }

  const submit = (req: SimRequest): SimResponse => {
    const body = objectBody(req.body, false)
    if (body === undefined) return unparsable
    for (const property of ["name", "submittedUserId"]) {
      if (typeof body[property] !== "string") return missingProperty(property)
    }
    const tables = (body["tables"] as { tableList?: unknown } | undefined)?.tableList ?? []
    const views = (body["views"] as { viewList?: unknown } | undefined)?.viewList ?? []
    if (!Array.isArray(tables) || !Array.isArray(views) || ![...tables, ...views].every(validSource)) {
      return error(400, "error.request.invalidRepresentation.invalidProperty", "Invalid table or view list.")
    }
    const { __type: _type, ...config } = body
    const id = add(config as unknown as IcwsJobConfig)
    return icws(201, { __type: "urn:inin.com:dataExtractor:jobReponse", id })
  }

  const one = (req: SimRequest, session: IcwsSessionRecord, jobId: string): SimResponse => {
    const job = byId.get(jobId)
    if (job === undefined) return error(404, "error.request.notFound", `The job ${jobId} was not found.`)
    if (req.method === "GET") {
      const mode = req.query.get("jobsResponseMode") ?? "all"
      if (!modes.has(mode)) return error(400, "error.request.invalidParameter", `Invalid jobsResponseMode ${mode}.`)
      const response = icws(200, render(job, mode))
      // Answer first, then move the job along, so every state is seen once.
      if (pollsPerStep > 0 && !isTerminal(job.status.state)) {
        job.polls++
        if (job.polls >= pollsPerStep) step(job, Date.now())
      }
      return response
    }
    if (req.method === "DELETE") {
      if (job.status.submittedUserId !== session.userId) {
        return error(403, "error.request.accessDenied", "You do not have permission to cancel this job.")
      }
      if (isTerminal(job.status.state)) {
        return error(400, "error.dataExtractor.jobNotActive", "Only a queued or running job can be canceled.")
      }
      const at = formatDate(Date.now(), false)
      job.status.state = State.canceled
      job.status.canceledTime = at
      job.status.stateChangedTime = at
      job.status.cancelUserId = session.userId
      return { status: 200 }
    }
    return error(405, "error.request.methodNotAllowed", "Method not allowed.")
  }

  return {
    all: () => all,
    list,
    submit,
    one,
    setCursorMode: (mode) => {
      cursorMode = mode
    },
    setOutcome: (jobId, outcome, errorInfo) => {
      const job = byId.get(jobId)
      if (job === undefined) return
      job.outcome = outcome
      if (errorInfo !== undefined) job.errorInfo = errorInfo
    },
    tick: (steps) => {
      const now = Date.now()
      for (let i = 0; i < steps; i++) for (const job of all) step(job, now)
    },
    setState: (jobId, state) => {
      const job = byId.get(jobId)
      if (job === undefined) return false
      job.status.state = state as typeof job.status.state
      return true
    }
  }
}
