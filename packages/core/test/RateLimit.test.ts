import { describe, expect, it } from "@effect/vitest"
import { RateLimit } from "@jobstream/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"

/** Starts `n` fibers that each take a permit and record when they got it. */
const contenders = (limiter: RateLimit.Service, n: number) =>
  Effect.gen(function*() {
    const granted: Array<number> = []
    const fibers = yield* Effect.forEach(
      Array.from({ length: n }, (_, i) => i),
      () => Effect.fork(Effect.zipRight(limiter.take, Effect.flatMap(Clock.currentTimeMillis, (t) => Effect.sync(() => granted.push(t))))),
      { concurrency: "unbounded" }
    )
    return { granted, fibers }
  })

describe("RateLimit", () => {
  it.effect("never grants more than `limit` permits in any window", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimit.make({ limit: 3, window: "10 seconds" })
      const { fibers, granted } = yield* contenders(limiter, 8)
      yield* Effect.yieldNow()
      expect(granted).toEqual([0, 0, 0])
      yield* TestClock.adjust("9999 millis")
      expect(granted.length).toBe(3)
      yield* TestClock.adjust("1 millis")
      expect(granted).toEqual([0, 0, 0, 10_000, 10_000, 10_000])
      yield* TestClock.adjust("10 seconds")
      yield* Fiber.joinAll(fibers)
      expect(granted).toEqual([0, 0, 0, 10_000, 10_000, 10_000, 20_000, 20_000])
      // Any window of 10 s holds at most 3 grants.
      for (const t of granted) expect(granted.filter((u) => u >= t && u < t + 10_000).length).toBeLessThanOrEqual(3)
      expect(yield* limiter.stats).toEqual({ granted: 8, waited: 5, waitedMillis: 3 * 10_000 + 2 * 20_000, pauses: 0 })
    }))

  it.effect("a pause holds every fiber of the account until it ends, and never shortens", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimit.make({ limit: 100, window: "1 second" })
      yield* limiter.pause("5 minutes")
      yield* limiter.pause("1 minute") // shorter: ignored
      const { fibers, granted } = yield* contenders(limiter, 4)
      yield* TestClock.adjust("299 seconds")
      expect(granted).toEqual([])
      expect(yield* limiter.pausedUntil).toBe(300_000)
      yield* TestClock.adjust("1 second")
      yield* Fiber.joinAll(fibers)
      expect(granted).toEqual([300_000, 300_000, 300_000, 300_000])
      expect(yield* limiter.pausedUntil).toBe(0)
      expect((yield* limiter.stats).pauses).toBe(1)
    }))

  it.effect("a pause that starts while fibers wait for the window extends their wait", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimit.make({ limit: 1, window: "10 seconds" })
      yield* limiter.take
      const { fibers, granted } = yield* contenders(limiter, 1)
      yield* TestClock.adjust("5 seconds")
      yield* limiter.pause("1 minute") // until 65 s
      yield* TestClock.adjust("10 seconds")
      expect(granted).toEqual([])
      yield* TestClock.adjust("50 seconds")
      yield* Fiber.joinAll(fibers)
      expect(granted).toEqual([65_000])
    }))

  it.effect("an interrupted waiter consumes no permit and gives up its place", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimit.make({ limit: 1, window: "10 seconds" })
      yield* limiter.take
      const waiting = yield* Effect.fork(limiter.take)
      yield* TestClock.adjust("1 second")
      yield* Fiber.interrupt(waiting)
      const { fibers, granted } = yield* contenders(limiter, 1)
      yield* TestClock.adjust("9 seconds")
      yield* Fiber.joinAll(fibers)
      expect(granted).toEqual([10_000])
      expect((yield* limiter.stats).granted).toBe(2)
    }))

  it.effect("burst spreads the window's allowance: at most `burst` in any window × burst / limit", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimit.make({ limit: 6, window: "60 seconds", burst: 2 })
      expect(limiter.options.burst).toBe(2)
      const { fibers, granted } = yield* contenders(limiter, 7)
      yield* TestClock.adjust("100 seconds")
      yield* Fiber.joinAll(fibers)
      // Two at once, then two every 20 s; the seventh waits for the first one's window to pass.
      expect(granted).toEqual([0, 0, 20_000, 20_000, 40_000, 40_000, 60_000])
      expect(yield* limiter.take).toBe(0)
    }))

  it.effect("a pause that starts while another runs extends it without counting a new pause; take reports its wait", () =>
    Effect.gen(function*() {
      const limiter = yield* RateLimit.make({ limit: 10, window: "1 second", lockout: "2 minutes" })
      expect(Duration.toMillis(limiter.options.lockout)).toBe(120_000)
      yield* limiter.pause("1 minute")
      yield* TestClock.adjust("10 seconds")
      yield* limiter.pause("1 minute") // until 70 s: extends
      expect(yield* limiter.pausedUntil).toBe(70_000)
      const waiter = yield* Effect.fork(limiter.take)
      yield* TestClock.adjust("60 seconds")
      expect(yield* Fiber.join(waiter)).toBe(60_000)
      yield* limiter.pause("1 second") // a new pause once the first is over
      expect((yield* limiter.stats).pauses).toBe(2)
    }))

  it("rejects settings that would never grant or never wait", () => {
    expect(RateLimit.check({ limit: 5, window: "1 second", burst: 6 })).toMatch(/burst/)
    expect(RateLimit.check({ limit: 5, window: "1 second", burst: 0 })).toMatch(/burst/)
    expect(RateLimit.check({ limit: 5, window: "1 second", lockout: Duration.infinity })).toMatch(/lockout/)
    expect(RateLimit.check({ limit: 0, window: "1 second" })).toMatch(/limit/)
    expect(RateLimit.check({ limit: 1.5, window: "1 second" })).toMatch(/limit/)
    expect(RateLimit.check({ limit: 1, window: Duration.zero })).toMatch(/window/)
    expect(RateLimit.check({ limit: 1, window: Duration.infinity })).toMatch(/window/)
    expect(RateLimit.check({ limit: 1000, window: "5 minutes" })).toBeUndefined()
  })
})
