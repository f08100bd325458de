/**
 * AllJobs over the real client of every registered provider, each talking
 * HTTP to its simulator: per-provider order, provider and status filters,
 * fail-fast with the failing provider's typed error, and settled mode.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { expect, layer } from "@effect/vitest"
import { AllJobs, type Job, Provider } from "@jobstream/core"
import { Capture, Faults, Harness, Registry } from "@jobstream/testkit"
import { Chunk, Effect, Layer, Stream } from "effect"

const entries = Registry.providers

/** Pages of at most 25 jobs, so every listing is several pages. */
const pageSize = (entry: Harness.Entry) => Math.min(25, entry.defaultPageSize)

/**
 * Every provider's simulator (closed with the scope) and the AllJobs layer
 * over their clients; `knobs` and `options` per provider.
 */
const setup = (
  options: (entry: Harness.Entry) => Harness.StartOptions = () => ({}),
  knobs: (entry: Harness.Entry) => Harness.Knobs = () => ({})
) =>
  Effect.gen(function*() {
    const { running } = yield* Harness.startAll(entries, (entry) => ({ jobs: 4 * pageSize(entry) + 3, ...options(entry) }))
    const clients = yield* Effect.forEach(running, (r) => r.client({ pageSize: pageSize(r.entry), ...knobs(r.entry) }))
    const layer = Layer.succeed(AllJobs.AllJobs, AllJobs.make(clients.map(Provider.source)))
    return { running, layer }
  })

const idsOf = (jobs: ReadonlyArray<Job.Job>, provider: string) => jobs.filter((j) => j.provider === provider).map((j) => j.id)

layer(FetchHttpClient.layer, { excludeTestServices: true })("AllJobs over every registered provider", (it) => {
  it.scoped("merges every job, keeping each provider's own order; providers interleave", () =>
    Effect.gen(function*() {
      // Ten pages each, a little latency: one provider cannot finish before another has started.
      const s = yield* setup((entry) => ({ jobs: 10 * pageSize(entry) + 3, latency: { millis: 2 } }))
      const jobs = yield* Capture.collect(AllJobs.jobs()).pipe(Effect.provide(s.layer))
      expect(jobs).toHaveLength(s.running.reduce((n, r) => n + r.expectedIds().length, 0))
      for (const r of s.running) expect(idsOf(jobs, r.entry.provider.name)).toEqual(r.expectedIds())
      // Concurrent: the last provider to start did so before the others had all finished.
      const first = s.running.map((r) => jobs.findIndex((j) => j.provider === r.entry.provider.name))
      const last = s.running[first.indexOf(Math.max(...first))]!
      expect(Math.max(...first)).toBeLessThan(jobs.length - last.expectedIds().length)
    }))

  it.scoped("filters by provider without calling the others, and by normalized status", () =>
    Effect.gen(function*() {
      const s = yield* setup()
      const all = yield* Capture.collect(AllJobs.jobs()).pipe(Effect.provide(s.layer))
      const [skipped, ...rest] = s.running
      const before = skipped!.server.requestCount
      const names = rest.map((r) => r.entry.provider.name)
      const some = yield* Capture.collect(AllJobs.jobs({ providers: names })).pipe(Effect.provide(s.layer))
      expect(new Set(some.map((j) => j.provider))).toEqual(new Set(names))
      expect(some).toHaveLength(rest.reduce((n, r) => n + r.expectedIds().length, 0))
      expect(skipped!.server.requestCount).toBe(before)

      const statuses: ReadonlyArray<Job.Status> = ["failed", "canceled"]
      const ended = yield* Capture.collect(AllJobs.jobs({ statuses })).pipe(Effect.provide(s.layer))
      const expected = all.filter((j) => statuses.includes(j.status))
      expect(expected.length).toBeGreaterThan(0)
      expect(ended.map((j) => `${j.provider}/${j.id}`).sort()).toEqual(expected.map((j) => `${j.provider}/${j.id}`).sort())
    }))

  for (const failing of entries) {
    const name = failing.provider.name
    it.scoped(`fails fast with ${name}'s typed error and stops the others`, () =>
      Effect.gen(function*() {
        const pages = 50
        const s = yield* setup((entry) =>
          entry === failing
            ? { faults: [{ fault: Faults.status(500), match: entry.isList }] }
            : { jobs: pages * pageSize(entry), latency: { millis: 10 } }
        )
        const error = yield* Stream.runDrain(AllJobs.jobs()).pipe(Effect.provide(s.layer), Effect.flip)
        expect(error._tag).toBe("ServerError")
        expect(error.provider).toBe(name)
        // The others' walks of 50 pages were stopped early.
        for (const r of s.running) if (r.entry !== failing) expect(Harness.listCount(r)).toBeLessThan(pages)
      }))

    it.scoped(`settled: reports ${name}'s failure as a value and completes the other providers`, () =>
      Effect.gen(function*() {
        const s = yield* setup(() => ({}), (entry) => ({ wrongCredentials: entry === failing }))
        const out = Chunk.toReadonlyArray(yield* Stream.runCollect(AllJobs.settled()).pipe(Effect.provide(s.layer)))
        const failures = out.filter((e): e is AllJobs.ProviderFailure => e._tag === "ProviderFailure")
        const jobs = out.flatMap((e) => (e._tag === "Job" ? [e.job] : []))
        expect(failures.map((f) => f.provider)).toEqual([name])
        for (const r of s.running) {
          expect(idsOf(jobs, r.entry.provider.name)).toEqual(r.entry === failing ? [] : r.expectedIds())
        }
        // The same configuration fails fast without settled, with the same error.
        const error = yield* Stream.runDrain(AllJobs.jobs()).pipe(Effect.provide(s.layer), Effect.flip)
        expect(error._tag).toBe(failures[0]!.error._tag)
        expect(error.provider).toBe(name)
      }))
  }
})
