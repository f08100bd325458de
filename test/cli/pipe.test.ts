/**
 * `jobstream list | head`: the reader closes the pipe early. The CLI must stop
 * through interruption so its finalizers run — the ICWS session is logged out
 * — and exit 0 (a spawned process against a simulator in this test process).
 * The demo does the same. Help written into a pipe (or with NO_COLOR) has no
 * ANSI codes, and its usage line reads `jobstream <command> …`.
 */
import { IcwsSimulator, SimulatorEnv } from "@jobstream/testkit"
import { spawn } from "node:child_process"
import { afterAll, describe, expect, it } from "vitest"
import { lines, root, runCli } from "./helpers.js"

const sims: Array<{ close: () => Promise<void> }> = []
afterAll(async () => {
  await Promise.all(sims.map((s) => s.close()))
})

/** Runs `jobstream <args> | head -n <n>` in bash; resolves with jobstream's own exit code and head's output. */
const pipedToHead = (args: ReadonlyArray<string>, n: number, env: Record<string, string>) =>
  scriptToHead("packages/cli/src/bin.ts", args, n, env)

/** Runs `<script> <args> | head -n <n>` (a TypeScript entry point, on the sources) in bash. */
const scriptToHead = (script: string, args: ReadonlyArray<string>, n: number, env: Record<string, string>) =>
  new Promise<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resolve, reject) => {
    const cli = ["node", "--conditions=@jobstream/source", "--import", "tsx", script, ...args].join(" ")
    const child = spawn("bash", ["-c", `${cli} | head -n ${n}; exit \${PIPESTATUS[0]}`], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8")
    child.stderr.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => (stdout += chunk))
    child.stderr.on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`timed out; stderr: ${stderr}`))
    }, 80_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

describe("a closed stdout", () => {
  for (const format of ["ndjson", "table"] as const) {
    it(`list --format ${format} | head -n 3: exit 0, and no ICWS session left open`, async () => {
      const sim = await IcwsSimulator.startIcws({ jobs: 3_000, latency: { millis: 20 } })
      sims.push(sim)
      const env = SimulatorEnv.forSimulators({ icws: sim })
      const result = await pipedToHead(["list", "--provider", "icws", "--format", format], 3, env)
      expect(result.stderr).toBe("")
      expect(result.code).toBe(0)
      expect(lines(result.stdout)).toHaveLength(3)
      // The listing stopped early…
      const pages = sim.requests.filter((r) => r.method === "GET" && r.path.endsWith("/data-extractor/jobs"))
      expect(pages.length).toBeLessThan(30)
      // …and the one session it opened was deleted before the process ended.
      expect(sim.createdSessions).toHaveLength(1)
      expect(sim.deletedSessions).toEqual([sim.createdSessions[0]!.sessionId])
      expect(sim.activeSessions).toHaveLength(0)
    }, 90_000)
  }
})

describe("the demo through a closed pipe", () => {
  it("demo | head -n 5: exit 0, nothing on stderr (no EPIPE stack trace)", async () => {
    // The demo streams its 20,088 jobs with simulated latency: far more than head reads.
    const result = await scriptToHead("packages/testkit/dev/demo.ts", [], 5, {})
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    const rows = lines(result.stdout)
    expect(rows).toHaveLength(5)
    expect(rows[0]).toMatch(/^PROVIDER\s+ID\s+STATUS/)
  }, 90_000)

  it("demo --format ndjson | head -n 1: the same", async () => {
    const result = await scriptToHead("packages/testkit/dev/demo.ts", ["--format", "ndjson"], 1, {})
    expect(result.stderr).toBe("")
    expect(result.code).toBe(0)
    expect(JSON.parse(lines(result.stdout)[0]!)).toHaveProperty("provider")
  }, 90_000)
})

describe("help through a pipe", () => {
  it("has no ANSI codes (piped, and with NO_COLOR), and its usage reads `jobstream <command>`", async () => {
    const [top, list, noColor] = await Promise.all([
      runCli(["--help"], {}),
      runCli(["list", "--help"], {}),
      runCli(["watch", "--help"], { NO_COLOR: "1" })
    ])
    for (const r of [top, list, noColor]) {
      expect(r.code).toBe(0)
      expect(r.stderr).toBe("")
      expect(r.stdout).not.toMatch(/\x1b\[/)
      expect(r.stdout).toContain("USAGE")
    }
    expect(top.stdout).toMatch(/^\$ jobstream$/m)
    expect(list.stdout).toMatch(/^\$ jobstream list \[/m)
    expect(list.stdout).toContain("--provider insideview|greenarrow|icws")
    expect(noColor.stdout).toMatch(/^\$ jobstream watch \[/m)
    expect(noColor.stdout).toContain("at least 1s")
  }, 120_000)
})
