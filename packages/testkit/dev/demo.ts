/**
 * `pnpm demo`: starts the simulator of every registered provider in-process
 * with a realistic volume (InsideView 16,788 jobs, GreenArrow 3,000, ICWS
 * 300: each entry's `volume`), points the CLI at them through a config
 * provider (exactly the variables a user would export), and runs
 * `jobstream list --format table --summary`.
 *
 * Extra arguments are passed to `list`, e.g. `pnpm demo --format ndjson --limit 10`.
 * A closed stdout (`pnpm demo | head -5`) ends it quietly with exit 0.
 *
 * This is a development entry point: it lives with the simulators, outside
 * `src`, so neither the CLI nor the published testkit depend on the other.
 *
 * @since 0.2.0
 */
import { Cli } from "@jobstream/cli"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Harness from "../src/Harness.js"
import * as Registry from "../src/Registry.js"

const latency = { millis: 1, jitterMillis: 4 }

const program = Effect.gen(function*() {
  const { env } = yield* Harness.startAll(Registry.providers, (entry) => ({ jobs: entry.volume, latency }))
  const extra = process.argv.slice(2)
  const format = extra.includes("--format") ? [] : ["--format", "table"]
  const summary = extra.includes("--summary") ? [] : ["--summary"]
  const argv = ["node", "jobstream", "list", ...format, ...summary, ...extra]
  return yield* Cli.run(argv).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
})

// A closed pipe (`pnpm demo | head -5`) interrupts the program: the simulators
// close and the process exits 0, without a stack trace. Ctrl-C exits 130.
Cli.runMain(program.pipe(Effect.scoped), { name: "demo" })
