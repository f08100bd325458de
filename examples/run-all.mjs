// Runs every example once, in its own process, and fails if any exits
// non-zero: each examples/*.ts with tsx (each starts the simulators it needs
// in-process), then the examples/*.test.ts files with vitest. Two at a time.
import { spawn } from "node:child_process"
import { readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const root = dirname(here)
const all = readdirSync(here).sort()
const jobs = [
  ...all.filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).map((file) => ({
    name: `examples/${file}`,
    command: "npx",
    args: ["tsx", "--conditions=@jobstream/source", join(here, file)]
  })),
  ...all.filter((f) => f.endsWith(".test.ts")).map((file) => ({
    name: `examples/${file} (vitest)`,
    command: "npx",
    args: ["vitest", "run", `examples/${file}`]
  }))
]

const run = (job) =>
  new Promise((resolve) => {
    const started = Date.now()
    // Its own process group, so a time-out kills the example too (npx → tsx → node), not only npx:
    // a grandchild left alive would hold the pipes open and "close" would never come.
    const child = spawn(job.command, job.args, {
      cwd: root,
      detached: true,
      env: { ...process.env, JOBSTREAM_EXAMPLE: "1" }
    })
    let output = ""
    child.stdout.on("data", (d) => (output += d))
    child.stderr.on("data", (d) => (output += d))
    const timer = setTimeout(() => {
      output += "\n(killed after 120 s)"
      try {
        process.kill(-child.pid, "SIGKILL")
      } catch {
        child.kill("SIGKILL")
      }
    }, 120_000)
    child.on("close", (code) => {
      clearTimeout(timer)
      const ok = code === 0
      console.log(`${ok ? "ok  " : "FAIL"} ${job.name} (${Date.now() - started} ms)`)
      if (!ok) console.log(output.slice(-4000))
      resolve(ok)
    })
  })

const queue = [...jobs]
let failed = 0
const worker = async () => {
  for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
    if (!(await run(job))) failed++
  }
}
await Promise.all([worker(), worker()])
console.log(`${jobs.length - failed} examples passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
