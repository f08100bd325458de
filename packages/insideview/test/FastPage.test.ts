/**
 * The page decoders' fast path (`src/internal/fastPage.ts`) against the
 * Schemas it stands in for: on generated and mutated pages it must either
 * give exactly the Schemas' value (same fields, same key order) or step
 * aside; it must never accept what the Schemas refuse. Over real HTTP, the
 * simulator's pages must take the fast path (so the property cannot hold by
 * the fast path always stepping aside).
 */
import { describe, expect, it } from "@effect/vitest"
import { XmlCodec } from "@jobstream/core"
import { InsideViewSimulator } from "@jobstream/testkit"
import { FastCheck as fc } from "effect"
import * as Either from "effect/Either"
import * as Codec from "../src/internal/codec.js"
import * as FastPage from "../src/internal/fastPage.js"

const params = { seed: 19, numRuns: 2000 } as const

const goodDates = ["2015-09-08", "2016-09-15T03:36:05.000-07:00", "2016-02-29", "2020-01-01T00:00:00Z", "2020-01-01T10:00"]
const badDates = ["2014-02-30", "2015-13-01", "", "yesterday", "2016-09-15T24:00:00Z", "2015-9-8", "2015-02-29", "2016-09-15T03:36:05+25:00"]

const absent = Symbol("absent")
const value = fc.oneof(
  fc.constant(absent),
  fc.constant(null),
  fc.string({ maxLength: 6 }),
  fc.integer({ min: -1000, max: 1000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(" 42 ", "-7", "12a", "9007199254740993", "1e3", "", 9007199254740993, 1.5, -0, true, [], {}),
  fc.constantFrom(...goodDates, ...badDates)
)
const status = fc.oneof(fc.constantFrom("finished", "accepted", " Processing ", "weird"), value)
const id = fc.oneof(fc.constantFrom("a1b2c3", "x", ""), value)

const record = (fields: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== absent))

/** A wire job: mostly valid, every field sometimes anything at all. */
const wireJob = fc.oneof(
  { weight: 4, arbitrary: fc.record({
    jobId: fc.oneof({ weight: 5, arbitrary: fc.constantFrom("a1b2c3", "zz9") }, { weight: 1, arbitrary: id }),
    jobType: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("enrich", absent) }, { weight: 1, arbitrary: value }),
    jobStatus: fc.oneof({ weight: 5, arbitrary: fc.constantFrom("finished", "failed") }, { weight: 1, arbitrary: status }),
    createdDate: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...goodDates, absent) }, { weight: 1, arbitrary: value }),
    creditsConsumed: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(12, "34", null, absent) }, { weight: 1, arbitrary: value }),
    extra: fc.oneof(fc.constant(absent), value)
  }).map(record) },
  { weight: 1, arbitrary: value }
)

const count = fc.oneof({ weight: 4, arbitrary: fc.constantFrom("1", 50, "16788", absent) }, { weight: 1, arbitrary: value })

const jsonPage = fc.record({
  bulkJobs: fc.oneof({ weight: 6, arbitrary: fc.array(wireJob, { maxLength: 6 }) }, { weight: 1, arbitrary: value }),
  page: count,
  resultsPerPage: count,
  totalResults: count
}).map(record)

const xmlContent = fc.record({
  bulkJob: fc.oneof({ weight: 6, arbitrary: fc.array(wireJob, { maxLength: 6 }) }, { weight: 1, arbitrary: value }),
  bulkJobs: fc.oneof(
    { weight: 3, arbitrary: fc.constant(absent) },
    { weight: 2, arbitrary: fc.array(wireJob, { maxLength: 4 }).map((bulkJob) => ({ bulkJob })) },
    { weight: 1, arbitrary: value }
  ),
  page: count,
  resultsPerPage: count,
  totalResults: count
}).map(record)

/** The fast path agrees with the Schema; returns whether it answered. */
const agrees = (fast: unknown, schema: Either.Either<unknown, unknown>): boolean => {
  if (fast === undefined) return false
  expect(Either.isRight(schema)).toBe(true)
  if (Either.isRight(schema)) {
    expect(fast).toEqual(schema.right)
    expect(JSON.stringify(fast)).toBe(JSON.stringify(schema.right))
  }
  return true
}

describe("InsideView page fast path", () => {
  it("JSON: gives the Schema's value or steps aside, never accepts what the Schema refuses", () => {
    let answered = 0
    let valid = 0
    fc.assert(
      fc.property(jsonPage, (page) => {
        const schema = Codec.schemaPageJson(page)
        if (Either.isRight(schema)) valid++
        if (agrees(FastPage.jsonPage(page), schema)) answered++
      }),
      params
    )
    // Many generated pages are valid, and the fast path answers for every valid one.
    expect(valid).toBeGreaterThan(params.numRuns / 10)
    expect(answered).toBe(valid)
  })

  it("XML: the same for the root content of an XML page", () => {
    let answered = 0
    let valid = 0
    fc.assert(
      fc.property(xmlContent, (content) => {
        const schema = Codec.schemaPageXml(content)
        if (Either.isRight(schema)) valid++
        if (agrees(FastPage.xmlPage(content), schema)) answered++
      }),
      params
    )
    expect(valid).toBeGreaterThan(params.numRuns / 20)
    expect(answered).toBe(valid)
  })

  it("steps aside for keys that are inherited or hold undefined (where Schema structs differ)", () => {
    const inherited = Object.assign(Object.create({ jobType: "enrich" }) as object, { jobId: "a", jobStatus: "finished" })
    expect(FastPage.bulkJob(inherited)).not.toHaveProperty("jobId")
    expect(FastPage.jsonPage({ bulkJobs: [inherited] })).toBeUndefined()
    expect(FastPage.jsonPage({ bulkJobs: [{ jobId: "a", jobStatus: "finished", jobType: undefined }] })).toBeUndefined()
    expect(FastPage.jsonPage({ bulkJobs: [], page: undefined })).toBeUndefined()
    // and answers for the plain form of the same page
    expect(FastPage.jsonPage({ bulkJobs: [{ jobId: "a", jobStatus: "finished" }] })).toEqual({
      bulkJobs: [{ jobId: "a", jobStatus: "finished" }]
    })
  })

  it("the simulator's pages (JSON and XML, over real HTTP) take the fast path and match the Schema", async () => {
    const sim = await InsideViewSimulator.startInsideView({ jobs: 120 })
    const codec = XmlCodec.make()
    try {
      for (const accept of ["application/json", "application/xml"]) {
        const response = await fetch(`${sim.url}/api/v1/admin/jobs?page=2&resultsPerPage=50`, {
          headers: { accept, accesstoken: "sim-fixed-token" }
        })
        const body = await response.text()
        if (accept === "application/json") {
          const json: unknown = JSON.parse(body)
          const fast = FastPage.jsonPage(json)
          expect(fast?.bulkJobs).toHaveLength(50)
          expect(agrees(fast, Codec.schemaPageJson(json))).toBe(true)
        } else {
          const parsed = codec.parse(body, { arrayPaths: ["*.bulkJob", "*.bulkJobs.bulkJob"] })
          if (Either.isLeft(parsed)) throw new Error(parsed.left)
          const content = Object.values(parsed.right as Record<string, unknown>)[0]
          const fast = FastPage.xmlPage(content)
          expect(fast?.bulkJobs).toHaveLength(50)
          expect(agrees(fast, Codec.schemaPageXml(content))).toBe(true)
        }
      }
    } finally {
      await sim.close()
    }
  })
})
