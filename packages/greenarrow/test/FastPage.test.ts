/**
 * The listing decoder's fast path (`src/internal/fastPage.ts`) against the
 * Schemas it stands in for (`decodePageWithSchemas`): on generated and
 * mutated envelopes it must either give exactly the Schemas' page (same jobs,
 * same key order, same instants) or step aside; it must never accept what
 * the Schemas refuse. Over real HTTP, the simulator's pages must take the
 * fast path (so the property cannot hold by the fast path always stepping
 * aside).
 */
import * as Headers from "@effect/platform/Headers"
import * as Cookies from "@effect/platform/Cookies"
import { describe, expect, it } from "@effect/vitest"
import { GreenArrowJob } from "@jobstream/greenarrow"
import * as GreenArrowEnvelope from "../src/internal/envelope.js"
import { GreenArrowSimulator } from "@jobstream/testkit"
import { FastCheck as fc } from "effect"
import * as Effect from "effect/Effect"
import * as Equal from "effect/Equal"
import * as Either from "effect/Either"
import * as FastPage from "../src/internal/fastPage.js"

const params = { seed: 19, numRuns: 1500 } as const
const where = { provider: "greenarrow", operation: "test", method: "GET", url: "http://127.0.0.1/ga/api/v2/jobs/all" }

const absent = Symbol("absent")
const anything = fc.oneof(
  fc.constant(absent),
  fc.constant(null),
  fc.string({ maxLength: 5 }),
  fc.integer({ min: -5, max: 100_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constantFrom("2024-05-01T13:37:00Z", "2024-05-01T13:37:00", "2014-02-30T10:00:00Z", 9007199254740993, 1e300, [], {})
)
const good = <A>(values: ReadonlyArray<A>) => fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...values) }, { weight: 1, arbitrary: anything })
const times = ["2024-05-01T13:37:00Z", "2024-05-01T09:37:00-04:00", "2024-05-01T15:37:00.250+0200", null, absent]

const record = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== absent))

const job = fc.oneof(
  { weight: 8, arbitrary: fc.record({
    id: good([0, 1003, 42]),
    mailing_list_id: good([12, null, absent]),
    organization_id: good([1, 2]),
    suppression_list_id: good([null, 150]),
    state: good(["sending", "paused", "finished", "weird", null]),
    state2: good([null, "onhold_autowinner", absent]),
    paused: good([false, true, null]),
    name: good(["Spring sale #1", "", null]),
    progress_value: good([0, 12.5, null]),
    progress_total: good([100, null]),
    job_type: good(["Campaign", "SubscriberImport", null]),
    begins_at: good(times),
    started_at: good(times),
    finished_at: good(times),
    created_at: good(times),
    retry_at: good(times),
    updated_at: good(times),
    extra: anything
  }).map(record) },
  { weight: 1, arbitrary: anything }
)

const envelope = fc.record({
  success: good([true, true, true, false]),
  data: fc.oneof({ weight: 8, arbitrary: fc.array(job, { maxLength: 5 }) }, { weight: 1, arbitrary: anything }),
  error_code: good([absent, null, "internal_error"]),
  error_message: good([absent, null, "boom"]),
  page: good([absent, 0, 3, null]),
  per_page: good([absent, 50]),
  num_records: good([absent, 1000]),
  num_pages: good([absent, 20]),
  page_token: good([absent, null, "abc"]),
  next_page_token: good([absent, null, "def"])
}).map(record)

const rawOf = (body: string) => ({
  status: 200,
  headers: Headers.fromInput({ "content-type": "application/json" }),
  cookies: Cookies.empty,
  body
})

const withSchemas = (body: string) =>
  Effect.runSync(Effect.either(GreenArrowEnvelope.decodePageWithSchemas(rawOf(body), where)))

const agrees = (body: string): boolean => {
  const fast = FastPage.jobsPage(JSON.parse(body))
  if (fast === undefined) return false
  const schema = withSchemas(body)
  expect(Either.isRight(schema)).toBe(true)
  if (Either.isRight(schema)) {
    expect(fast).toStrictEqual(schema.right)
    for (const job of fast.jobs) expect(job).toBeInstanceOf(GreenArrowJob.GreenArrowJob)
    expect(JSON.stringify(fast)).toBe(JSON.stringify(schema.right))
  }
  return true
}

describe("GreenArrow listing fast path", () => {
  it("gives the Schemas' page or steps aside, never accepts what the Schemas refuse", () => {
    let valid = 0
    let answered = 0
    fc.assert(
      fc.property(envelope, (value) => {
        const body = JSON.stringify(value)
        if (Either.isRight(withSchemas(body))) valid++
        if (agrees(body)) answered++
      }),
      params
    )
    expect(valid).toBeGreaterThan(params.numRuns / 20)
    // success: true pages that decode are all answered by the fast path
    expect(answered).toBe(valid)
  })

  it("steps aside for keys that are inherited or hold undefined, and for success: false", () => {
    const inherited = Object.assign(Object.create({ name: "x" }) as object, { id: 1 })
    expect(FastPage.jobsPage({ success: true, data: [inherited] })).toBeUndefined()
    expect(FastPage.jobsPage({ success: true, data: [{ id: 1, name: undefined }] })).toBeUndefined()
    expect(FastPage.jobsPage({ success: false, data: [] })).toBeUndefined()
    expect(FastPage.jobsPage({ success: true, data: [{ id: 1 }] })?.jobs[0]?.name).toBeNull()
    // an instance equal to the class's own, by Effect's structural equality too
    const made = FastPage.jobsPage({ success: true, data: [{ id: 7, name: "n" }] })?.jobs[0]
    const reference = withSchemas(JSON.stringify({ success: true, data: [{ id: 7, name: "n" }] }))
    expect(Either.isRight(reference) && made !== undefined && Equal.equals(made, reference.right.jobs[0])).toBe(true)
  })

  it("the simulator's pages (over real HTTP) take the fast path and match the Schemas", async () => {
    const sim = await GreenArrowSimulator.startGreenArrow({ jobs: 120 })
    const key = GreenArrowSimulator.defaultKeys.find((k) => k.role === "system_admin")!
    try {
      const response = await fetch(`${sim.url}/ga/api/v2/jobs/all?per_page=50`, {
        headers: { accept: "application/json", authorization: `Basic ${Buffer.from(`${key.organizationId}:${key.apiKey}`).toString("base64")}` }
      })
      const body = await response.text()
      expect(FastPage.jobsPage(JSON.parse(body))?.jobs).toHaveLength(50)
      expect(agrees(body)).toBe(true)
    } finally {
      await sim.close()
    }
  })
})
