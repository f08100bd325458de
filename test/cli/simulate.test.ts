/**
 * `pnpm simulate` (packages/testkit/dev/simulate.ts) as a user runs it: a
 * spawned process that starts the three simulators, prints the variables to
 * export and runs until Ctrl-C; meanwhile the CLI, given exactly those
 * variables, lists, gets, watches and cancels against them.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { afterEach, describe, expect, it } from "vitest"
import { lines, root, runCli } from "./helpers.js"

let child: ChildProcess | undefined
afterEach(() => {
  if (child !== undefined && child.exitCode === null) child.kill("SIGKILL")
  child = undefined
})

interface Started {
  readonly env: Record<string, string>
  readonly printed: string
  readonly exited: Promise<{ readonly code: number | null; readonly stderr: string }>
}

/** Spawns the simulators; resolves once the `# ready` line is printed, with the exported variables. */
const simulate = (args: ReadonlyArray<string>): Promise<Started> =>
  new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--conditions=@jobstream/source", "--import", "tsx", "packages/testkit/dev/simulate.ts", ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
      stdio: ["ignore", "pipe", "pipe"]
    })
    child = proc
    let stdout = ""
    let stderr = ""
    proc.stdout.setEncoding("utf8")
    proc.stderr.setEncoding("utf8")
    proc.stderr.on("data", (chunk: string) => (stderr += chunk))
    const exited = new Promise<{ code: number | null; stderr: string }>((done) => proc.on("close", (code) => done({ code, stderr })))
    const timer = setTimeout(() => reject(new Error(`simulate printed no ready line; stdout: ${stdout}; stderr: ${stderr}`)), 60_000)
    proc.stdout.on("data", (chunk: string) => {
      stdout += chunk
      if (!/^# ready: /m.test(stdout)) return
      clearTimeout(timer)
      const env: Record<string, string> = {}
      for (const m of stdout.matchAll(/^export ([A-Z0-9_]+)='([^']*)'$/gm)) env[m[1]!] = m[2]!
      resolve({ env, printed: stdout, exited })
    })
    void exited.then(({ code }) => reject(new Error(`simulate exited (${code}) before it was ready: ${stderr}`)))
  })

describe("simulate", () => {
  it("prints the variables the CLI reads; get, list, watch and cancel work against them; Ctrl-C stops it (exit 0)", async () => {
    const sim = await simulate(["--jobs", "40"])
    // Every line is a shell line: an export or a comment.
    for (const line of lines(sim.printed)) expect(line).toMatch(/^(export [A-Z0-9_]+='[^']*'|#.*)$/)
    for (const name of ["INSIDEVIEW_BASE_URL", "GREENARROW_BASE_URL", "GREENARROW_API_KEY", "ICWS_BASE_URL", "ICWS_USER", "ICWS_PASSWORD"]) {
      expect(sim.env, name).toHaveProperty(name)
    }
    expect(sim.printed).toMatch(/^# ready: insideview \(40 jobs\), greenarrow \(40 jobs\), icws \(40 jobs\); Ctrl-C stops them$/m)

    // The example commands it prints, run as printed (minus the pnpm prefix).
    const examples = [...sim.printed.matchAll(/^#   npx -y pnpm@10 jobstream (.+)$/gm)].map((m) => m[1]!.split(" "))
    const byCommand = (name: string) => examples.filter((e) => e[0] === name)
    expect(byCommand("get")).toHaveLength(3)
    const [watchArgs] = byCommand("watch")
    expect(watchArgs).toBeDefined()

    const [listed, ...gets] = await Promise.all([
      runCli(["list", "--format", "ndjson"], sim.env),
      ...byCommand("get").map((args) => runCli(args, sim.env))
    ])
    expect(listed.stderr).toBe("")
    expect(listed.code).toBe(0)
    expect(lines(listed.stdout)).toHaveLength(120)
    for (const got of gets) {
      expect(got.stderr).toBe("")
      expect(got.code).toBe(0)
      expect(got.stdout).toMatch(/^id: +\S+/m)
    }
    // The active job of the printed examples: canceled, then watched (it has ended: canceled, exit 3).
    const [cancelArgs] = byCommand("cancel")
    expect(cancelArgs).toEqual(["cancel", ...watchArgs!.slice(1)])
    const canceled = await runCli(cancelArgs!, sim.env)
    expect(canceled.stderr).toBe("")
    expect(canceled.stdout).toBe(`canceled ${cancelArgs![2]}\n`)
    expect(canceled.code).toBe(0)
    const watched = await runCli(watchArgs!, sim.env)
    expect(watched.stderr).toBe(`jobstream: job ${watchArgs![2]} ended canceled\n`)
    expect(watched.code).toBe(3)
    expect(lines(watched.stdout).at(-1)).toMatch(/canceled$/)

    child!.kill("SIGINT")
    const end = await sim.exited
    expect(end.code).toBe(0)
    expect(end.stderr).toBe("")
  }, 150_000)

  it("refuses a bad argument with exit 2 and a usage line", async () => {
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const proc = spawn(process.execPath, ["--conditions=@jobstream/source", "--import", "tsx", "packages/testkit/dev/simulate.ts", "--jobs", "many"], {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
        stdio: ["ignore", "ignore", "pipe"]
      })
      let stderr = ""
      proc.stderr.setEncoding("utf8")
      proc.stderr.on("data", (chunk: string) => (stderr += chunk))
      proc.on("close", (code) => resolve({ code, stderr }))
    })
    expect(r.code).toBe(2)
    expect(r.stderr).toBe(`simulate: usage: simulate [--jobs N] (N a whole number from 0 to 1000000), got "--jobs many"\n`)
  }, 60_000)
})
