/**
 * Running a program that yields an exit code as a process: the `jobstream`
 * executable, and development entry points built on the CLI (the demo).
 *
 * - A closed stdout or stderr (`jobstream list | head`, a reader that went
 *   away: EPIPE) is not an error: the program is interrupted, so its
 *   finalizers run (ICWS sessions are logged out, simulators closed), and the
 *   process exits 0 without writing anything more and without a stack trace.
 * - SIGINT/SIGTERM interrupt it the same way and exit 130.
 * - A defect prints one `<name>: internal error: …` line and exits 70.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { ExitCode } from "../Errors.js"

/**
 * Runs `program` to completion and exits the process with the code it returns.
 *
 * @since 0.2.0
 */
export const runMain = <E>(
  program: Effect.Effect<number, E, NodeContext.NodeContext>,
  options: { readonly name?: string } = {}
): void => {
  const name = options.name ?? "jobstream"
  const fiber = Effect.runFork(program.pipe(Effect.provide(NodeContext.layer)))

  let readerGone = false
  const onStreamError = (error: NodeJS.ErrnoException) => {
    // After the reader went away, every later write fails too: nothing to report.
    if (readerGone) return
    if (error.code === "EPIPE" || error.code === "ERR_STREAM_DESTROYED") {
      readerGone = true
      fiber.unsafeInterruptAsFork(fiber.id())
      return
    }
    throw error
  }
  process.stdout.on("error", onStreamError)
  process.stderr.on("error", onStreamError)

  const onSignal = () => {
    process.removeListener("SIGINT", onSignal)
    process.removeListener("SIGTERM", onSignal)
    fiber.unsafeInterruptAsFork(fiber.id())
  }
  process.on("SIGINT", onSignal)
  process.on("SIGTERM", onSignal)

  fiber.addObserver((exit) => {
    // The reader is gone: the output was cut short on purpose, and there is
    // nowhere left to write to.
    if (readerGone) return process.exit(ExitCode.ok)
    const code = Exit.isSuccess(exit)
      ? exit.value
      : Cause.isInterruptedOnly(exit.cause)
      ? ExitCode.interrupted
      : ExitCode.internal
    if (code === ExitCode.internal && Exit.isFailure(exit)) {
      process.stderr.write(`${name}: internal error: ${Cause.pretty(exit.cause).split("\n")[0]}\n`)
    }
    // Exit once everything written so far has been handed to the OS (keep-alive
    // sockets would otherwise hold the process open for a while).
    process.stdout.write("", () => process.exit(code))
  })
}
