/**
 * Properties of InsideView's records and query (fast-check through
 * `@effect/vitest`'s `it.prop`, fixed seeds so failures reproduce):
 * - the record schemas round-trip, and the simulator's wire records
 *   re-encode to something that decodes to the same record;
 * - `InsideViewQuery.validate` accepts exactly the documented domain of each
 *   parameter, and the client refuses the rest before sending anything.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { expect, it, layer } from "@effect/vitest"
import { InsideViewJob, InsideViewQuery } from "@jobstream/insideview"
import { Arbitraries, InsideViewHarness, InsideViewSimulator } from "@jobstream/testkit"
import { Arbitrary, FastCheck as fc } from "effect"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const fastCheck = { seed: 20240611, numRuns: 300 } as const
const { absent, invalid, unknownKey, valid } = Arbitraries

// `creditsConsumed` decodes to a safe integer (IntFromWire); its declared Type is any number, so
// the generated values are kept to the safe integers decoding can produce.
const integral = <A extends { readonly creditsConsumed?: number | undefined }>(j: A): A =>
  j.creditsConsumed === undefined
    ? j
    : { ...j, creditsConsumed: Number.isSafeInteger(Math.trunc(j.creditsConsumed)) ? Math.trunc(j.creditsConsumed) || 0 : 0 }

it.prop("BulkJob: decode(encode(a)) equals a", [Arbitrary.make(InsideViewJob.BulkJob).map(integral)], ([job]) => {
  const encoded = Schema.encodeSync(InsideViewJob.BulkJob)(job)
  expect(Schema.decodeUnknownSync(InsideViewJob.BulkJob)(encoded)).toEqual(job)
}, { fastCheck })

it.prop(
  "BulkJobsPage: decode(encode(a)) equals a",
  [Arbitrary.make(InsideViewJob.BulkJobsPage).map((p) => ({ ...p, bulkJobs: p.bulkJobs.map(integral) }))],
  ([page]) => {
    const encoded = Schema.encodeSync(InsideViewJob.BulkJobsPage)(page)
    expect(Schema.decodeUnknownSync(InsideViewJob.BulkJobsPage)(encoded)).toEqual(page)
  },
  { fastCheck }
)

it("the simulator's wire records decode, re-encode and decode to the same record", () => {
  const wire = InsideViewSimulator.insideViewJobs(500, 3)
  for (const raw of wire) {
    const job = Schema.decodeUnknownSync(InsideViewJob.BulkJob)(raw)
    expect(Schema.decodeUnknownSync(InsideViewJob.BulkJob)(JSON.parse(JSON.stringify(Schema.encodeSync(InsideViewJob.BulkJob)(job))))).toEqual(job)
  }
  expect(wire.length).toBe(500)
})

// --- The query's documented domain -----------------------------------------------

const pad = (n: number) => String(n).padStart(2, "0")

const periodDates = fc.constantFrom("day", "month", "year").chain((period) => {
  const real = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z"), noInvalidDate: true })
  const format = (d: Date) =>
    period === "day"
      ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
      : period === "month"
      ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}`
      : `${d.getUTCFullYear()}`
  const wrongShape = period === "day" ? ["2016-02", "2016", "2016-2-3", "16-02-03"] : period === "month"
    ? ["2016-02-03", "2016", "2016-2", "2016-13"]
    : ["2016-02", "16", "20166"]
  const notReal = period === "day" ? ["2016-02-30", "2015-02-29", "2016-04-31", "2016-00-10"] : period === "month"
    ? ["2016-00", "2016-13"]
    : ["abcd"]
  const date: fc.Arbitrary<Arbitraries.Labeled<string | undefined>> = fc.oneof(
    { weight: 2, arbitrary: absent },
    { weight: 6, arbitrary: valid(real.map(format)) },
    { weight: 1, arbitrary: invalid(fc.constantFrom(...wrongShape, ...notReal)) }
  )
  return fc.tuple(date, date).map(([[start, startOk], [end, endOk]]) => {
    // start after end is outside the domain.
    const ordered = start === undefined || end === undefined || start <= end
    return { period, start, end, ok: startOk && endOk && ordered }
  })
})

const query = fc.record({
  dates: fc.oneof(
    { weight: 3, arbitrary: periodDates },
    { weight: 1, arbitrary: fc.constant({ period: undefined, start: undefined, end: undefined, ok: true }) },
    // start/end without a period, or an unknown period.
    { weight: 1, arbitrary: fc.constant({ period: undefined, start: "2016-01-01", end: undefined, ok: false }) },
    { weight: 1, arbitrary: fc.constantFrom("week", "Day", "").map((period) => ({ period, start: undefined, end: undefined, ok: false })) }
  ),
  rest: Arbitraries.labeled({
    jobStatuses: fc.oneof(
      absent,
      valid(fc.array(fc.constantFrom("notFound", "failed", "accepted", "processing", "finished", "aborted"), { minLength: 1, maxLength: 4 })),
      invalid(fc.constant([])),
      invalid(fc.array(fc.constantFrom("finished", "done", "3", ""), { minLength: 1, maxLength: 3 }).filter((l) => l.some((s) => s !== "finished")))
    ),
    jobTypes: fc.oneof(
      absent,
      valid(fc.array(fc.constantFrom("companyDetails", "contactDetails", "enrich", "contactLookup", "newContactDetails"), { minLength: 1, maxLength: 3 })),
      // The words job records carry are accepted too (those with a filter code).
      valid(fc.array(fc.constantFrom("targetCompanyDetails", "targetContactDetails", "contact", "targetLookup"), { minLength: 1, maxLength: 3 })),
      invalid(fc.constant([])),
      invalid(fc.constantFrom(["familyTree"], ["report"], "enrich"))
    ),
    page: fc.oneof(absent, valid(fc.integer({ min: 1, max: 1_000_000 })), invalid(fc.integer({ min: -5, max: 0 })), invalid(fc.constantFrom(1.5, Number.NaN, Infinity, "2"))),
    resultsPerPage: fc.oneof(absent, valid(fc.integer({ min: 1, max: 50 })), invalid(fc.integer({ min: 51, max: 500 })), invalid(fc.constantFrom(0, -1, 2.5, "10"))),
    resultsperpage: unknownKey
  })
}).map(({ dates, rest }) => {
  const value: Record<string, unknown> = { ...rest.value }
  if (dates.period !== undefined) value["period"] = dates.period
  if (dates.start !== undefined) value["start"] = dates.start
  if (dates.end !== undefined) value["end"] = dates.end
  return { value, ok: rest.ok && dates.ok }
})

it.prop("InsideViewQuery.validate accepts exactly the documented domain", [query], ([{ ok, value }]) => {
  const result = InsideViewQuery.validate(value)
  expect(Either.isRight(result), `${JSON.stringify(value)} → ${Either.isLeft(result) ? result.left : "accepted"}`).toBe(ok)
}, { fastCheck: { ...fastCheck, numRuns: 1000 } })

layer(FetchHttpClient.layer, { excludeTestServices: true })("the client", (it) => {
  it.scoped("refuses a JobsQuery outside the domain before sending anything, and sends the others", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 60 })
      const client = yield* InsideViewHarness.client(sim.url, { variant: "token" })
      const sent = () => sim.requests.filter(InsideViewHarness.isList).length
      const results = yield* Arbitraries.verdicts(fc.sample(query, { seed: 1, numRuns: 80 }), (q) => Stream.runHead(client.jobs(q as InsideViewQuery.JobsQuery)), sent)
      // The simulator may refuse some valid queries on its own grounds; what matters is the client's verdict.
      expect(Arbitraries.misjudged(results)).toEqual([])
      expect(Arbitraries.mixed(results)).toBe(true)
    }))
})
