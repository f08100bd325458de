/**
 * `jobstream list --resume <name>`: each provider's listing goes through
 * core's `Resume.forEach`, with its checkpoint in a file-backed
 * `KeyValueStore` — one file per provider, `<name>.<provider>`, in
 * `$JOBSTREAM_STATE_DIR` (default `~/.local/state/jobstream/checkpoints`).
 *
 * A job counts as delivered once its chunk has been written to stdout; the
 * checkpoint is written after every chunk and when the command ends (Ctrl-C
 * included), so a resumed run prints nothing twice after a clean stop, and
 * at most one chunk again after a crash (see `Resume` in @jobstream/core).
 * A listing that was read to its end resumes past its end: only jobs added
 * since are printed. `--restart` ignores the checkpoint.
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import type * as Path from "@effect/platform/Path"
import { type ApiError, type Job, type Provider, Resume } from "@jobstream/core"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as os from "node:os"
import * as nodePath from "node:path"
import { UsageError } from "../Errors.js"
import { errorLine } from "./print.js"

/** What a checkpoint name may be: it becomes part of a file name. */
export const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/** The directory of the checkpoint files. */
export const stateDir: Effect.Effect<string> = Config.string("JOBSTREAM_STATE_DIR").pipe(
  Config.withDefault(nodePath.join(os.homedir(), ".local", "state", "jobstream", "checkpoints")),
  Effect.orElseSucceed(() => nodePath.join(os.homedir(), ".local", "state", "jobstream", "checkpoints"))
)

/** The key of one provider's checkpoint. */
export const keyOf = (name: string, provider: string): string => `${name}.${provider}`

/** Options of {@link run}. */
export interface RunOptions {
  readonly name: string
  readonly handles: ReadonlyArray<Provider.Handle>
  readonly restart: boolean
  readonly keepGoing: boolean
  /** Keeps a job (the `--status` filter); every job counts as delivered either way. */
  readonly keep: (job: Job.Job) => boolean
  /** Prints a chunk of jobs. */
  readonly emit: (jobs: ReadonlyArray<Job.Job>) => Effect.Effect<void>
}

/**
 * Runs every provider's listing resumably, concurrently; returns how many
 * providers failed (with `keepGoing`; otherwise the first failure fails).
 */
export const run = (
  options: RunOptions
): Effect.Effect<number, UsageError | ApiError.ApiError, FileSystem.FileSystem | Path.Path> =>
  Effect.gen(function*() {
    if (!namePattern.test(options.name)) {
      return yield* new UsageError({
        message: `--resume: ${JSON.stringify(options.name.slice(0, 70))} is not a checkpoint name (letters, digits, ".", "_", "-"; up to 64)`
      })
    }
    for (const handle of options.handles) {
      if (handle.jobsFrom === undefined) {
        return yield* new UsageError({ message: `--resume: ${handle.provider} listings cannot be resumed` })
      }
    }
    const dir = yield* stateDir
    const store = yield* Effect.provide(KeyValueStore.KeyValueStore, KeyValueStore.layerFileSystem(dir)).pipe(
      Effect.mapError((e) => new UsageError({ message: `--resume: cannot use the directory ${dir}: ${e.message}` }))
    )
    const one = (handle: Provider.Handle) =>
      Resume.forEach({
        store,
        key: keyOf(options.name, handle.provider),
        listing: handle.jobsFrom!,
        restart: options.restart,
        onJobs: (jobs) => options.emit(jobs.filter(options.keep))
      })
    const results = yield* Effect.forEach(
      options.handles,
      (handle) => (options.keepGoing ? Effect.either(one(handle)) : Effect.map(one(handle), Either.right)),
      { concurrency: "unbounded" }
    )
    let failed = 0
    for (const result of results) {
      if (Either.isLeft(result)) {
        failed++
        yield* errorLine(result.left.message)
      }
    }
    return failed
  }).pipe(
    // A checkpoint that cannot be read or written is a problem of the setup (exit 2), not of the API.
    Effect.catchTag("CheckpointError", (e) => Effect.fail(new UsageError({ message: `--resume: ${e.message}` })))
  )
