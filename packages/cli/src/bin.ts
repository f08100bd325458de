#!/usr/bin/env node
/**
 * The `jobstream` executable.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Cli from "./Cli.js"
import { ExitCode } from "./Errors.js"

// `jobstream list | head`: the reader went away; stop quietly.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})

const fiber = Effect.runFork(Cli.run(process.argv).pipe(Effect.provide(NodeContext.layer)))

const onSignal = () => {
  process.removeListener("SIGINT", onSignal)
  process.removeListener("SIGTERM", onSignal)
  fiber.unsafeInterruptAsFork(fiber.id())
}
process.on("SIGINT", onSignal)
process.on("SIGTERM", onSignal)

fiber.addObserver((exit) => {
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
