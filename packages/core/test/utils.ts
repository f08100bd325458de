/**
 * Helpers for core's tests: waiting for real I/O to happen without asserting
 * on wall-clock time, and reading the TestClock's pending sleeps.
 */
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"

/** Yields to the event loop so sockets can make progress (no timing is asserted). */
export const tick = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

/** Polls `check` until it holds; fails after ~5 s of real time so a broken test cannot hang. */
export const eventually = <E, R>(check: Effect.Effect<boolean, E, R>, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 5000; i++) {
      if (yield* check) return
      yield* tick
    }
    return yield* Effect.dieMessage(`timed out waiting for: ${what}`)
  })

/**
 * Sleeps that end within this horizon count as retry waits; tests give their
 * transports a per-attempt timeout longer than this, so an in-flight
 * request's timeout timer is never mistaken for a backoff.
 */
export const horizon = 12 * 60 * 60 * 1000

const pending = Effect.gen(function*() {
  const t = yield* TestClock.currentTimeMillis
  return Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((at) => at - t < horizon)
})

/** Waits until the fiber under test sleeps on the TestClock (within the horizon) and returns the wake-up time. */
export const nextSleep = Effect.gen(function*() {
  yield* eventually(Effect.map(pending, (s) => s.length > 0), "a pending sleep")
  return Math.min(...(yield* pending))
})

/** The current TestClock time in ms. */
export const now = Effect.map(TestClock.currentTimeMillis, (n) => n)
