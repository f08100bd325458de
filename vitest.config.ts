import { defineConfig } from "vitest/config"

// Workspace packages resolve to their TypeScript sources through the
// "@jobstream/source" export condition, so tests never need a build first.
const conditions = ["@jobstream/source", "import", "module", "node", "default"]

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ["@jobstream/source"] } },
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts", "examples/**/*.test.ts"],
    exclude: ["**/node_modules/**", "test/bench/**"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    sequence: { concurrent: false }
  }
})
