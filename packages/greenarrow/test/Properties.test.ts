/**
 * Properties of GreenArrow's records and query (fast-check through
 * `@effect/vitest`'s `it.prop`, fixed seeds so failures reproduce):
 * - `GreenArrowJob` round-trips (timestamps with any offset re-encode as UTC
 *   and decode to the same instant), and so do the simulator's wire records;
 * - `GreenArrowQuery.resolve` accepts exactly the documented domain, and the
 *   client refuses the rest before sending anything.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { expect, it, layer } from "@effect/vitest"
import { GreenArrowJob, GreenArrowQuery } from "@jobstream/greenarrow"
import { Arbitraries, GreenArrowHarness, GreenArrowSimulator } from "@jobstream/testkit"
import { Arbitrary, FastCheck as fc } from "effect"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const fastCheck = { seed: 20240611, numRuns: 300 } as const
const { absent, clampDate, invalid, valid, wireDate } = Arbitraries

// Timestamps are kept to the documented domain: ISO 8601 with a zone, 4-digit years.
const job = Arbitrary.make(GreenArrowJob.GreenArrowJob).map((j) =>
  new GreenArrowJob.GreenArrowJob({
    ...j,
    begins_at: j.begins_at === null ? null : clampDate(j.begins_at),
    started_at: j.started_at === null ? null : clampDate(j.started_at),
    finished_at: j.finished_at === null ? null : clampDate(j.finished_at),
    created_at: j.created_at === null ? null : clampDate(j.created_at),
    retry_at: j.retry_at === null ? null : clampDate(j.retry_at),
    updated_at: j.updated_at === null ? null : clampDate(j.updated_at)
  })
)

it.prop("GreenArrowJob: decode(encode(a)) equals a", [job], ([a]) => {
  const encoded = Schema.encodeSync(GreenArrowJob.GreenArrowJob)(a)
  expect(Schema.decodeUnknownSync(GreenArrowJob.GreenArrowJob)(encoded)).toEqual(a)
}, { fastCheck })

it.prop("any Date in the 4-digit-year range survives encode → decode", [wireDate], ([d]) => {
  const ts = GreenArrowJob.Timestamp
  expect(Schema.decodeSync(ts)(Schema.encodeSync(ts)(d)).getTime()).toBe(d.getTime())
}, { fastCheck })

it("the simulator's wire records decode, re-encode and decode to the same record", () => {
  const wire = GreenArrowSimulator.greenArrowJobs(500, 3)
  for (const raw of wire) {
    const decoded = Schema.decodeUnknownSync(GreenArrowJob.GreenArrowJob)(raw)
    const again = JSON.parse(JSON.stringify(Schema.encodeSync(GreenArrowJob.GreenArrowJob)(decoded)))
    expect(Schema.decodeUnknownSync(GreenArrowJob.GreenArrowJob)(again)).toEqual(decoded)
  }
  expect(wire.length).toBe(500)
})

// --- The query's documented domain -----------------------------------------------

const pad = (n: number) => String(n).padStart(2, "0")

const time: fc.Arbitrary<Arbitraries.Labeled<unknown>> = fc.oneof(
  { weight: 3, arbitrary: absent },
  { weight: 2, arbitrary: valid(wireDate) },
  { weight: 2, arbitrary: valid(wireDate.map((d) => d.toISOString())) },
  {
    weight: 1,
    arbitrary: valid(fc.tuple(wireDate, fc.integer({ min: -12, max: 14 })).map(([d, h]) =>
      `${d.toISOString().slice(0, 19)}${h < 0 ? "-" : "+"}${pad(Math.abs(h))}:00`
    ))
  },
  { weight: 1, arbitrary: valid(wireDate.map((d) => d.toISOString().slice(0, 10))) },
  // UNIX seconds, as the API takes them: a number or a string of digits.
  { weight: 1, arbitrary: valid(fc.oneof(fc.integer({ min: 0, max: 2_000_000_000 }), fc.constant("1714557600"))) },
  {
    weight: 2,
    arbitrary: invalid(
      fc.constantFrom("2024-05-01T10:00:00", "2024-02-30", "2014-02-30T10:00:00Z", "yesterday", "", "2024-13-01T00:00:00Z", -1, 1.5, 1_714_557_600_000, new Date(Number.NaN))
    )
  }
)

const list: fc.Arbitrary<Arbitraries.Labeled<unknown>> = fc.oneof(
  absent,
  valid(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== "")),
  valid(fc.array(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== ""), { minLength: 1, maxLength: 3 })),
  invalid(fc.constantFrom("", "   ", [], ["ok", " "], 5))
)

const query = Arbitraries.labeled({
  scope: fc.oneof(
    absent,
    valid(fc.constantFrom({ _tag: "Own" }, { _tag: "AllOrganizations" })),
    valid(fc.oneof(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 0, max: 99_999 }).map(String)).map((organizationId) => ({ _tag: "Organization", organizationId }))),
    invalid(fc.constantFrom({ _tag: "Organization", organizationId: 0 }, { _tag: "Organization", organizationId: -3 }, { _tag: "Organization", organizationId: "12a" }, { _tag: "Organization", organizationId: 1.5 }, { _tag: "Mine" }))
  ),
  which: fc.oneof(absent, valid(fc.constantFrom("all", "unfinished")), invalid(fc.constantFrom("finished", "ALL", ""))),
  beginsAfter: time,
  beginsBefore: time,
  finishedAfter: time,
  finishedBefore: time,
  state: list,
  jobType: list,
  perPage: fc.oneof(absent, valid(fc.integer({ min: 1, max: 2000 })), invalid(fc.integer({ min: 2001, max: 10_000 })), invalid(fc.constantFrom(0, -1, 10.5))),
  maxPages: fc.oneof(absent, valid(fc.integer({ min: 1, max: 1000 })), invalid(fc.constantFrom(0, -2, 1.5))),
  per_page: Arbitraries.unknownKey
})

it.prop("GreenArrowQuery.resolve accepts exactly the documented domain", [query], ([{ ok, value }]) => {
  const result = GreenArrowQuery.resolve(value, { perPage: 2000, arrayEncoding: "brackets" })
  expect(Either.isRight(result), `${JSON.stringify(value)} → ${Either.isLeft(result) ? result.left : "accepted"}`).toBe(ok)
}, { fastCheck: { ...fastCheck, numRuns: 1000 } })

layer(FetchHttpClient.layer, { excludeTestServices: true })("the GreenArrow client", (it) => {
  it.scoped("refuses a GreenArrowQuery outside the domain before sending anything, and sends the others", () =>
    Effect.gen(function*() {
      const sim = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 60 })
      const client = yield* GreenArrowHarness.client(sim.url)
      const sent = () => sim.requests.filter(GreenArrowHarness.isList).length
      const results = yield* Arbitraries.verdicts(fc.sample(query, { seed: 2, numRuns: 80 }), (q) => Stream.runHead(client.jobs(q as GreenArrowQuery.JobsQuery)), sent)
      // The simulator may refuse some valid queries on its own grounds; what matters is the client's verdict.
      expect(Arbitraries.misjudged(results)).toEqual([])
      expect(Arbitraries.mixed(results)).toBe(true)
    }))
})
