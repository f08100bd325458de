/**
 * The CLI's exit codes and its masking of secrets, as a user meets them: a
 * spawned `jobstream` process against simulators.
 *
 * - 0 success, 1 an API error, 2 configuration (one line naming the variable
 *   or flag), 3 a watched job that failed or was canceled, 130 interrupted
 *   (SIGINT), with the ICWS session still logged out.
 * - At `JOBSTREAM_LOG_LEVEL=debug` no secret appears on stderr: not the ones
 *   from the environment, and not the ones the servers issued (InsideView
 *   access tokens, ICWS session ids, CSRF tokens and cookies).
 */
import { Faults, GreenArrowSimulator, IcwsSimulator, InsideViewSimulator, SimulatorEnv } from "@jobstream/testkit"
import { afterAll, describe, expect, it } from "vitest"
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
const spawnTimeout = 120_000

const icwsEnv = (url: string) => ({ ICWS_BASE_URL: url, ICWS_USER: "agent", ICWS_PASSWORD: "s3cret-pw" })

describe("jobstream exit codes", () => {
  it("0 ok, 1 API error, 2 configuration, 3 job canceled, 130 interrupted", async () => {
    const insideView = track(await InsideViewSimulator.startInsideView({ jobs: 15 }))
    const icws = track(await IcwsSimulator.startIcws({ jobs: 3 }))
    const [toCancel, toWatch] = await submitIcwsJobs(icws.url, ["to-cancel", "to-watch"])
    const canceled = await runCli(["cancel", "icws", toCancel!], icwsEnv(icws.url))
    expect(canceled.code).toBe(0)

    const [ok, apiError, config, jobCanceled, interrupted] = await Promise.all([
      runCli(["list", "--provider", "insideview", "--format", "ndjson"], {
        INSIDEVIEW_BASE_URL: insideView.url,
        INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token"
      }),
      runCli(["list", "--provider", "insideview"], {
        INSIDEVIEW_BASE_URL: insideView.url,
        INSIDEVIEW_ACCESS_TOKEN: "wrong-token-0123"
      }),
      runCli(["list"], { INSIDEVIEW_BASE_URL: "ftp://files.example.com", INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token" }),
      runCli(["watch", "icws", toCancel!, "--interval", "1s"], icwsEnv(icws.url)),
      // Polls once, then sleeps an hour: SIGINT arrives during the sleep.
      runCli(["watch", "icws", toWatch!, "--interval", "1h"], icwsEnv(icws.url), {
        onStdout: (_, child) => child.kill("SIGINT")
      })
    ])

    expect(ok.code).toBe(0)
    expect(lines(ok.stdout)).toHaveLength(15)
    expect(ok.stderr).toBe("")

    expect(apiError.code).toBe(1)
    expect(apiError.stderr).toMatch(/^jobstream: insideview\.\w+: unauthorized \(401\)/)
    expect(apiError.stderr).not.toContain("wrong-token-0123")

    expect(config.code).toBe(2)
    expect(config.stderr).toBe(
      `jobstream: configuration: INSIDEVIEW_BASE_URL: uses the "ftp" scheme; only http and https are supported\n`
    )

    expect(jobCanceled.code).toBe(3)
    expect(jobCanceled.stderr).toBe(`jobstream: job ${toCancel} ended canceled\n`)

    expect(interrupted.code).toBe(130)
    expect(lines(interrupted.stdout)).toHaveLength(1)
    // The interrupted command still logged its ICWS session out.
    const logouts = icws.requests.filter((r) => r.method === "DELETE" && r.path.endsWith("/connection"))
    const logins = icws.requests.filter((r) => r.method === "POST" && r.path === "/icws/connection")
    expect(logouts.length).toBe(logins.length)
    // Only the first list of the 401 case and the good list reached InsideView; the bad URL sent nothing.
    expect(insideView.requests.filter((r) => r.path === "/api/v1/admin/jobs").length).toBe(2)
  }, spawnTimeout)
})

describe("jobstream masks secrets at every log level", () => {
  it("JOBSTREAM_LOG_LEVEL=debug: no environment secret and no server-issued token, session id, CSRF token or cookie on stderr", async () => {
    const insideView = track(
      await InsideViewSimulator.startInsideView({
        jobs: 60,
        // A failed attempt is logged at debug level (and then retried).
        faults: [{ fault: Faults.status(500), requests: [2] }]
      })
    )
    const greenArrow = track(await GreenArrowSimulator.startGreenArrow({ jobs: 20, organizations: [1] }))
    const icws = track(await IcwsSimulator.startIcws({ jobs: 12 }))
    const env: Record<string, string> = {
      ...SimulatorEnv.forSimulators({
        insideView,
        insideViewAuth: "credentials",
        greenArrow,
        greenArrowKey: GreenArrowSimulator.defaultKeys[0],
        icws
      }),
      JOBSTREAM_LOG_LEVEL: "debug"
    }
    const wrongPassword = "wr0ng-pa55word-for-the-log"
    const [listed, failing] = await Promise.all([
      runCli(["list", "--format", "ndjson"], env),
      runCli(["list", "--provider", "icws", "--retries", "0"], { ...env, ICWS_PASSWORD: wrongPassword })
    ])
    expect(listed.code).toBe(0)
    expect(lines(listed.stdout)).toHaveLength(60 + 20 + 12)
    expect(failing.code).toBe(1)

    // There was something to mask: debug lines about the failed attempt and the ICWS session.
    expect(listed.stderr).toMatch(/level=DEBUG .*request attempt failed/)
    expect(listed.stderr).toMatch(/level=DEBUG .*ICWS session connected/)

    const issued = [
      ...insideView.issuedTokens,
      ...icws.createdSessions.flatMap((s) => [s.sessionId, s.csrfToken, ...s.cookies.values()])
    ]
    expect(insideView.issuedTokens.length).toBeGreaterThan(0)
    expect(icws.createdSessions.length).toBeGreaterThan(0)
    const fromEnv = [
      env.INSIDEVIEW_CLIENT_SECRET!,
      env.GREENARROW_API_KEY!,
      env.ICWS_PASSWORD!,
      wrongPassword,
      Buffer.from(`1:${env.GREENARROW_API_KEY}`).toString("base64")
    ]
    for (const secret of [...fromEnv, ...issued]) {
      expect(listed.stderr, "a secret leaked into the debug log").not.toContain(secret)
      expect(failing.stderr, "a secret leaked into the debug log").not.toContain(secret)
    }
  }, spawnTimeout)
})
