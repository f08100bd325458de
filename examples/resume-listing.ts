/**
 * A long listing that survives a stop: `Resume.forEach` checkpoints the
 * position in a file-backed `KeyValueStore` after every chunk it delivers,
 * and a second run goes on from there without reading again what the first
 * one delivered. (The CLI does the same with `jobstream list --resume <name>`.)
 *
 * Semantics: at least once. A clean stop (Ctrl-C, an error) delivers nothing
 * twice; a crash may deliver again the one chunk that was being handled.
 *
 *   npx tsx --conditions=@jobstream/source examples/resume-listing.ts
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as KeyValueStore from "@effect/platform/KeyValueStore"
import { Resume } from "@jobstream/core"
import { GreenArrowClient, GreenArrowProvider } from "@jobstream/greenarrow"
import { GreenArrowSimulator } from "@jobstream/testkit"
import { Effect, Layer, Redacted } from "effect"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const directory = mkdtempSync(join(tmpdir(), "jobstream-checkpoints-"))

const program = Effect.gen(function*() {
  const sim = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 1000 })
  const admin = GreenArrowSimulator.defaultKeys[2]! // the system-admin key: every organization's jobs
  const client = yield* GreenArrowClient.make({
    baseUrl: sim.url,
    auth: { _tag: "Key", organizationId: admin.organizationId, apiKey: Redacted.make(admin.apiKey) },
    pageSize: 100
  })
  const listing = GreenArrowProvider.handle(client).jobsFrom!
  const store = yield* KeyValueStore.KeyValueStore
  const seen = new Set<string>()

  // The first run stops (here: fails on purpose) after 350 jobs.
  const first = yield* Effect.either(Resume.forEach({
    store,
    key: "greenarrow-all",
    listing,
    onJobs: (jobs) =>
      seen.size + jobs.length > 350
        ? Effect.fail("stopped")
        : Effect.sync(() => jobs.forEach((job) => seen.add(job.id)))
  }))
  const checkpoint = yield* Resume.load(store, "greenarrow-all")
  console.log(`first run: ${first._tag === "Left" ? first.left : "done"} after ${seen.size} jobs; checkpoint ${JSON.stringify(checkpoint)}`)

  const before = sim.requestCount
  const second = yield* Resume.forEach({
    store,
    key: "greenarrow-all",
    listing,
    onJobs: (jobs) => Effect.sync(() => jobs.forEach((job) => seen.add(job.id)))
  })
  console.log(
    `second run: ${second.delivered} more jobs in ${sim.requestCount - before} requests; ` +
      `${seen.size} distinct of ${sim.jobs.length}, checkpoint files in ${directory}`
  )
}).pipe(
  Effect.scoped,
  Effect.provide(Layer.mergeAll(FetchHttpClient.layer, KeyValueStore.layerFileSystem(directory).pipe(Layer.provide(NodeContext.layer))))
)

Effect.runPromise(program).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
