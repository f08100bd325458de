#!/usr/bin/env node
/**
 * The `jobstream` executable.
 *
 * A closed stdout (`jobstream list | head`) is not an error: the program is
 * interrupted — so its finalizers run and the ICWS session is logged out —
 * and exits 0 without writing anything more. SIGINT/SIGTERM interrupt it the
 * same way and exit 130.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cli from "./Cli.js"
import { ExitCode } from "./Errors.js"

const fiber = Effect.runFork(Cli.run(process.argv).pipe(Effect.provide(NodeContext.layer)))

let stdoutClosed = false
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  // After the reader went away, every later write fails too: nothing to report.
  if (stdoutClosed) return
  if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") {
    stdoutClosed = true
    fiber.unsafeInterruptAsFork(fiber.id())
    return
  }
  throw error
})

const onSignal = () => {
  process.removeListener("SIGINT", onSignal)
  process.removeListener("SIGTERM", onSignal)
  fiber.unsafeInterruptAsFork(fiber.id())
}
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)

fiber.addObserver((exit) => {
  // The reader of stdout is gone: the listing was cut short on purpose, and
  // there is nowhere left to write to.
  if (stdoutClosed) return process.exit(ExitCode.ok)
  const code = Exit.isSuccess(exit)
    ? exit.value
    : Cause.isInterruptedOnly(exit.cause)
    ? ExitCode.interrupted
    : ExitCode.internal
  if (code === ExitCode.internal && Exit.isFailure(exit)) {
    process.stderr.write(`jobstream: internal error: ${Cause.pretty(exit.cause).split("\n")[0]}\n`)
  }
  // Exit once everything written so far has been handed to the OS (keep-alive
  // sockets would otherwise hold the process open for a while).
  process.stdout.write("", () => process.exit(code))
})
