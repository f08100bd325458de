/**
 * Properties of ICWS's records, query and job configuration (fast-check
 * through `@effect/vitest`'s `it.prop`, fixed seeds so failures reproduce):
 * - the record schemas round-trip (extended and compact dates), and the
 *   simulator's wire records re-encode to something that decodes to the
 *   same record;
 * - the list query and `submitJob` accept exactly the documented domain,
 *   and the client refuses the rest before sending anything.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { expect, it, layer } from "@effect/vitest"
import { IcwsJob, IcwsQuery } from "@jobstream/icws"
import { Arbitraries, IcwsHarness, IcwsSimulator } from "@jobstream/testkit"
import { Arbitrary, FastCheck as fc } from "effect"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"

const fastCheck = { seed: 20240611, numRuns: 300 } as const
const { absent, clampDate, invalid, valid, wireDate } = Arbitraries

/** Dates kept inside the 4-digit-year domain of the wire format. */
const withDates = <A extends Record<string, unknown>>(arb: fc.Arbitrary<A>) =>
  arb.map((a) => {
    const out: Record<string, unknown> = { ...a }
    for (const [k, v] of Object.entries(a)) if (v instanceof Date) out[k] = clampDate(v)
    return out as A
  })

const schemas = [
  ["JobStatus", IcwsJob.JobStatus, withDates(Arbitrary.make(IcwsJob.JobStatus))],
  ["JobConfig", IcwsJob.JobConfig, withDates(Arbitrary.make(IcwsJob.JobConfig))],
  ["JobResponse", IcwsJob.JobResponse, Arbitrary.make(IcwsJob.JobResponse)],
  ["ErrorBody", IcwsJob.ErrorBody, Arbitrary.make(IcwsJob.ErrorBody)]
] as const

for (const [name, schema, arbitrary] of schemas) {
  const codec = schema as Schema.Schema<unknown, unknown>
  it.prop(`${name}: decode(encode(a)) equals a`, [arbitrary as fc.Arbitrary<unknown>], ([a]) => {
    expect(Schema.decodeUnknownSync(codec)(Schema.encodeSync(codec)(a))).toEqual(a)
  }, { fastCheck })
}

it.effect("the simulator's wire records (JobRecord, Jobs) decode, re-encode and decode to the same record", () =>
  Effect.gen(function*() {
    const sim = yield* IcwsSimulator.makeIcws({ jobs: 120 })
    const wire = sim.jobs.map((j) => JSON.parse(JSON.stringify({ jobStatus: j.status, jobConfig: j.config })))
    const again = <A, I>(schema: Schema.Schema<A, I>, raw: unknown) => {
      const decoded = Schema.decodeUnknownSync(schema)(raw)
      expect(Schema.decodeUnknownSync(schema)(JSON.parse(JSON.stringify(Schema.encodeSync(schema)(decoded))))).toEqual(decoded)
    }
    for (const raw of wire) again(IcwsJob.JobRecord, raw)
    again(IcwsJob.Jobs, { jobList: wire })
    expect(wire.length).toBe(120)
  }).pipe(Effect.scoped))

it.prop("dates: both wire forms decode, and what is encoded decodes to the same instant", [wireDate, fc.boolean()], ([d, compact]) => {
  const whole = new Date(Math.floor(d.getTime() / 1000) * 1000)
  const iso = whole.toISOString().replace(/\.\d{3}Z$/, "Z")
  const text = compact ? iso.replace(/[-:]/g, "") : iso
  expect(Schema.decodeSync(IcwsJob.DateTime)(text).getTime()).toBe(whole.getTime())
  expect(Schema.decodeSync(IcwsJob.DateTime)(Schema.encodeSync(IcwsJob.DateTime)(d)).getTime()).toBe(d.getTime())
}, { fastCheck })

// --- The documented domains --------------------------------------------------------

const query = Arbitraries.labeled({
  mode: fc.oneof(absent, valid(fc.constantFrom("configuration", "status", "all")), invalid(fc.constantFrom("full", "", "Status"))),
  jobCount: fc.oneof(absent, valid(fc.integer({ min: 1, max: 10_000 })), invalid(fc.integer({ min: 10_001, max: 100_000 })), invalid(fc.constantFrom(0, -1, 2.5, "10"))),
  fromJobId: Arbitraries.unknownKey
})

const nonBlank = fc.stringMatching(/^[a-z][a-z0-9 ]{0,10}$/)
const blank = fc.constantFrom("", " ", "\t")
const source = fc.record({
  name: fc.oneof(valid(nonBlank), invalid(blank)),
  columns: fc.array(fc.oneof({ weight: 5, arbitrary: valid(nonBlank) }, { weight: 1, arbitrary: invalid(blank) }), { maxLength: 3 })
}).map(({ columns, name }) => ({
  value: { name: name[0], column: columns.map(([c]) => ({ name: c })) },
  ok: name[1] && columns.every(([, ok]) => ok)
}))

const config = fc.record({
  name: fc.oneof({ weight: 4, arbitrary: valid(nonBlank) }, { weight: 1, arbitrary: invalid(blank) }),
  user: fc.oneof({ weight: 4, arbitrary: valid(fc.constant("agent")) }, { weight: 1, arbitrary: invalid(blank) }),
  tables: fc.option(fc.array(source, { maxLength: 2 }), { nil: undefined }),
  window: fc.option(fc.tuple(wireDate, wireDate), { nil: undefined })
}).map(({ name, tables, user, window }) => {
  const value: IcwsJob.JobConfig = {
    name: name[0],
    submittedUserId: user[0],
    ...(tables !== undefined ? { tables: { tableList: tables.map((t) => t.value) } } : {}),
    ...(window !== undefined ? { startTimeFilter: window[0], endTimeFilter: window[1] } : {})
  }
  const ok = name[1] && user[1] && (tables ?? []).every((t) => t.ok) &&
    (window === undefined || window[0].getTime() <= window[1].getTime())
  return { value, ok }
})

it.prop("JobsQuery, as the client decodes it (unknown keys refused), is exactly the documented domain", [query], ([{ ok, value }]) => {
  const decode = Schema.decodeUnknownEither(IcwsQuery.JobsQuery, { onExcessProperty: "error" })
  expect(Either.isRight(decode(value)), JSON.stringify(value)).toBe(ok)
}, { fastCheck: { ...fastCheck, numRuns: 1000 } })

layer(FetchHttpClient.layer, { excludeTestServices: true })("the client", (it) => {
  const isSubmit = (r: { readonly method: string; readonly path: string }) => r.method === "POST" && r.path.endsWith("/data-extractor/jobs")

  it.scoped("refuses a list query outside the domain before sending anything", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 30 })
      const client = yield* IcwsHarness.client(sim.url)
      const results = yield* Arbitraries.verdicts(
        fc.sample(query, { seed: 3, numRuns: 40 }),
        (q) => Stream.runHead(client.jobs(q as IcwsQuery.JobsQuery)),
        () => sim.requests.filter(IcwsHarness.isList).length
      )
      expect(Arbitraries.misjudged(results)).toEqual([])
      expect(Arbitraries.mixed(results)).toBe(true)
    }))

  it.scoped("submitJob accepts exactly the valid JobConfigs, and sends nothing otherwise", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      const client = yield* IcwsHarness.client(sim.url)
      const results = yield* Arbitraries.verdicts(
        fc.sample(config, { seed: 4, numRuns: 60 }),
        (value) => client.submitJob(value as IcwsJob.JobConfig),
        () => sim.requests.filter(isSubmit).length
      )
      expect(Arbitraries.misjudged(results, { strict: true })).toEqual([])
      expect(results.filter((r) => r.ok).every((r) => r.sent)).toBe(true)
      expect(Arbitraries.mixed(results)).toBe(true)
    }))
})
