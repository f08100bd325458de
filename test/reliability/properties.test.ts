/**
 * Properties every registered provider must have, checked over generated
 * datasets (fast-check through `@effect/vitest`'s `it.prop`, fixed seeds so
 * failures reproduce): whatever the seeded dataset, every record the
 * provider's client streams normalizes to a valid `Job` of that provider,
 * with a unique id, and its JSON form decodes as `Job.JobJson`.
 *
 * The properties of each provider's own records and query domains live
 * with the provider (`packages/<provider>/test/Properties.test.ts`).
 */
import { expect, layer } from "@effect/vitest"
import { Job } from "@jobstream/core"
import { Harness } from "@jobstream/testkit"
import { FastCheck as fc } from "effect"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { collect, entries, live } from "./support.js"

const isJob = Schema.is(Job.Job)
const isJobJson = Schema.is(Job.JobJson)

layer(live, { excludeTestServices: true })("normalized jobs of every provider", (it) => {
  for (const entry of entries) {
    const name = entry.provider.name
    it.scoped.prop(
      `${name}: any seeded dataset streams as valid, unique Jobs of "${name}"`,
      [fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 60 })],
      ([seed, jobs]) =>
        Effect.gen(function*() {
          const running = yield* entry.start({ jobs, seed })
          const got = yield* collect(Harness.jobs(running))
          expect(got.map((j) => j.id)).toEqual(running.expectedIds())
          for (const job of got) {
            expect(isJob(job), JSON.stringify(Job.toJson(job))).toBe(true)
            expect(job.provider).toBe(name)
            expect(job.providerStatus.length).toBeGreaterThan(0)
            expect(isJobJson(JSON.parse(JSON.stringify(Job.toJson(job))))).toBe(true)
            if (job.startedAt !== null && job.finishedAt !== null) {
              expect(job.finishedAt.getTime()).toBeGreaterThanOrEqual(job.startedAt.getTime())
            }
          }
          expect(new Set(got.map((j) => j.id)).size).toBe(got.length)
        }),
      { fastCheck: { seed: 20240611, numRuns: 12 } }
    )
  }
})
