/**
 * Properties (fast-check through `effect`'s FastCheck/Arbitrary), with fixed
 * seeds so failures reproduce:
 * - every record schema round-trips: decode(encode(a)) equals a for generated
 *   records, and records decoded from the simulators' wire data re-encode to
 *   something that decodes to the same record;
 * - query validation accepts exactly the documented domain of each parameter
 *   (generated values carry a label "valid per the docs", and the validator
 *   — and the client, before sending anything — must agree with the label).
 */
import { describe, expect, it } from "@effect/vitest"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { GreenArrowJob, GreenArrowQuery } from "@jobstream/greenarrow"
import { IcwsJob } from "@jobstream/icws"
import { BulkJob, JobsQuery } from "@jobstream/insideview"
import { GreenArrowSimulator, IcwsSimulator, InsideViewSimulator } from "@jobstream/testkit"
import { Arbitrary, FastCheck as fc } from "effect"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { greenArrowClient, icwsClient, insideViewClient, isGreenArrowList, isIcwsList, isInsideViewList, live } from "./support.js"

const params = { seed: 20240611, numRuns: 300 } as const

/** decode(encode(a)) deep-equals a, for every generated a. */
const roundTrips = <A, I>(schema: Schema.Schema<A, I, never>, arbitrary: fc.Arbitrary<A> = Arbitrary.make(schema)) => {
  const encode = Schema.encodeSync(schema)
  const decode = Schema.decodeUnknownSync(schema)
  fc.assert(
    fc.property(arbitrary, (a) => {
      const encoded = encode(a)
      const decoded = decode(encoded)
      expect(decoded).toEqual(a)
      expect(encode(decoded)).toEqual(encoded)
    }),
    params
  )
}

/** A wire record decodes to a, a re-encodes, and that decodes to a again. */
const reencodes = <A, I>(schema: Schema.Schema<A, I, never>, wire: ReadonlyArray<unknown>) => {
  const decode = Schema.decodeUnknownSync(schema)
  const encode = Schema.encodeSync(schema)
  expect(wire.length).toBeGreaterThan(0)
  for (const raw of wire) {
    const a = decode(raw)
    const again = decode(JSON.parse(JSON.stringify(encode(a))))
    expect(again).toEqual(a)
  }
}

/** Dates every schema can write and read back (years 1000–9999, whole milliseconds). */
const wireDate = fc.date({ min: new Date("1000-01-01T00:00:00.000Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true })

describe("round trips: every record schema", () => {
  it("insideview BulkJob and BulkJobsPage", () => {
    // `creditsConsumed` decodes to a safe integer (IntFromWire); its declared Type is any number, so
    // the generated values are kept to the safe integers decoding can produce (see the report).
    const integral = <A extends { readonly creditsConsumed?: number | undefined }>(j: A): A =>
      j.creditsConsumed === undefined
        ? j
        : { ...j, creditsConsumed: Number.isSafeInteger(Math.trunc(j.creditsConsumed)) ? Math.trunc(j.creditsConsumed) || 0 : 0 }
    roundTrips(BulkJob.BulkJob, Arbitrary.make(BulkJob.BulkJob).map(integral))
    roundTrips(
      BulkJob.BulkJobsPage,
      Arbitrary.make(BulkJob.BulkJobsPage).map((p) => ({ ...p, bulkJobs: p.bulkJobs.map(integral) }))
    )
    reencodes(BulkJob.BulkJob, InsideViewSimulator.insideViewJobs(500, 3))
  })

  it("greenarrow GreenArrowJob (timestamps with any offset re-encode as UTC and decode to the same instant)", () => {
    // Timestamps are kept to the documented domain: ISO 8601 with a zone, 4-digit years.
    const job = Arbitrary.make(GreenArrowJob.GreenArrowJob)
    roundTrips(
      GreenArrowJob.GreenArrowJob,
      job.map((j) =>
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
    )
    reencodes(GreenArrowJob.GreenArrowJob, GreenArrowSimulator.greenArrowJobs(500, 3))
  })

  it("greenarrow: any Date in the 4-digit-year range survives encode → decode", () => {
    const ts = GreenArrowJob.Timestamp
    fc.assert(
      fc.property(wireDate, (d) => {
        expect(Schema.decodeSync(ts)(Schema.encodeSync(ts)(d)).getTime()).toBe(d.getTime())
      }),
      params
    )
  })

  it.live("icws JobStatus, JobConfig, JobRecord, Jobs (extended and compact dates)", () =>
    Effect.gen(function*() {
      const withDates = <A extends Record<string, unknown>>(arb: fc.Arbitrary<A>) =>
        arb.map((a) => {
          const out: Record<string, unknown> = { ...a }
          for (const [k, v] of Object.entries(a)) if (v instanceof Date) out[k] = clampDate(v)
          return out as A
        })
      roundTrips(IcwsJob.JobStatus, withDates(Arbitrary.make(IcwsJob.JobStatus)))
      roundTrips(IcwsJob.JobConfig, withDates(Arbitrary.make(IcwsJob.JobConfig)))
      roundTrips(IcwsJob.JobResponse)
      roundTrips(IcwsJob.ErrorBody)
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 120 })
      const wire = sim.jobs.map((j) => JSON.parse(JSON.stringify({ jobStatus: j.status, jobConfig: j.config })))
      reencodes(IcwsJob.JobRecord, wire)
      reencodes(IcwsJob.Jobs, [{ jobList: wire }])
    }).pipe(Effect.scoped))

  it("icws dates: both wire forms decode, and what is encoded decodes to the same instant", () => {
    fc.assert(
      fc.property(wireDate, fc.boolean(), (d, compact) => {
        const whole = new Date(Math.floor(d.getTime() / 1000) * 1000)
        const iso = whole.toISOString().replace(/\.\d{3}Z$/, "Z")
        const text = compact ? iso.replace(/[-:]/g, "") : iso
        const decoded = Schema.decodeSync(IcwsJob.DateTime)(text)
        expect(decoded.getTime()).toBe(whole.getTime())
        expect(Schema.decodeSync(IcwsJob.DateTime)(Schema.encodeSync(IcwsJob.DateTime)(d)).getTime()).toBe(d.getTime())
      }),
      params
    )
  })
})

/** Keeps a generated Date inside the documented 4-digit-year domain of the wire formats. */
const clampDate = (d: Date): Date => {
  const t = d.getTime()
  if (Number.isNaN(t)) return new Date(0)
  const min = Date.UTC(1000, 0, 1)
  const max = Date.UTC(9999, 11, 31, 23, 59, 59, 999)
  return new Date(Math.min(max, Math.max(min, t)))
}

// ---------------------------------------------------------------------------
// Query domains: generated values labelled valid/invalid per the documentation

type Labeled<A> = readonly [value: A, valid: boolean]
const valid = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<Labeled<A>> => arb.map((v) => [v, true] as const)
const invalid = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<Labeled<A>> => arb.map((v) => [v, false] as const)
const absent: fc.Arbitrary<Labeled<undefined>> = fc.constant([undefined, true] as const)

/** An object from labelled fields (absent ones left out) and whether all were valid. */
const record = (fields: Record<string, fc.Arbitrary<Labeled<unknown>>>) =>
  fc.record(fields).map((entries) => {
    const value: Record<string, unknown> = {}
    let ok = true
    for (const [key, [v, isValid]] of Object.entries(entries)) {
      if (v !== undefined) value[key] = v
      ok = ok && isValid
    }
    return { value, ok }
  })

const extraKey = fc.oneof(
  { weight: 5, arbitrary: absent },
  { weight: 1, arbitrary: invalid(fc.constantFrom("x", 1, true)) }
)

const pad = (n: number, width: number) => String(n).padStart(width, "0")

// --- InsideView JobsQuery ---------------------------------------------------------

const ivPeriodDates = fc.constantFrom("day", "month", "year").chain((period) => {
  const real = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2030-12-31T00:00:00Z"), noInvalidDate: true })
  const format = (d: Date) =>
    period === "day"
      ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`
      : period === "month"
      ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}`
      : `${d.getUTCFullYear()}`
  const wrongShape = period === "day" ? ["2016-02", "2016", "2016-2-3", "16-02-03"] : period === "month"
    ? ["2016-02-03", "2016", "2016-2", "2016-13"]
    : ["2016-02", "16", "20166"]
  const notReal = period === "day" ? ["2016-02-30", "2015-02-29", "2016-04-31", "2016-00-10"] : period === "month"
    ? ["2016-00", "2016-13"]
    : ["abcd"]
  const dateArb: fc.Arbitrary<Labeled<string | undefined>> = fc.oneof(
    { weight: 2, arbitrary: absent },
    { weight: 6, arbitrary: valid(real.map(format)) },
    { weight: 1, arbitrary: invalid(fc.constantFrom(...wrongShape, ...notReal)) }
  )
  return fc.tuple(dateArb, dateArb).map(([[start, startOk], [end, endOk]]) => {
    // start after end is outside the domain.
    const ordered = start === undefined || end === undefined || start <= end
    return { period, start, end, ok: startOk && endOk && ordered }
  })
})

const ivQuery = fc.record({
  dates: fc.oneof(
    { weight: 3, arbitrary: ivPeriodDates },
    { weight: 1, arbitrary: fc.constant({ period: undefined, start: undefined, end: undefined, ok: true }) },
    // start/end without a period, or an unknown period.
    { weight: 1, arbitrary: fc.constant({ period: undefined, start: "2016-01-01", end: undefined, ok: false }) },
    { weight: 1, arbitrary: fc.constantFrom("week", "Day", "").map((period) => ({ period, start: undefined, end: undefined, ok: false })) }
  ),
  rest: record({
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
    resultsperpage: extraKey
  })
}).map(({ dates, rest }) => {
  const value: Record<string, unknown> = { ...rest.value }
  if (dates.period !== undefined) value["period"] = dates.period
  if (dates.start !== undefined) value["start"] = dates.start
  if (dates.end !== undefined) value["end"] = dates.end
  return { value, ok: rest.ok && dates.ok }
})

// --- GreenArrow query -------------------------------------------------------------

const gaTime: fc.Arbitrary<Labeled<unknown>> = fc.oneof(
  { weight: 3, arbitrary: absent },
  { weight: 2, arbitrary: valid(wireDate) },
  { weight: 2, arbitrary: valid(wireDate.map((d) => d.toISOString())) },
  {
    weight: 1,
    arbitrary: valid(fc.tuple(wireDate, fc.integer({ min: -12, max: 14 })).map(([d, h]) =>
      `${d.toISOString().slice(0, 19)}${h < 0 ? "-" : "+"}${pad(Math.abs(h), 2)}:00`
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

const gaList: fc.Arbitrary<Labeled<unknown>> = fc.oneof(
  absent,
  valid(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== "")),
  valid(fc.array(fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim() !== ""), { minLength: 1, maxLength: 3 })),
  invalid(fc.constantFrom("", "   ", [], ["ok", " "], 5))
)

const gaQuery = record({
  scope: fc.oneof(
    absent,
    valid(fc.constantFrom({ _tag: "Own" }, { _tag: "AllOrganizations" })),
    valid(fc.oneof(fc.integer({ min: 1, max: 99_999 }), fc.integer({ min: 0, max: 99_999 }).map(String)).map((organizationId) => ({ _tag: "Organization", organizationId }))),
    invalid(fc.constantFrom({ _tag: "Organization", organizationId: 0 }, { _tag: "Organization", organizationId: -3 }, { _tag: "Organization", organizationId: "12a" }, { _tag: "Organization", organizationId: 1.5 }, { _tag: "Mine" }))
  ),
  which: fc.oneof(absent, valid(fc.constantFrom("all", "unfinished")), invalid(fc.constantFrom("finished", "ALL", ""))),
  beginsAfter: gaTime,
  beginsBefore: gaTime,
  finishedAfter: gaTime,
  finishedBefore: gaTime,
  state: gaList,
  jobType: gaList,
  perPage: fc.oneof(absent, valid(fc.integer({ min: 1, max: 2000 })), invalid(fc.integer({ min: 2001, max: 10_000 })), invalid(fc.constantFrom(0, -1, 10.5))),
  maxPages: fc.oneof(absent, valid(fc.integer({ min: 1, max: 1000 })), invalid(fc.constantFrom(0, -2, 1.5))),
  per_page: extraKey
})

// --- ICWS query and job configuration ---------------------------------------------

const icwsQuery = record({
  mode: fc.oneof(absent, valid(fc.constantFrom("configuration", "status", "all")), invalid(fc.constantFrom("full", "", "Status"))),
  jobCount: fc.oneof(absent, valid(fc.integer({ min: 1, max: 10_000 })), invalid(fc.integer({ min: 10_001, max: 100_000 })), invalid(fc.constantFrom(0, -1, 2.5, "10"))),
  fromJobId: extraKey
})

const nonBlank = fc.stringMatching(/^[a-z][a-z0-9 ]{0,10}$/)
const blank = fc.constantFrom("", " ", "\t")
const icwsSource = fc.record({
  name: fc.oneof(valid(nonBlank), invalid(blank)),
  columns: fc.array(fc.oneof({ weight: 5, arbitrary: valid(nonBlank) }, { weight: 1, arbitrary: invalid(blank) }), { maxLength: 3 })
}).map(({ columns, name }) => ({
  value: { name: name[0], column: columns.map(([c]) => ({ name: c })) },
  ok: name[1] && columns.every(([, ok]) => ok)
}))

const icwsConfig = fc.record({
  name: fc.oneof({ weight: 4, arbitrary: valid(nonBlank) }, { weight: 1, arbitrary: invalid(blank) }),
  user: fc.oneof({ weight: 4, arbitrary: valid(fc.constant("agent")) }, { weight: 1, arbitrary: invalid(blank) }),
  tables: fc.option(fc.array(icwsSource, { maxLength: 2 }), { nil: undefined }),
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

describe("query validation accepts exactly the documented domain", () => {
  it("insideview JobsQuery.validate", () => {
    fc.assert(
      fc.property(ivQuery, ({ ok, value }) => {
        const result = JobsQuery.validate(value)
        expect(Either.isRight(result), `${JSON.stringify(value)} → ${Either.isLeft(result) ? result.left : "accepted"}`).toBe(ok)
      }),
      { ...params, numRuns: 1000 }
    )
  })

  it("greenarrow GreenArrowQuery.resolve", () => {
    fc.assert(
      fc.property(gaQuery, ({ ok, value }) => {
        const result = GreenArrowQuery.resolve(value, { perPage: 2000, arrayEncoding: "brackets" })
        expect(Either.isRight(result), `${JSON.stringify(value)} → ${Either.isLeft(result) ? result.left : "accepted"}`).toBe(ok)
      }),
      { ...params, numRuns: 1000 }
    )
  })

  it.live("the clients enforce it before sending anything (insideview, greenarrow, icws query)", () =>
    Effect.gen(function*() {
      const iv = yield* InsideViewSimulator.makeInsideView({ jobs: 60 })
      const ga = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 60 })
      const ic = yield* IcwsSimulator.makeIcws({ jobs: 30 })
      const knobs = { retryPolicy: RetryPolicy.none, insideViewAuth: "token" } as const
      const ivc = yield* insideViewClient(iv, knobs)
      const gac = yield* greenArrowClient(ga, knobs)
      const icc = yield* icwsClient(ic, knobs)
      const cases: ReadonlyArray<{
        readonly name: string
        readonly samples: ReadonlyArray<{ readonly ok: boolean; readonly value: unknown }>
        readonly sent: () => number
        readonly run: (q: unknown) => Effect.Effect<unknown, ApiError.ApiError>
      }> = [
        { name: "insideview", samples: fc.sample(ivQuery, { seed: 1, numRuns: 80 }), sent: () => iv.requests.filter(isInsideViewList).length, run: (q: unknown) => Stream.runHead(ivc.jobs(q as JobsQuery.JobsQuery)) },
        { name: "greenarrow", samples: fc.sample(gaQuery, { seed: 2, numRuns: 80 }), sent: () => ga.requests.filter(isGreenArrowList).length, run: (q: unknown) => Stream.runHead(gac.jobs(q as GreenArrowQuery.JobsQuery)) },
        { name: "icws", samples: fc.sample(icwsQuery, { seed: 3, numRuns: 40 }), sent: () => ic.requests.filter(isIcwsList).length, run: (q: unknown) => Stream.runHead(icc.jobs(q as IcwsJob.JobsQuery)) }
      ]
      for (const c of cases) {
        let validSeen = 0
        for (const { ok, value } of c.samples) {
          const before = c.sent()
          const exit = yield* Effect.exit(c.run(value))
          const tag = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error._tag : "ok"
          // The simulators may still refuse some valid queries on their own grounds (e.g. an
          // organization they do not know); what matters is the client's own verdict.
          expect(tag === "InvalidRequest", `${c.name} ${JSON.stringify(value)}: ${tag}`).toBe(!ok)
          if (!ok) expect(c.sent()).toBe(before)
          else validSeen++
        }
        expect(validSeen, c.name).toBeGreaterThan(0)
        expect(validSeen).toBeLessThan(c.samples.length)
      }
    }).pipe(Effect.scoped, Effect.provide(live)), 30_000)

  it("icws JobsQuery, as the client decodes it (unknown keys refused)", () => {
    const decode = Schema.decodeUnknownEither(IcwsJob.JobsQuery, { onExcessProperty: "error" })
    fc.assert(
      fc.property(icwsQuery, ({ ok, value }) => {
        expect(Either.isRight(decode(value)), JSON.stringify(value)).toBe(ok)
      }),
      { ...params, numRuns: 1000 }
    )
  })

  it.live("icws submitJob accepts exactly the valid JobConfigs (and sends nothing otherwise)", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      const client = yield* icwsClient(sim, { retryPolicy: RetryPolicy.none })
      const posts = () => sim.requests.filter((r) => r.method === "POST" && r.path.endsWith("/data-extractor/jobs")).length
      let accepted = 0
      for (const { ok, value } of fc.sample(icwsConfig, { seed: 4, numRuns: 60 })) {
        const before = posts()
        const exit = yield* Effect.exit(client.submitJob(value))
        const tag = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error._tag : "ok"
        expect(tag === "InvalidRequest", `${JSON.stringify(value)}: ${tag}`).toBe(!ok)
        if (ok) {
          expect(tag).toBe("ok")
          expect(posts()).toBe(before + 1)
          accepted++
        } else {
          expect(posts()).toBe(before)
        }
      }
      expect(accepted).toBeGreaterThan(0)
      expect(accepted).toBeLessThan(60)
    }).pipe(Effect.scoped, Effect.provide(live)))
})
