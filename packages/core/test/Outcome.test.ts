/**
 * Outcome: which failures of a request provably left the server untouched,
 * read from the errors the real transport returns over real HTTP.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import { ApiError, HttpTransport, Outcome, RetryPolicy } from "@jobstream/core"
import { Faults, GenericSimulator } from "@jobstream/testkit"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"

const post = (transport: HttpTransport.Service) =>
  Effect.flip(transport.execute({
    operation: "submitJob",
    request: HttpClientRequest.post("/jobs").pipe(HttpClientRequest.bodyText("{}", "application/json")),
    decode: () => Effect.void
  }))

const transportFor = (url: string, timeout: Duration.DurationInput = "5 seconds") =>
  HttpTransport.make({ provider: "generic", baseUrl: url, retryPolicy: RetryPolicy.none, timeout })

describe("Outcome", () => {
  it.scopedLive("a refused connection was never sent: not processed, not ambiguous", () =>
    Effect.gen(function*() {
      const server = yield* GenericSimulator.makeGeneric({ jobs: 1 })
      yield* Effect.promise(() => server.pause())
      const error = yield* post(yield* transportFor(server.url))
      expect(error._tag).toBe("TransportError")
      expect(Outcome.neverSent(error)).toBe(true)
      expect(Outcome.notProcessed(error)).toBe(true)
      expect(Outcome.ambiguous(error)).toBe(false)
      expect(Outcome.outcomeUnknown(error)).toBe(error)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("a reset after the request reached the server is ambiguous → OutcomeUnknown", () =>
    Effect.gen(function*() {
      const server = yield* GenericSimulator.makeGeneric({ jobs: 1, faults: [{ fault: Faults.reset }] })
      const error = yield* post(yield* transportFor(server.url))
      expect(server.requests).toHaveLength(1)
      expect(Outcome.notProcessed(error)).toBe(false)
      expect(Outcome.ambiguous(error)).toBe(true)
      const unknown = Outcome.outcomeUnknown(error)
      expect(unknown).toMatchObject({ _tag: "OutcomeUnknown", provider: "generic", operation: "submitJob", method: "POST" })
      expect(unknown._tag === "OutcomeUnknown" && unknown.reason).toContain("after the request was sent")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("no answer in time is ambiguous → OutcomeUnknown naming the timeout", () =>
    Effect.gen(function*() {
      const server = yield* GenericSimulator.makeGeneric({ jobs: 1, faults: [{ fault: Faults.hang }] })
      const error = yield* post(yield* transportFor(server.url, "100 millis"))
      expect(error._tag).toBe("Timeout")
      const unknown = Outcome.outcomeUnknown(error)
      expect(unknown._tag === "OutcomeUnknown" && unknown.reason).toBe("no answer within 100 ms (attempt timeout)")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("429 and 503 were turned away (not processed); 500, 502 and 504 are answers, neither", () =>
    Effect.gen(function*() {
      for (const [status, notProcessed] of [[429, true], [503, true], [500, false], [502, false], [504, false]] as const) {
        const server = yield* GenericSimulator.makeGeneric({ jobs: 1, faults: [{ fault: Faults.status(status) }] })
        const error = yield* post(yield* transportFor(server.url))
        expect(error.status).toBe(status)
        expect(Outcome.notProcessed(error)).toBe(notProcessed)
        expect(Outcome.ambiguous(error)).toBe(false)
        expect(Outcome.outcomeUnknown(error)).toBe(error)
      }
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.effect("codes are matched as words in the reason, whatever the wording around them", () =>
    Effect.sync(() => {
      const where = { provider: "p", operation: "o", method: "POST", url: "http://x/" }
      const transport = (reason: string) => new ApiError.TransportError({ ...where, reason })
      expect(Outcome.neverSent(transport("ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:1"))).toBe(true)
      expect(Outcome.neverSent(transport("getaddrinfo ENOTFOUND cic1"))).toBe(true)
      expect(Outcome.neverSent(transport("ECONNRESET: socket hang up"))).toBe(false)
      expect(Outcome.neverSent(transport("XECONNREFUSEDX"))).toBe(false)
      expect(Outcome.neverSent(new ApiError.Timeout({ ...where, timeoutMillis: 1, scope: "deadline" }))).toBe(false)
    }))
})
