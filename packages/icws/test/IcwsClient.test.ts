import { describe, expect, it } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import { IcwsClient, IcwsJob, IcwsQuery } from "@jobstream/icws"
import { Faults, IcwsSimulator } from "@jobstream/testkit"
import { Chunk, Effect, Schedule, Stream } from "effect"
import type { Scope } from "effect"
import { requestsTo, withClient } from "./helpers.js"

const live = <A, E>(name: string, f: () => Effect.Effect<A, E, Scope.Scope>) =>
  it.live(name, () => Effect.scoped(f()))

const newestFirst = (sim: IcwsSimulator.IcwsServer) => [...sim.jobs].reverse().map((j) => j.status.id)
const fast = Schedule.spaced("2 millis")

const config: IcwsJob.JobConfig = {
  name: "nightly-queue-stats",
  submittedUserId: "agent",
  tables: {
    tableList: [{ name: "IWrkgrpQueueStats", dateTimeFilterColumn: "dIntervalStart", column: [{ name: "cName" }] }]
  },
  views: { viewList: [{ name: "InteractionSummaryView", column: [{ name: "InteractionIDKey" }] }] },
  startTimeFilter: new Date("2024-03-01T00:00:00Z"),
  endTimeFilter: new Date("2024-03-02T00:00:00Z"),
  siteIdFilters: [{ name: "1" }]
}

describe("IcwsClient.jobs", () => {
  live("streams every job newest first, following fromJobId, and stops on a short page", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 75 })
      const jobs = yield* withClient(sim, (c) => Stream.runCollect(c.jobs({ jobCount: 10 })))
      expect(Chunk.toArray(jobs).map((j) => j.jobStatus!.id)).toEqual(newestFirst(sim))
      const lists = requestsTo(sim, "GET", "/data-extractor/jobs")
      expect(lists).toHaveLength(8)
      expect(lists[0]!.query.get("fromJobId")).toBeNull()
      expect(lists[0]!.query.get("jobCount")).toBe("10")
      expect(lists[0]!.query.get("jobsResponseMode")).toBe("status")
      for (let i = 1; i < lists.length; i++) {
        expect(lists[i]!.query.get("fromJobId")).toBe(newestFirst(sim)[i * 10 - 1])
      }
    }))

  live("stops on an empty page when the count divides evenly, and uses pageSize by default", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 30 })
      const count = yield* withClient(sim, (c) => Stream.runCount(c.jobs()), { pageSize: 10 })
      expect(count).toBe(30)
      const lists = requestsTo(sim, "GET", "/data-extractor/jobs")
      expect(lists.map((r) => r.query.get("jobCount"))).toEqual(["10", "10", "10", "10"])
    }))

  live("a server ignoring the cursor ends the stream with a PaginationError, no job repeated", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 40 })
      sim.setIgnoreCursor(true)
      const seen: Array<string> = []
      const error = yield* withClient(sim, (c) =>
        Effect.flip(Stream.runForEach(c.jobs({ jobCount: 10 }), (j) => Effect.sync(() => seen.push(j.jobStatus!.id)))))
      expect(seen).toEqual(newestFirst(sim).slice(0, 10))
      expect(error).toMatchObject({ _tag: "PaginationError", reason: "repeated-page", requests: 2, cursor: seen[9] })
      expect(requestsTo(sim, "GET", "/data-extractor/jobs")).toHaveLength(2)
    }))

  live("Stream.take stops the requests", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 75 })
      const jobs = yield* withClient(sim, (c) => Stream.runCollect(Stream.take(c.jobs({ jobCount: 10 }), 12)))
      expect(Chunk.size(jobs)).toBe(12)
      expect(requestsTo(sim, "GET", "/data-extractor/jobs").length).toBeLessThanOrEqual(4)
    }))

  live("modes: configuration fills jobConfig, all fills both; dates of both forms decode", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 12 })
      const [configs, all] = yield* withClient(sim, (c) =>
        Effect.all([
          Stream.runCollect(c.jobs({ mode: "configuration", jobCount: 5 })),
          Stream.runCollect(c.jobs({ mode: "all" }))
        ]))
      expect(Chunk.size(configs)).toBe(12)
      for (const record of configs) {
        expect(record.jobStatus).toBeUndefined()
        expect(record.jobConfig?.tables?.tableList.length).toBe(1)
      }
      const records = Chunk.toArray(all)
      const expected = [...sim.jobs].reverse()
      records.forEach((record, i) => {
        const raw = expected[i]!.status
        expect(record.jobStatus!.submitTime!.getTime()).toBe(IcwsJob.parseDateTime(raw.submitTime!)!.getTime())
        expect(record.jobConfig!.startTimeFilter).toEqual(new Date("2024-02-29T08:00:00Z"))
      })
      // Both wire forms were served.
      expect(sim.jobs.some((j) => /^\d{8}T\d{6}Z$/.test(j.status.submitTime!))).toBe(true)
      expect(sim.jobs.some((j) => /^\d{4}-\d{2}-\d{2}T/.test(j.status.submitTime!))).toBe(true)
    }))

  live("normalizedJobs maps states and times", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 40 })
      const jobs = Chunk.toArray(yield* withClient(sim, (c) => Stream.runCollect(c.normalizedJobs())))
      const byState: Record<number, string> = { 0: "pending", 1: "pending", 2: "running", 3: "failed", 4: "canceled", 5: "succeeded" }
      const expected = [...sim.jobs].reverse()
      expect(jobs).toHaveLength(40)
      jobs.forEach((job, i) => {
        const raw = expected[i]!.status
        expect(job.provider).toBe("icws")
        expect(job.id).toBe(raw.id)
        expect(job.name).toBe(raw.name)
        expect(job.status).toBe(byState[raw.state])
        expect(job.createdAt?.getTime()).toBe(IcwsJob.parseDateTime(raw.submitTime!)!.getTime())
        const end = raw.finishedTime ?? raw.failedTime ?? raw.canceledTime
        expect(job.finishedAt?.getTime()).toBe(end === undefined ? undefined : IcwsJob.parseDateTime(end)!.getTime())
      })
      expect(new Set(jobs.map((j) => j.status)).size).toBeGreaterThanOrEqual(3)
    }))

  live("invalid queries fail with InvalidRequest before any request", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      const errors = yield* withClient(sim, (c) =>
        Effect.all([
          Effect.flip(Stream.runDrain(c.jobs({ jobCount: 0 }))),
          Effect.flip(Stream.runDrain(c.jobs({ jobCount: 2.5 }))),
          Effect.flip(Stream.runDrain(c.jobs({ mode: "everything" } as unknown as IcwsQuery.JobsQuery))),
          Effect.flip(Stream.runDrain(c.jobs({ jobcount: 5 } as unknown as IcwsQuery.JobsQuery))),
          Effect.flip(c.getJob("")),
          Effect.flip(c.getJob("x", "full" as IcwsQuery.ResponseMode)),
          Effect.flip(c.cancelJob(" ")),
          Effect.flip(c.submitJob({ ...config, name: "" })),
          Effect.flip(c.submitJob({ ...config, startTimeFilter: new Date("2024-03-03T00:00:00Z") })),
          Effect.flip(c.submitJob({ name: "x" } as unknown as IcwsJob.JobConfig)),
          Effect.flip(c.awaitJob(""))
        ]))
      for (const error of errors) expect(error._tag).toBe("InvalidRequest")
      expect(errors[3]!.message).toContain("jobcount")
      expect(errors[9]!.message).toContain("submittedUserId")
      expect(sim.requestCount).toBe(0)
    }))

  live("a malformed body or a non-JSON answer is a DecodeError naming icws", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({
        jobs: 5,
        faults: [
          {
            match: (r) => r.path.endsWith("/data-extractor/jobs"),
            times: 1,
            fault: Faults.body(JSON.stringify({ jobList: [{ jobStatus: { id: 7, name: "x" } }] }), {
              contentType: "application/vnd.inin.icws+json"
            })
          },
          {
            match: (r) => r.path.endsWith("/data-extractor/jobs"),
            times: 1,
            fault: Faults.body("<html>maintenance</html>", { contentType: "text/html" })
          },
          {
            match: (r) => r.path.endsWith("/data-extractor/jobs"),
            times: 1,
            fault: Faults.body(JSON.stringify({ jobList: [{ jobStatus: { id: "a", name: "x", submittedUserId: "u", submittedUserSiteId: 1, state: 9 } }] }))
          }
        ]
      })
      const [schema, html, state] = yield* withClient(sim, (c) =>
        Effect.all([
          Effect.flip(Stream.runDrain(c.jobs())),
          Effect.flip(Stream.runDrain(c.jobs())),
          Effect.flip(Stream.runDrain(c.jobs()))
        ]))
      expect(schema._tag).toBe("DecodeError")
      expect(schema.message).toContain("icws.listJobs")
      expect(schema._tag === "DecodeError" && schema.issue).toContain("jobList")
      expect(html._tag === "DecodeError" && html.issue).toContain("text/html")
      expect(state._tag).toBe("DecodeError")
    }))
})

describe("IcwsClient errors", () => {
  live("typed errors keep the errorId: 403, 404, 410, 500, 400", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({
        jobs: 20,
        faults: [{
          match: (r) => r.method === "GET" && r.query.get("jobsResponseMode") === "configuration",
          fault: Faults.status(500, { body: JSON.stringify({ errorId: "error.server.internal", message: "db down" }) })
        }]
      })
      const other = sim.jobs.find((j) => j.status.submittedUserId !== "agent" && j.status.state < 3)
        ?? sim.jobs.find((j) => j.status.submittedUserId !== "agent")!
      const finished = sim.jobs.find((j) => j.status.submittedUserId === "agent" && j.status.state === 5)!
      const errors = yield* withClient(sim, (c) =>
        Effect.all([
          Effect.flip(c.cancelJob(other.status.id)),
          Effect.flip(c.getJob("missing-job")),
          Effect.gen(function*() {
            sim.retire("/data-extractor/jobs")
            const e = yield* Effect.flip(Stream.runDrain(c.jobs()))
            return e
          }),
          Effect.flip(c.getJob(finished.status.id, "configuration")),
          Effect.flip(c.cancelJob(finished.status.id))
        ]), { retryPolicy: RetryPolicy.immediate(2) })
      const [forbidden, notFound, gone, server, bad] = errors
      expect(forbidden!._tag).toBe("Forbidden")
      expect(forbidden!._tag === "Forbidden" && forbidden!.providerCode).toBe("error.request.accessDenied")
      expect(notFound!._tag === "NotFound" && notFound!.providerCode).toBe("error.request.notFound")
      expect(gone!._tag === "Gone" && gone!.providerCode).toBe("error.request.gone")
      expect(server!._tag === "ServerError" && server!.providerCode).toBe("error.server.internal")
      expect(server!._tag === "ServerError" && server!.providerMessage).toBe("db down")
      expect(bad!._tag === "BadRequest" && bad!.providerCode).toBe("error.dataExtractor.jobNotActive")
      // The GET with the 500 was retried by the policy (1 + 2 attempts).
      expect(sim.requests.filter((r) => r.query.get("jobsResponseMode") === "configuration")).toHaveLength(3)
      expect(notFound!.message).toContain("/icws/<redacted>/data-extractor/jobs/missing-job")
    }))
})

describe("IcwsClient submit / cancel / await / watch", () => {
  live("submitJob posts the JobConfig and returns the new id", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      const created = yield* withClient(sim, (c) => c.submitJob(config))
      const [post] = requestsTo(sim, "POST", "/data-extractor/jobs")
      expect(post!.headers["content-type"]).toContain("application/vnd.inin.icws+json")
      expect(JSON.parse(post!.body)).toEqual({
        name: "nightly-queue-stats",
        submittedUserId: "agent",
        tables: { tableList: [{ name: "IWrkgrpQueueStats", dateTimeFilterColumn: "dIntervalStart", column: [{ name: "cName" }] }] },
        views: { viewList: [{ name: "InteractionSummaryView", column: [{ name: "InteractionIDKey" }] }] },
        startTimeFilter: "2024-03-01T00:00:00.000Z",
        endTimeFilter: "2024-03-02T00:00:00.000Z",
        siteIdFilters: [{ name: "1" }]
      })
      expect(post!.status).toBe(201)
      expect(sim.jobs.at(-1)!.status.id).toBe(created.id)
    }))

  live("submitJob is not retried on a 500 by default, and is when retry: true", () =>
    Effect.gen(function*() {
      const failOnce = () => [{
        match: (r: { method: string; path: string }) => r.method === "POST" && r.path.endsWith("/data-extractor/jobs"),
        times: 1,
        fault: Faults.status(500, { body: JSON.stringify({ errorId: "error.server.internal", message: "x" }) })
      }]
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3, faults: failOnce() })
      const error = yield* Effect.flip(withClient(sim, (c) => c.submitJob(config), { retryPolicy: RetryPolicy.immediate(3) }))
      expect(error._tag === "ServerError" && error.providerCode).toBe("error.server.internal")
      expect(requestsTo(sim, "POST", "/data-extractor/jobs")).toHaveLength(1)
      expect(sim.jobs).toHaveLength(3)

      sim.setFaults(failOnce())
      sim.clearLog()
      const created = yield* withClient(sim, (c) => c.submitJob(config, { retry: true }), {
        retryPolicy: RetryPolicy.immediate(3)
      })
      expect(requestsTo(sim, "POST", "/data-extractor/jobs")).toHaveLength(2)
      expect(sim.jobs.at(-1)!.status.id).toBe(created.id)
    }))

  live("watchJob emits each state change until terminal; awaitJob returns a finished status, fails JobFailed otherwise", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3, pollsPerStep: 2 })
      const [states, failed] = yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          const { id } = yield* c.submitJob(config)
          const states = yield* Stream.runCollect(Stream.map(c.watchJob(id, fast), (s) => s.state))
          const doomed = yield* c.submitJob({ ...config, name: "will-fail" })
          const failed = yield* Effect.flip(c.awaitJob(doomed.id, fast))
          return [Chunk.toArray(states), failed] as const
        }))
      expect(states).toEqual([0, 1, 2, 5])
      expect(failed).toMatchObject({
        _tag: "JobFailed",
        operation: "awaitJob",
        jobId: sim.jobs.at(-1)!.status.id,
        providerStatus: "failed",
        providerMessage: "The extraction failed."
      })
      // Every poll asked only for the status.
      const polls = sim.requests.filter((r) => r.method === "GET" && r.path.includes("/data-extractor/jobs/"))
      expect(polls.length).toBe(7 + 7)
      for (const poll of polls) expect(poll.query.get("jobsResponseMode")).toBe("status")
    }))

  live("awaitJob fails with Timeout when the schedule ends before a terminal state", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3, pollsPerStep: 0 })
      const error = yield* withClient(sim, (c) =>
        Effect.flatMap(c.submitJob(config), ({ id }) => Effect.flip(c.awaitJob(id, Schedule.recurs(3)))))
      expect(error._tag).toBe("Timeout")
      expect(error._tag === "Timeout" && error.scope).toBe("deadline")
      expect(requestsTo(sim, "GET", sim.jobs.at(-1)!.status.id)).toHaveLength(4)
    }))

  live("tick() moves jobs on; cancelJob cancels a running job", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 3, pollsPerStep: 0 })
      const record = yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          const { id } = yield* c.submitJob(config)
          sim.tick(2)
          expect((yield* c.getJob(id, "status")).jobStatus!.state).toBe(IcwsJob.States.started)
          yield* c.cancelJob(id)
          return yield* c.getJob(id)
        }))
      expect(record.jobStatus!.state).toBe(IcwsJob.States.canceled)
      expect(record.jobStatus!.cancelUserId).toBe("agent")
      expect(record.jobConfig!.name).toBe(config.name)
      expect(IcwsClient.toJob(record).status).toBe("canceled")
      expect(requestsTo(sim, "DELETE", record.jobStatus!.id)).toHaveLength(1)
    }))
})
