#!/usr/bin/env node
// The packages as npm users get them: build, pack every publishable package,
// check what each tarball holds, install the tarballs into a fresh project
// outside the workspace (with npm, from the registry for everything else),
// typecheck a TypeScript consumer against the installed declarations, and run
// it: one listing against a testkit simulator, through the installed builds.
//
//   node scripts/pack-smoke.mjs            (after `pnpm build`)
//
// Exits non-zero on the first problem, saying which.
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")
const packages = ["core", "insideview", "greenarrow", "icws", "testkit", "cli"]
const work = fs.mkdtempSync(path.join(os.tmpdir(), "jobstream-pack-"))
const tarballs = path.join(work, "tarballs")
const project = path.join(work, "project")
fs.mkdirSync(tarballs)
fs.mkdirSync(project)

const run = (command, args, cwd) => {
  process.stdout.write(`$ ${command} ${args.join(" ")}\n`)
  return execFileSync(command, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" })
}
const fail = (message) => {
  process.stderr.write(`pack-smoke: ${message}\n`)
  process.exit(1)
}

try {
  // 1. Pack (pnpm turns workspace:* into the real versions).
  for (const name of packages) {
    if (!fs.existsSync(path.join(root, "packages", name, "dist", "index.js"))) {
      fail(`packages/${name}/dist is missing: run the build first`)
    }
    run("npx", ["-y", "pnpm@10", "pack", "--pack-destination", tarballs], path.join(root, "packages", name))
  }
  const files = fs.readdirSync(tarballs).filter((f) => f.endsWith(".tgz")).map((f) => path.join(tarballs, f))
  if (files.length !== packages.length) fail(`expected ${packages.length} tarballs, got ${files.length}`)

  // 2. What each tarball holds: builds, sources, README and LICENSE; no build info, no tests.
  for (const file of files) {
    const entries = run("tar", ["-tzf", file], work).split("\n").filter(Boolean)
    const bad = entries.filter((e) => /tsbuildinfo|\/test\/|\.test\.[jt]s$/.test(e))
    if (bad.length > 0) fail(`${path.basename(file)} holds ${bad.join(", ")}`)
    for (const needed of ["package/package.json", "package/README.md", "package/LICENSE", "package/dist/index.js", "package/dist/index.d.ts"]) {
      if (!entries.includes(needed)) fail(`${path.basename(file)} lacks ${needed}`)
    }
    const manifest = JSON.parse(run("tar", ["-xzOf", file, "package/package.json"], work))
    const deps = JSON.stringify({ ...manifest.dependencies, ...manifest.peerDependencies })
    if (deps.includes("workspace:")) fail(`${manifest.name} still depends on workspace: versions`)
    if (manifest.name !== "@jobstream/cli" && manifest.dependencies?.effect !== undefined) {
      fail(`${manifest.name} lists effect as a dependency; it must be a peer dependency`)
    }
  }

  // 3. A fresh project outside the workspace.
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2))
  run("npm", [
    "install", "--no-audit", "--no-fund", "--loglevel=error",
    ...files,
    "effect@^3.22.4", "@effect/platform@^0.97.2", "typescript@~5.9.3", "@types/node@^20"
  ], project)

  // 4. One copy of effect, whatever the jobstream packages are.
  const effectCopies = run("npm", ["ls", "effect", "--all", "--parseable"], project).split("\n").filter((l) => l.endsWith("/node_modules/effect"))
  if (new Set(effectCopies).size !== 1) fail(`expected one copy of effect, found ${effectCopies.length}: ${effectCopies.join(", ")}`)

  // 5. A TypeScript consumer: typecheck against the installed declarations, compile, run.
  fs.writeFileSync(path.join(project, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true,
      outDir: "out", skipLibCheck: false, types: ["node"], lib: ["ES2022", "DOM"]
    },
    include: ["main.ts"]
  }, null, 2))
  fs.writeFileSync(path.join(project, "main.ts"), `
import { FetchHttpClient } from "@effect/platform"
import { AllJobs, Job } from "@jobstream/core"
import { InsideViewClient } from "@jobstream/insideview"
import { InsideViewSimulator } from "@jobstream/testkit"
import { Effect, Redacted, Stream } from "effect"

const program = Effect.gen(function*() {
  const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 120 })
  const client = yield* InsideViewClient.make({
    baseUrl: sim.url,
    auth: InsideViewClient.Auth.token(Redacted.make("sim-fixed-token"))
  })
  const jobs = yield* Stream.runCollect(client.normalizedJobs())
  const statuses: ReadonlyArray<Job.Status> = Job.statuses
  const merged: AllJobs.Service = AllJobs.make([{ provider: "insideview", jobs: client.normalizedJobs() }])
  const count = yield* Stream.runCount(merged.jobs())
  return { listed: jobs.length, merged: count, statuses: statuses.length }
})

const result = await Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer)))
if (result.listed !== 120 || result.merged !== 120) throw new Error(\`expected 120 jobs, got \${JSON.stringify(result)}\`)
console.log(\`consumer ok: \${result.listed} jobs\`)
`)
  run("npx", ["tsc", "-p", "tsconfig.json"], project)
  const output = run("node", ["out/main.js"], project)
  process.stdout.write(output)
  if (!output.includes("consumer ok: 120 jobs")) fail("the consumer did not list the jobs")

  // 6. The installed CLI starts and answers --help without the workspace.
  const help = run("npx", ["--no-install", "jobstream", "--help"], project)
  if (!help.includes("jobstream")) fail("the installed CLI did not print its help")
  process.stdout.write("pack-smoke: ok\n")
} finally {
  fs.rmSync(work, { recursive: true, force: true })
}
