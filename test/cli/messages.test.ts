/**
 * The CLI's messages say what went wrong and where to look:
 *
 * - a bad option value names its option (`--provider: expected one of …,
 *   got "foo"`), a bad number reads as English, `--interval` has a floor;
 * - the hint follows the cause: a 403 on cancel is a permission problem, an
 *   ICWS `authenticationFailure` a credentials problem, and `--keep-going`
 *   prints the same line as the fail-fast path;
 * - a job missing from a GreenArrow (or InsideView) listing is "not found",
 *   with no invented HTTP status;
 *
 * Help through a real pipe (no ANSI codes) is in pipe.test.ts.
 */
import { GreenArrowSimulator, IcwsSimulator, SimulatorEnv } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import { afterAll, describe, expect, it } from "vitest"
import { lines, runInProcess, submitIcwsJobs } from "./helpers.js"

const sims: Array<{ close: () => Promise<void> }> = []
const track = <A extends { close: () => Promise<void> }>(sim: A): A => {
  sims.push(sim)
  return sim
}
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()))
})

const jobstream = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.runPromise(runInProcess(args, env))

const providers = "insideview, greenarrow, icws"
const statuses = "pending, running, paused, succeeded, failed, canceled, unknown"
const token = { INSIDEVIEW_ACCESS_TOKEN: "t0ken-value" }

describe("usage errors name the option, exit 2", () => {
  it.each<[ReadonlyArray<string>, string]>([
    [["list", "--provider", "foo"], `--provider: expected one of ${providers}, got "foo"`],
    [["list", "--provider", "icws", "--provider", "GreenArrow"], `--provider: expected one of ${providers}, got "GreenArrow"`],
    [["list", "--status", "done"], `--status: expected one of ${statuses}, got "done"`],
    [["list", "--format", "xml"], `--format: expected one of table, json, ndjson, got "xml"`],
    [["get", "icws", "1", "--format", "yaml"], `--format: expected one of text, json, got "yaml"`],
    [["list", "--limit", "abc"], `--limit: expected a whole number, got "abc"`],
    [["list", "--limit", "2.5"], `--limit: expected a whole number, got "2.5"`],
    [["list", "--limit", "0"], `--limit: expected 1 or more, got 0`],
    [["list", "--retries", "many"], `--retries: expected a whole number, got "many"`],
    [["get", "foo", "1"], `provider: expected one of ${providers}, got "foo"`],
    [["cancel", "insideview", "1"], `provider: insideview jobs cannot be canceled (only icws)`],
    [["watch", "greenarrow", "1"], `provider: greenarrow jobs cannot be watched (only icws)`],
    [["watch", "icws", "1", "--interval", "500ms"], `--interval: must be at least 1s, got "500ms"`],
    [["watch", "icws", "1", "--interval", "0"], `--interval: expected a duration of at least 1s like 2s or 5m, got "0"`],
    [["watch", "icws", "1", "--timeout", "never"], `--timeout: expected a duration above zero like 500ms, 2s or 5m, got "never"`]
  ])("jobstream %j", async (args, message) => {
    const r = await jobstream(args, token)
    expect(r.stderr).toBe(`jobstream: ${message}\n`)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
  })

  it("--interval 1s is accepted (the command goes on to its configuration)", async () => {
    const r = await jobstream(["watch", "icws", "1", "--interval", "1s"], token)
    expect(r.stderr).toBe("jobstream: icws is not configured: missing ICWS_BASE_URL (or --icws-url), ICWS_USER, ICWS_PASSWORD\n")
    expect(r.code).toBe(2)
  })
})

describe("hints follow the cause, exit 1", () => {
  it("a 403 on cancel is a permission problem, not a credentials one", async () => {
    const sim = track(await IcwsSimulator.startIcws({ jobs: 2, users: { agent: "s3cret-pw", other: "0ther-pw" } }))
    const [job] = await submitIcwsJobs(sim.url, ["someone else's"])
    const r = await jobstream(["cancel", "icws", job!], { ICWS_BASE_URL: sim.url, ICWS_USER: "other", ICWS_PASSWORD: "0ther-pw" })
    expect(r.code).toBe(1)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toMatch(/^jobstream: icws\.cancelJob: forbidden \(403\)/)
    expect(r.stderr).toContain("(the credentials were accepted but this account is not allowed to do this: check its permissions)")
    expect(r.stderr).not.toContain("ICWS_*")
    expect(r.stderr).not.toContain("0ther-pw")
  })

  it("an ICWS authenticationFailure is a credentials problem, with the same line under --keep-going", async () => {
    const sim = track(await IcwsSimulator.startIcws({ jobs: 5 }))
    const env = { ICWS_BASE_URL: sim.url, ICWS_USER: "agent", ICWS_PASSWORD: "not-the-pa55word" }
    const failFast = await jobstream(["list", "--provider", "icws"], env)
    const keepGoing = await jobstream(["list", "--provider", "icws", "--keep-going"], env)
    expect([failFast.code, keepGoing.code]).toEqual([1, 1])
    expect(lines(failFast.stderr)).toHaveLength(1)
    expect(failFast.stderr).toContain("authenticationFailure")
    expect(failFast.stderr).toContain("(icws refused the credentials: check the ICWS_* credentials)")
    expect(failFast.stderr).not.toContain("not-the-pa55word")
    expect(keepGoing.stderr).toBe(failFast.stderr)
  })

  it("a 401 under --keep-going has the same hint as without it", async () => {
    const sim = track(await GreenArrowSimulator.startGreenArrow({ jobs: 5, organizations: [1] }))
    const env = SimulatorEnv.forSimulators({ greenArrow: sim, greenArrowKey: { ...GreenArrowSimulator.defaultKeys[0], apiKey: "wrong-api-key-123" } })
    const failFast = await jobstream(["list"], env)
    const keepGoing = await jobstream(["list", "--keep-going"], env)
    expect([failFast.code, keepGoing.code]).toEqual([1, 1])
    expect(failFast.stderr).toMatch(/^jobstream: greenarrow\.\w+: unauthorized \(401\).*\(check the GREENARROW_\* credentials\)\n$/)
    expect(keepGoing.stderr).toBe(failFast.stderr)
  })
})

describe("a job missing from a listing", () => {
  it("is not found, with no HTTP status (GreenArrow has no get-by-id endpoint)", async () => {
    const sim = track(await GreenArrowSimulator.startGreenArrow({ jobs: 30, organizations: [1] }))
    const env = SimulatorEnv.forSimulators({ greenArrow: sim, greenArrowKey: GreenArrowSimulator.defaultKeys[0] })
    const r = await jobstream(["get", "greenarrow", "987654"], env)
    expect(r.code).toBe(1)
    expect(lines(r.stderr)).toHaveLength(1)
    expect(r.stderr).toMatch(/^jobstream: greenarrow: job "987654" not found \(.*not in the listing/)
    expect(r.stderr).not.toMatch(/\b404\b/)
    // The server was asked for the listing only; it never answered 404.
    expect(sim.requests.length).toBeGreaterThan(0)
  })
})
