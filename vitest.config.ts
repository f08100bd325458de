import { defineConfig } from "vitest/config"

// Workspace packages resolve to their TypeScript sources through the
// "@jobstream/source" export condition, so tests never need a build first.
const conditions = ["@jobstream/source", "import", "module", "node", "default"]

const workers = Math.max(1, Number(process.env["JOBSTREAM_TEST_WORKERS"] ?? 3) || 3)

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@jobstream/source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/bench/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Most of the suite waits on sockets and simulated latency, not on the CPU:
    // on a 2-core machine vitest's default (cores − 1 = one worker) leaves the
    // CPU idle half the time. Three workers keep both cores busy; override with
    // JOBSTREAM_TEST_WORKERS.
    poolOptions: { forks: { maxForks: workers, minForks: 1 } },
    sequence: { concurrent: false }
  }
})
