/**
 * `pnpm demo`: starts the three simulators in-process with realistic volumes
 * (InsideView 16,788 jobs, GreenArrow 3,000, ICWS 300), points the CLI at
 * them through a config provider (exactly the variables a user would
 * export), and runs `jobstream list --format table --summary`.
 *
 * Extra arguments are passed to `list`, e.g. `pnpm demo --format ndjson --limit 10`.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { GreenArrowSimulator, IcwsSimulator, InsideViewSimulator, SimulatorEnv } from "@jobstream/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Cli from "./Cli.js"

/** Starts the simulators and returns the environment that points the CLI at them. */
export const simulators = Effect.gen(function*() {
  const latency = { millis: 1, jitterMillis: 4 }
  const [insideView, greenArrow, icws] = yield* Effect.all([
    InsideViewSimulator.makeInsideView({ jobs: 16_788, latency }),
    // One organization, so the organization admin's key sees every job.
    GreenArrowSimulator.makeGreenArrow({ jobs: 3_000, organizations: [1], latency }),
    IcwsSimulator.makeIcws({ jobs: 300, latency })
  ])
  const env = SimulatorEnv.forSimulators({
    insideView,
    insideViewAuth: "credentials",
    greenArrow,
    greenArrowKey: GreenArrowSimulator.defaultKeys[0],
    icws
  })
  return { insideView, greenArrow, icws, env }
})

const program = Effect.gen(function*() {
  const { env } = yield* simulators
  const extra = process.argv.slice(2)
  const format = extra.includes("--format") ? [] : ["--format", "table"]
  const summary = extra.includes("--summary") ? [] : ["--summary"]
  const argv = ["node", "jobstream", "list", ...format, ...summary, ...extra]
  return yield* Cli.run(argv).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
})

Effect.runPromise(program.pipe(Effect.scoped, Effect.provide(NodeContext.layer))).then(
  (code) => process.stdout.write("", () => process.exit(code)),
  (error) => {
    process.stderr.write(`demo failed: ${String(error)}\n`)
    process.exit(70)
  }
)
