/**
 * The CLI as a user runs it: a spawned `jobstream` process with its
 * environment pointing at simulators started by this test process.
 * Spawns are batched in parallel to keep the file fast.
 */
import { Faults, GreenArrowSimulator, IcwsSimulator, InsideViewSimulator, Server, SimulatorEnv } from "@jobstream/testkit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { lines, runCli, submitIcwsJobs } from "./helpers.js"

const sims: Array<{ close: () => Promise<void> }> = []
const track = <A extends { close: () => Promise<void> }>(sim: A): A => {
  sims.push(sim)
  return sim
}
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()))
})

/** Spawned node processes are slow on a loaded 2-core runner; each test gets room. */
const spawnTimeout = 90_000

const insideViewEnv = (url: string, token = "sim-fixed-token") => ({
  INSIDEVIEW_BASE_URL: url,
  INSIDEVIEW_ACCESS_TOKEN: token
})

describe("jobstream list", () => {
  let env: Record<string, string> = {}

  beforeAll(async () => {
    const insideView = track(await InsideViewSimulator.startInsideView({ jobs: 230 }))
    const greenArrow = track(await GreenArrowSimulator.startGreenArrow({ jobs: 90, organizations: [1] }))
    const icws = track(await IcwsSimulator.startIcws({ jobs: 35 }))
    env = SimulatorEnv.forSimulators({ insideView, greenArrow, greenArrowKey: GreenArrowSimulator.defaultKeys[0], icws })
  })

  it("prints table, json and ndjson; filters by provider and status", async () => {
    const [table, json, ndjson] = await Promise.all([
      runCli(["list"], env),
      runCli(["list", "--format", "json"], env),
      runCli(
        ["list", "--format", "ndjson", "--provider", "greenarrow", "--provider", "icws", "--status", "failed", "--status", "canceled"],
        env
      )
    ])
    expect([table.code, json.code, ndjson.code]).toEqual([0, 0, 0])
    expect([table.stderr, json.stderr, ndjson.stderr]).toEqual(["", "", ""])

    const rows = lines(table.stdout)
    expect(rows[0]).toMatch(/^PROVIDER\s+ID\s+STATUS\s+TYPE\s+NAME\s+CREATED$/)
    expect(rows.filter((r) => r.startsWith("PROVIDER"))).toHaveLength(1)
    expect(rows).toHaveLength(1 + 230 + 90 + 35)
    // fixed-width columns: STATUS starts at the same offset on every row
    const statusAt = rows[0]!.indexOf("STATUS")
    expect(new Set(rows.slice(1).map((r) => r.slice(statusAt - 2, statusAt)))).toEqual(new Set(["  "]))

    const all = JSON.parse(json.stdout) as Array<{ provider: string; id: string; status: string; createdAt: string | null }>
    expect(all).toHaveLength(355)
    const count = (p: string) => all.filter((j) => j.provider === p).length
    expect([count("insideview"), count("greenarrow"), count("icws")]).toEqual([230, 90, 35])

    const filtered = lines(ndjson.stdout).map((l) => JSON.parse(l) as { provider: string; id: string; status: string })
    const expected = all.filter((j) => j.provider !== "insideview" && (j.status === "failed" || j.status === "canceled"))
    expect(expected.length).toBeGreaterThan(0)
    expect(filtered.map((j) => `${j.provider}/${j.id}`).sort()).toEqual(expected.map((j) => `${j.provider}/${j.id}`).sort())
  }, spawnTimeout)

  it("streams: the first row is printed while pages are still outstanding; --limit stops the requests", async () => {
    const slow = track(await InsideViewSimulator.startInsideView({ jobs: 3_000, latency: { millis: 30 } })) // 60 pages
    const limited = track(await InsideViewSimulator.startInsideView({ jobs: 2_000 })) // 40 pages
    let requestsAtFirstRow: number | undefined
    const [streamed, limit] = await Promise.all([
      runCli(["list", "--format", "ndjson"], insideViewEnv(slow.url), {
        onStdout: () => {
          requestsAtFirstRow ??= slow.listRequests
        }
      }),
      runCli(["list", "--provider", "insideview", "--limit", "5", "--format", "json"], insideViewEnv(limited.url))
    ])
    expect(streamed.code).toBe(0)
    expect(lines(streamed.stdout)).toHaveLength(3_000)
    // 60 full pages; the last is full, so one more (empty) page confirms nothing was added.
    expect(slow.listRequests).toBe(61)
    expect(requestsAtFirstRow).toBeDefined()
    expect(requestsAtFirstRow!).toBeLessThan(60)

    expect(limit.code).toBe(0)
    expect(JSON.parse(limit.stdout)).toHaveLength(5)
    expect(limited.listRequests).toBeLessThan(10)
  }, spawnTimeout)
})

describe("jobstream errors", () => {
  it("prints one line and exits 2 for usage and configuration, 1 for API errors, without secrets", async () => {
    const unauthorized = track(await InsideViewSimulator.startInsideView({ jobs: 10 }))
    const throttled = track(
      await InsideViewSimulator.startInsideView({ jobs: 10, faults: [Faults.withProbability(1, Faults.rateLimited())] })
    )
    const closed = await Server.start({ handler: () => Server.text(200, "") })
    await closed.close()

    const [missing, badToken, rateLimited, refused, badFormat] = await Promise.all([
      runCli(["list", "--provider", "icws"], { ICWS_BASE_URL: "http://127.0.0.1:1", ICWS_PASSWORD: "pw-not-shown" }),
      runCli(["list"], insideViewEnv(unauthorized.url, "wrong-token-value-123")),
      runCli(["list", "--format", "ndjson"], insideViewEnv(throttled.url)),
      runCli(["list", "--retries", "0"], insideViewEnv(closed.url)),
      runCli(["list", "--format", "xml"], insideViewEnv(closed.url))
    ])
    const oneLine = (r: { stderr: string }) => {
      expect(lines(r.stderr)).toHaveLength(1)
      expect(r.stderr).toMatch(/^jobstream: /)
      expect(r.stderr).not.toMatch(/\n\s+at /)
      return r.stderr
    }
    expect(missing.code).toBe(2)
    expect(oneLine(missing)).toMatch(/icws is not configured: missing ICWS_USER$/m)
    expect(missing.stderr).not.toContain("pw-not-shown")
    expect(badToken.code).toBe(1)
    expect(oneLine(badToken)).toMatch(/insideview\.\w+: unauthorized \(401\)/)
    expect(badToken.stderr).not.toContain("wrong-token-value-123")
    expect(rateLimited.code).toBe(1)
    expect(oneLine(rateLimited)).toMatch(/rate limited \(429/)
    expect(rateLimited.stdout).toBe("")
    expect(refused.code).toBe(1)
    expect(oneLine(refused)).toMatch(/transport failure/)
    expect(badFormat.code).toBe(2)
    expect(oneLine(badFormat)).toMatch(/table, json, ndjson/)
  }, spawnTimeout)
})

describe("jobstream cancel and watch (ICWS)", () => {
  it("cancels and watches jobs with the documented exit codes", async () => {
    const sim = track(await IcwsSimulator.startIcws({ jobs: 3 }))
    const env = { ICWS_BASE_URL: sim.url, ICWS_USER: "agent", ICWS_PASSWORD: "s3cret-pw" }
    const [toWatch, toCancel] = await submitIcwsJobs(sim.url, ["watched", "canceled"])

    const [watched, canceled] = await Promise.all([
      runCli(["watch", "icws", toWatch, "--interval", "1s"], env),
      runCli(["cancel", "icws", toCancel], env)
    ])
    expect(watched.code).toBe(0)
    expect(lines(watched.stdout).map((l) => l.split(/\s+/).at(-1))).toEqual(["submitted", "queued", "started", "finished"])
    expect(canceled.code).toBe(0)
    expect(canceled.stdout).toBe(`canceled ${toCancel}\n`)
    expect(sim.jobs.find((j) => j.status.id === toCancel)?.status.state).toBe(IcwsSimulator.State.canceled)

    const watchCanceled = await runCli(["watch", "icws", toCancel, "--interval", "1s"], env)
    expect(watchCanceled.code).toBe(3)
    expect(lines(watchCanceled.stdout).at(-1)).toMatch(/canceled$/)
    expect(watchCanceled.stderr).toBe(`jobstream: job ${toCancel} ended canceled\n`)
  }, spawnTimeout)
})
