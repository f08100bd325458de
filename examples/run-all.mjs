// Runs every example (examples/*.ts) once, in its own process, and fails if any
// exits non-zero. Each example starts the simulators it needs in-process.
import { spawnSync } from "node:child_process"
import { readdirSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

const here = dirname(fileURLToPath(import.meta.url))
const files = readdirSync(here).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts")).sort()
let failed = 0
for (const file of files) {
  const started = Date.now()
  const run = spawnSync("npx", ["tsx", "--conditions=@jobstream/source", join(here, file)], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, JOBSTREAM_EXAMPLE: "1" }
  })
  const ok = run.status === 0
  if (!ok) failed++
  console.log(`${ok ? "ok  " : "FAIL"} examples/${file} (${Date.now() - started} ms)`)
  if (!ok) console.log(run.stdout.slice(-2000), run.stderr.slice(-4000))
}
console.log(`${files.length - failed} examples passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
