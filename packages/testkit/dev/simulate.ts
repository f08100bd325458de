/**
 * `pnpm simulate`: starts the simulator of every registered provider on
 * 127.0.0.1 (the demo's volumes and latency), prints the environment
 * variables that point the CLI — or your own program's `layerConfig()` — at
 * them, with a few commands to try, and runs until Ctrl-C (SIGINT or SIGTERM:
 * the simulators close, exit 0).
 *
 * Everything on stdout is a shell line (`export NAME='value'` or a `#`
 * comment), so the block can be pasted into another shell as it is. The last
 * line, `# ready: …`, says the servers are listening.
 *
 * `pnpm simulate --jobs 50` starts every simulator with 50 jobs instead.
 *
 * A development entry point like the demo: it lives with the simulators,
 * outside `src`, so the published testkit does not carry it.
 *
 * @since 0.2.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Harness from "../src/Harness.js"
import * as Registry from "../src/Registry.js"

const latency = { millis: 1, jitterMillis: 4 }

/** `--jobs N` from the arguments, or undefined; anything else is refused with exit 2. */
const jobsArgument = (argv: ReadonlyArray<string>): number | undefined => {
  if (argv.length === 0) return undefined
  const n = argv[0] === "--jobs" && argv.length === 2 ? Number(argv[1]) : Number.NaN
  if (Number.isSafeInteger(n) && n >= 0 && n <= 1_000_000) return n
  process.stderr.write(`simulate: usage: simulate [--jobs N] (N a whole number from 0 to 1000000), got ${JSON.stringify(argv.join(" "))}\n`)
  process.exit(2)
}

/** A value quoted for a POSIX shell. */
const shellQuote = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`

/** The id of one job of this simulator that has not ended yet, to watch or cancel. */
const activeJob = (running: Harness.Running) =>
  Effect.scoped(
    Effect.flatMap(running.client(), (client) =>
      client.jobs.pipe(
        Stream.filter((job) => job.status === "pending" || job.status === "running"),
        Stream.runHead
      ))
  ).pipe(Effect.map(Option.map((job) => job.id)), Effect.orElseSucceed(() => Option.none<string>()))

const program = Effect.gen(function*() {
  const jobs = jobsArgument(process.argv.slice(2))
  const { env, running } = yield* Harness.startAll(Registry.providers, (entry) => ({ jobs: jobs ?? entry.volume, latency }))
  const out: Array<string> = ["# jobstream simulators: export these in another shell (or paste this block there)"]
  for (const [name, value] of Object.entries(env)) out.push(`export ${name}=${shellQuote(value)}`)
  out.push("# then, for example:")
  out.push("#   npx -y pnpm@10 jobstream list --summary")
  for (const r of running) {
    const name = r.entry.provider.name
    const first = r.expectedIds()[0]
    if (first !== undefined) out.push(`#   npx -y pnpm@10 jobstream get ${name} ${first}`)
    if (r.entry.provider.capabilities.watch || r.entry.provider.capabilities.cancel) {
      const active = yield* activeJob(r).pipe(Effect.provide(FetchHttpClient.layer))
      if (Option.isSome(active)) {
        if (r.entry.provider.capabilities.watch) out.push(`#   npx -y pnpm@10 jobstream watch ${name} ${active.value}`)
        if (r.entry.provider.capabilities.cancel) out.push(`#   npx -y pnpm@10 jobstream cancel ${name} ${active.value}`)
      }
    }
  }
  out.push(`# ready: ${running.map((r) => `${r.entry.provider.name} (${r.expectedIds().length} jobs)`).join(", ")}; Ctrl-C stops them`)
  process.stdout.write(`${out.join("\n")}\n`)
  return yield* Effect.never
})

const fiber = Effect.runFork(Effect.scoped(program))
const stop = () => fiber.unsafeInterruptAsFork(fiber.id())
process.once("SIGINT", stop)
process.once("SIGTERM", stop)
// A reader that went away (`pnpm simulate | head`) stops the simulators too.
process.stdout.on("error", stop)
fiber.addObserver((exit) => {
  if (Exit.isFailure(exit) && !Exit.isInterrupted(exit)) {
    process.stderr.write(`simulate: ${String(exit.cause)}\n`)
    process.exit(70)
  }
  process.exit(0)
})
