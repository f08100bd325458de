import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Cli from "@jobstream/cli/Cli"
import * as Output from "@jobstream/cli/Output"
import { IcwsClient } from "@jobstream/icws"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { type ChildProcess, spawn } from "node:child_process"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..")

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

export interface RunOptions {
  /** Called with each stdout chunk as it arrives (and the process, e.g. to signal it). */
  readonly onStdout?: (chunk: string, child: ChildProcess) => void
  readonly timeoutMillis?: number
}

/**
 * Runs `jobstream <args>` the way a user would (a fresh node process on the
 * TypeScript sources), with exactly `env` plus PATH/HOME (nothing inherited
 * from the test process's provider variables).
 */
export const runCli = (args: ReadonlyArray<string>, env: Record<string, string>, options: RunOptions = {}): Promise<Result> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=@jobstream/source", "--import", "tsx", "packages/cli/src/bin.ts", ...args],
      {
        cwd: root,
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
        stdio: ["ignore", "pipe", "pipe"]
      }
    )
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8")
    child.stderr.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      stdout += chunk
      options.onStdout?.(chunk, child)
    })
    child.stderr.on("data", (chunk: string) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`jobstream ${args.join(" ")} timed out; stderr: ${stderr}`))
    }, options.timeoutMillis ?? 60_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolvePromise({ code, stdout, stderr })
    })
  })

/** Non-empty lines. */
export const lines = (text: string): ReadonlyArray<string> => text.split("\n").filter((l) => l.length > 0)

/** Submits ICWS data-extractor jobs through the real client; returns their ids. */
export const submitIcwsJobs = (url: string, names: ReadonlyArray<string>): Promise<ReadonlyArray<string>> =>
  Effect.runPromise(
    Effect.gen(function*() {
      const client = yield* IcwsClient.IcwsClient
      return yield* Effect.forEach(names, (name) =>
        Effect.map(
          client.submitJob({
            name,
            submittedUserId: "agent",
            tables: { tableList: [{ name: "IWrkgrpQueueStats", column: [{ name: "cName" }] }] }
          }),
          (r) => r.id
        ))
    }).pipe(
      Effect.provide(IcwsClient.layer({ baseUrl: url, user: "agent", password: Redacted.make("s3cret-pw") })),
      Effect.provide(FetchHttpClient.layer)
    )
  )

/**
 * Runs `jobstream <args>` in this process (`Cli.run` with a captured output and
 * `env` as its configuration instead of the environment); returns the exit
 * code, what was written, and the help text the command tree logged.
 */
export const runInProcess = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  Effect.gen(function*() {
    const output = Output.capture()
    const logged: Array<string> = []
    const console = yield* Effect.console
    const code = yield* Cli.run(["node", "jobstream", ...args]).pipe(
      Effect.provideService(Output.Output, output),
      Effect.withConsole({ ...console, log: (...parts: ReadonlyArray<unknown>) => Effect.sync(() => void logged.push(parts.join(" "))) }),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.provide(NodeContext.layer)
    )
    return { code, stdout: output.stdout(), stderr: output.stderr(), help: logged.join("\n") }
  })
