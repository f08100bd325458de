import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import { Faults, InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import { clientFor, collect, listRequests } from "./utils.js"

const live = FetchHttpClient.layer

describe("JSON and XML decode to the same records", () => {
  it.scopedLive("Accept follows the format; pages and full streams are identical", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 137 })
      const json = yield* clientFor(sim, { format: "json" })
      const xml = yield* clientFor(sim, { format: "xml" })
      const pj = yield* json.listJobs({ page: 2, resultsPerPage: 20 })
      const px = yield* xml.listJobs({ page: 2, resultsPerPage: 20 })
      const [rj, rx] = listRequests(sim)
      expect(rj!.headers["accept"]).toBe("application/json")
      expect(rx!.headers["accept"]).toBe("application/xml")
      expect(pj).toEqual(px)
      expect(pj).toMatchObject({ page: 2, resultsPerPage: 20, totalResults: 137 })
      expect(pj.bulkJobs.map((j) => j.jobId)).toEqual(sim.jobs.slice(20, 40).map((j) => j.jobId))
      // Numbers arrive as strings in JSON (as in the documented example) and are decoded.
      expect(typeof pj.bulkJobs.find((j) => j.creditsConsumed !== undefined)?.creditsConsumed).toBe("number")
      const all = yield* collect(json.jobs({ resultsPerPage: 20 }))
      expect(yield* collect(xml.jobs({ resultsPerPage: 20 }))).toEqual(all)
      expect(all).toEqual(sim.jobs.map((j) => ({ ...j })))
    }).pipe(Effect.provide(live)))

  it.scopedLive("accepted jobs carry no creditsConsumed and decode without it, in both formats", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 60 })
      for (const format of ["json", "xml"] as const) {
        const client = yield* clientFor(sim, { format })
        const accepted = yield* collect(client.jobs({ jobStatuses: ["accepted"] }))
        expect(accepted.length).toBeGreaterThan(0)
        for (const job of accepted) expect("creditsConsumed" in job).toBe(false)
      }
    }).pipe(Effect.provide(live)))

  it.scopedLive("JSON numbers given as numbers decode like numeric strings", () =>
    Effect.gen(function*() {
      const strings = yield* InsideViewSimulator.makeInsideView({ jobs: 30 })
      const numbers = yield* InsideViewSimulator.makeInsideView({ jobs: 30, jsonNumbers: "number" })
      const a = yield* (yield* clientFor(strings)).listJobs({ resultsPerPage: 7 })
      const b = yield* (yield* clientFor(numbers)).listJobs({ resultsPerPage: 7 })
      expect(b).toEqual(a)
      expect(a.totalResults).toBe(30)
    }).pipe(Effect.provide(live)))

  for (const xmlLayout of ["documented", "wrapped"] as const) {
    it.scopedLive(`XML (${xmlLayout} layout): one <bulkJob> is a one-item list, none is an empty list`, () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 45, xmlLayout })
        const client = yield* clientFor(sim, { format: "xml" })
        const one = yield* client.listJobs({ resultsPerPage: 1, page: 3 })
        expect(one.bulkJobs).toEqual([sim.jobs[2]])
        expect(one.totalResults).toBe(45)
        const none = yield* client.listJobs({ jobStatuses: ["notFound"] })
        expect(none).toEqual({ bulkJobs: [], page: 1, resultsPerPage: 10, totalResults: 0 })
        const beyond = yield* client.listJobs({ page: 99 })
        expect(beyond.bulkJobs).toEqual([])
        expect((yield* collect(client.jobs({ resultsPerPage: 10 }))).length).toBe(45)
        const body = listRequests(sim).length
        expect(body).toBeGreaterThan(3)
      }).pipe(Effect.provide(live)))
  }

  it.scopedLive("XML roots and wrappers are not relied upon; a self-closed list is empty", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
      const client = yield* clientFor(sim, { format: "xml" })
      const bodies = [
        `<?xml version="1.0"?><jobsList><bulkJob><jobId>a1</jobId><jobStatus>finished</jobStatus></bulkJob><totalResults>1</totalResults></jobsList>`,
        `<anything><bulkJobs><bulkJob><jobId>a1</jobId><jobStatus>finished</jobStatus></bulkJob></bulkJobs><totalResults>1</totalResults></anything>`,
        `<bulkJobs/>`,
        `<r><bulkJobs/><page>1</page><totalResults>0</totalResults></r>`
      ]
      const results = []
      for (const body of bodies) {
        sim.setFaults([{ fault: Faults.body(body, { contentType: "application/xml" }), times: 1 }])
        results.push((yield* client.listJobs()).bulkJobs.map((j) => j.jobId))
      }
      expect(results).toEqual([["a1"], ["a1"], [], []])
    }).pipe(Effect.provide(live)))

  it.scopedLive("the body is decoded by its Content-Type, whatever was asked for", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
      const client = yield* clientFor(sim, { format: "json" })
      sim.setFaults([{
        fault: Faults.body(`<bulkJobs><bulkJob><jobId>x</jobId><jobStatus>failed</jobStatus></bulkJob></bulkJobs>`, {
          contentType: "application/xml"
        }),
        times: 1
      }])
      expect((yield* client.listJobs()).bulkJobs).toEqual([{ jobId: "x", jobStatus: "failed" }])
    }).pipe(Effect.provide(live)))
})

describe("malformed bodies are DecodeErrors naming the provider and the problem", () => {
  const cases: ReadonlyArray<readonly [string, "json" | "xml", string, string, string]> = [
    ["invalid JSON", "json", "application/json", `{"bulkJobs": [`, "json"],
    ["a job without jobId", "json", "application/json", `{"bulkJobs":[{"jobStatus":"finished"}],"totalResults":"1"}`, "schema"],
    ["a non-numeric total", "json", "application/json", `{"bulkJobs":[],"totalResults":"many"}`, "schema"],
    ["bulkJobs not a list", "json", "application/json", `{"bulkJobs":"none"}`, "schema"],
    ["truncated XML", "xml", "application/xml", `<bulkJobs><bulkJob><jobId>a</jobId>`, "xml"],
    ["XML with a DOCTYPE", "xml", "application/xml", `<!DOCTYPE x [<!ENTITY a "b">]><bulkJobs/>`, "xml"],
    ["XML job without status", "xml", "application/xml", `<bulkJobs><bulkJob><jobId>a</jobId></bulkJob></bulkJobs>`, "schema"],
    ["two XML roots", "xml", "application/xml", `<a/><b/>`, "xml"],
    ["an empty 200", "json", "application/json", ``, "json"]
  ]
  for (const [name, format, contentType, body, expected] of cases) {
    it.scopedLive(name, () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({
          jobs: 5,
          faults: [{ fault: Faults.body(body, { contentType }) }]
        })
        const client = yield* clientFor(sim, { format, retryPolicy: RetryPolicy.immediate(3) })
        const error = yield* Effect.flip(client.listJobs())
        expect(error._tag).toBe("DecodeError")
        if (error._tag === "DecodeError") {
          expect(error.format).toBe(expected)
          expect(error.provider).toBe("insideview")
          expect(error.operation).toBe("listJobs")
          expect(error.message).toContain("insideview.listJobs")
        }
        // Decode errors are final: one request only.
        expect(sim.requestCount).toBe(1)
      }).pipe(Effect.provide(live)))
  }
})

describe("error statuses", () => {
  for (const format of ["json", "xml"] as const) {
    it.scopedLive(`400 from the server (${format}) is BadRequest with errorNumber and message`, () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
        // Slip a parameter past validation to get the server's own 400.
        const client = yield* clientFor(sim, {
          format,
          transformClient: HttpClient.mapRequest(HttpClientRequest.setUrlParam("period", "week"))
        })
        const error = yield* Effect.flip(client.listJobs())
        expect(error).toMatchObject({
          _tag: "BadRequest",
          status: 400,
          providerCode: "400-1",
          providerMessage: "Invalid query parameter(s)."
        })
        expect(sim.requestCount).toBe(1)
      }).pipe(Effect.provide(live)))

    it.scopedLive(`405 (${format}) is MethodNotAllowed with the documented message`, () =>
      Effect.gen(function*() {
        const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
        const client = yield* clientFor(sim, {
          format,
          transformClient: HttpClient.mapRequest(HttpClientRequest.setMethod("DELETE"))
        })
        const error = yield* Effect.flip(client.listJobs())
        expect(error).toMatchObject({
          _tag: "MethodNotAllowed",
          status: 405,
          providerMessage: "Method Not Allowed - Your are not allowed to access this API."
        })
      }).pipe(Effect.provide(live)))
  }

  it.scopedLive("the documented error object lands in the error, code as string", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
      const client = yield* clientFor(sim)
      sim.setFaults([{
        fault: Faults.status(404, {
          body: JSON.stringify({
            errorType: "Not Found",
            status: 404,
            errorNumber: "404-11",
            message: "Company not found.",
            diagnosticCode: "mhidirbsjnls43ff2682"
          }),
          headers: { "Content-Type": "application/json" }
        }),
        times: 1
      }])
      const error = yield* Effect.flip(client.listJobs())
      expect(error).toMatchObject({ _tag: "NotFound", providerCode: "404-11", providerMessage: "Company not found." })
      expect(error.message).toContain("404-11 Company not found.")
    }).pipe(Effect.provide(live)))

  it.scopedLive("500, an HTML 502, a reset and a cut-off body are retried per policy", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({
        jobs: 12,
        faults: [
          Faults.onRequests([1], Faults.status(500)),
          Faults.onRequests([2], Faults.html502),
          Faults.onRequests([3], Faults.reset),
          Faults.onRequests([4], Faults.truncate(0.5))
        ]
      })
      const client = yield* clientFor(sim, { retryPolicy: RetryPolicy.immediate(4) })
      const page = yield* client.listJobs()
      expect(page.bulkJobs.length).toBe(10)
      expect(sim.requestCount).toBe(5)

      sim.setFaults([{ fault: Faults.status(503) }])
      const error = yield* Effect.flip(client.listJobs())
      expect(error._tag).toBe("ServerError")
      expect(sim.requestCount).toBe(5 + 5)
    }).pipe(Effect.provide(live)))
})
