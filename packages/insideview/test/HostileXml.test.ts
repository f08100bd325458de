/**
 * InsideView's XML decoder against a `<__proto__>` element (the shared
 * hostile-XML tests of `test/reliability/hostile.test.ts` cover malformed
 * XML, entity bombs, XXE and depth for every XML variant; this one needs
 * InsideView's own record shape).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { expect, layer } from "@effect/vitest"
import { Capture, Faults, InsideViewHarness, InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

const body = `<?xml version="1.0"?><bulkJobs><bulkJob><__proto__><polluted>yes</polluted>` +
  `<jobStatus>x</jobStatus></__proto__><constructor><prototype><polluted>yes</polluted></prototype></constructor>` +
  `<jobId>x1</jobId><jobStatus>finished</jobStatus></bulkJob><page>1</page><resultsPerPage>50</resultsPerPage>` +
  `<totalResults>1</totalResults></bulkJobs>`

layer(FetchHttpClient.layer, { excludeTestServices: true })("a <__proto__> element in XML", (it) => {
  it.scoped("decodes to a clean record (or a typed error) and leaves Object.prototype alone", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 30,
        faults: [{
          fault: Faults.body(body, { status: 200, contentType: "application/xml; charset=utf-8" }),
          match: InsideViewHarness.isList
        }]
      })
      const client = yield* InsideViewHarness.client(sim.url, { variant: "xml" })
      const exit = yield* Effect.exit(Capture.collect(client.jobs()))
      const probe: Record<string, unknown> = {}
      expect("polluted" in probe).toBe(false)
      expect((Object.prototype as Record<string, unknown>)["polluted"]).toBeUndefined()
      if (Exit.isSuccess(exit)) {
        expect(exit.value.map((j) => j.jobId)).toEqual(["x1"])
        const record = exit.value[0]!
        expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
        expect("polluted" in record).toBe(false)
        expect(record.jobStatus).toBe("finished")
      } else {
        expect(exit.cause._tag === "Fail" ? exit.cause.error._tag : exit.cause._tag).toBe("DecodeError")
      }
      expect(sim.requests.filter(InsideViewHarness.isList)).toHaveLength(1)
    }))
})
