import { defineConfig } from "vitest/config"

// Workspace packages resolve to their TypeScript sources through the
// "@jobstream/source" export condition, so tests never need a build first.
const conditions = ["@jobstream/source", "import", "module", "node", "default"]

const workers = Math.max(1, Number(process.env["JOBSTREAM_TEST_WORKERS"] ?? 3) || 3)

/**
 * The suites that start node processes (the CLI, the demo and the simulators
 * as a user runs them; a client killed mid-request): each spawn compiles the
 * sources through tsx, which costs a CPU-second or two, so together they take
 * minutes on 2 cores. With them, the few in-process suites that wait on real
 * time for many seconds (echoed secrets and redirects over every provider and
 * both HTTP clients, re-logins spaced by the session's backoff; chaos; the
 * CLI's run-for-days commands; the fault matrix, secrets and resume suites
 * over every provider). They form the "slow" project (`pnpm test:slow`); the rest
 * is "fast" (`pnpm test`). CI runs both; `npx vitest run` runs both too, and a
 * file named on the command line runs whichever project holds it.
 */
const slow = [
  "test/cli/cli.test.ts",
  "test/cli/exit-codes.test.ts",
  "test/cli/pipe.test.ts",
  "test/cli/resume-sigint.test.ts",
  "test/cli/simulate.test.ts",
  "test/security/oversize.test.ts",
  "test/reliability/interruption.test.ts",
  "test/security/echo.test.ts",
  "test/security/redirect.test.ts",
  "test/reliability/chaos.test.ts",
  "test/cli/run-for-days.test.ts",
  "test/reliability/fault-matrix.test.ts",
  "test/reliability/secrets.test.ts",
  "test/resume/resume.test.ts"
]
const all = ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"]
const excluded = ["**/node_modules/**", "test/bench/**"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@jobstream/source"] } },
  test: {
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Test files share each worker's modules (`isolate: false`): effect,
    // @effect/platform and the sources load once per worker instead of once per
    // file, which cost about 2 s of CPU per file and was most of `pnpm test`'s
    // time (109 s → 45 s for the fast project on 2 cores). Every file still
    // starts its own simulators and builds its own layers; the setup files undo
    // what `layer(...)` of @effect/vitest writes onto the shared `it`, and fail a
    // file that leaves a server listening for the next ones. The pool
    // is shared by both projects, so this is set here, not per project.
    // `--isolate` brings back one fresh process per file.
    isolate: false,
    setupFiles: ["test/setup/vitest-it.ts", "test/setup/no-servers-left.ts"],
    // Most of the suite waits on sockets and simulated latency, not on the CPU:
    // on a 2-core machine vitest's default (cores − 1 = one worker) leaves the
    // CPU idle half the time. Three workers keep both cores busy; override with
    // JOBSTREAM_TEST_WORKERS. minForks = maxForks: with files sharing a worker
    // (above), tinypool would otherwise end a worker above the minimum while it
    // still runs a file, and the run fails with "Terminating worker thread".
    poolOptions: { forks: { maxForks: workers, minForks: workers } },
    sequence: { concurrent: false },
    projects: [
      { extends: true, test: { name: "fast", include: all, exclude: [...excluded, ...slow] } },
      { extends: true, test: { name: "slow", include: slow, exclude: excluded } }
    ]
  }
})
