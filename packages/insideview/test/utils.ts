/**
 * Shared helpers for the InsideView tests: a client pointed at a simulator,
 * and waiting on real I/O without asserting on wall-clock time.
 */
import { InsideViewClient } from "@jobstream/insideview"
import type { InsideViewSimulator } from "@jobstream/testkit"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"

export const fixedToken = "sim-fixed-token"
export const clientId = "sim-client"
export const clientSecret = "sim-secret"

/** A client for the simulator; fixed token unless `auth` says otherwise. */
export const clientFor = (
  sim: InsideViewSimulator.InsideViewServer,
  options: Partial<InsideViewClient.Options> = {}
) =>
  InsideViewClient.make({
    baseUrl: sim.url,
    authBaseUrl: sim.url,
    auth: InsideViewClient.Auth.token(Redacted.make(fixedToken)),
    ...options
  })

export const credentials = InsideViewClient.Auth.credentials(clientId, Redacted.make(clientSecret))

/** Collects a stream into an array. */
export const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** List requests in the simulator's log. */
export const listRequests = (sim: InsideViewSimulator.InsideViewServer) =>
  sim.requests.filter((r) => r.path === "/api/v1/admin/jobs")

/** Login requests in the simulator's log. */
export const loginRequests = (sim: InsideViewSimulator.InsideViewServer) =>
  sim.requests.filter((r) => r.path.startsWith("/Auth/login/"))

/** Yields to the event loop so sockets can make progress. */
export const tick = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

/** Polls `check` until it holds; dies after ~5 s so a broken test cannot hang. */
export const eventually = (check: () => boolean, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 5000; i++) {
      if (check()) return
      yield* tick
    }
    return yield* Effect.dieMessage(`timed out waiting for: ${what}`)
  })

/** Waits until something sleeps on the TestClock and returns how far ahead it wakes. */
export const nextSleepIn = Effect.gen(function*() {
  for (let i = 0; i < 5000; i++) {
    const now = yield* TestClock.currentTimeMillis
    const sleeps = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((at) => at - now < 12 * 3_600_000)
    if (sleeps.length > 0) return Math.min(...sleeps) - now
    yield* tick
  }
  return yield* Effect.dieMessage("timed out waiting for a sleep")
})

/**
 * Waits until `count` stops changing (the same value for 20 polls in a row,
 * ~1 ms apart) and returns it: requests already on the wire have landed. No
 * timing is asserted; a count that never settles fails after ~5 s.
 */
export const settled = (count: () => number) =>
  Effect.gen(function*() {
    let last = count()
    let stable = 0
    for (let i = 0; i < 5000; i++) {
      yield* tick
      const now = count()
      stable = now === last ? stable + 1 : 0
      last = now
      if (stable >= 20) return now
    }
    return yield* Effect.dieMessage("the request count never settled")
  })
