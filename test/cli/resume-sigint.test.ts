/**
 * `jobstream list --resume` stopped with Ctrl-C (SIGINT to a spawned
 * process) and run again: every job printed exactly once across both runs,
 * for every registered provider.
 */
import { it } from "@effect/vitest"
import { Harness, Registry } from "@jobstream/testkit"
import { Effect } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect } from "vitest"
import { lines, runCli } from "./helpers.js"

const ids = (stdout: string) => lines(stdout).map((l) => (JSON.parse(l) as { id: string }).id)

describe("jobstream list --resume after Ctrl-C", () => {
  it.live("the second run prints the rest: every job once across both runs (every provider)", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "jobstream-sigint-"))
      // Pages of 50 (InsideView), 100 (GreenArrow, ICWS), 20 ms each: the listing takes a while.
      const s = yield* Harness.startAll(Registry.providers, () => ({ jobs: 700, latency: { millis: 20 } }))
      const env = { ...s.env, JOBSTREAM_STATE_DIR: dir, GREENARROW_PER_PAGE: "100" }
      const runs = yield* Effect.forEach(s.running, (running) =>
        Effect.promise(async () => {
          const args = ["list", "--provider", running.entry.provider.name, "--format", "ndjson", "--resume", "ctrl-c"]
          let signalled = false
          const first = await runCli(args, env, {
            timeoutMillis: 120_000,
            onStdout: (_, child) => {
              if (!signalled) {
                signalled = true
                child.kill("SIGINT")
              }
            }
          })
          const second = await runCli(args, env, { timeoutMillis: 120_000 })
          return { running, first, second }
        }), { concurrency: "unbounded" })
      for (const { first, running, second } of runs) {
        const name = running.entry.provider.name
        expect(first.code, `${name}: ${first.stderr}`).toBe(130)
        expect(second.code, `${name}: ${second.stderr}`).toBe(0)
        const before = ids(first.stdout)
        expect(before.length, name).toBeGreaterThan(0)
        expect(before.length, name).toBeLessThan(700)
        expect([...before, ...ids(second.stdout)], name).toEqual(running.expectedIds())
      }
    }).pipe(Effect.scoped), 240_000)
})
