import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { RetryPolicy } from "@jobstream/core"
import { IcwsClient } from "@jobstream/icws"
import type { IcwsSimulator } from "@jobstream/testkit"
import { Chunk, Effect, Fiber, Layer, Logger, LogLevel, Option, Redacted, TestClock } from "effect"

export const password = Redacted.make("s3cret-pw")

export const options = (
  sim: { readonly url: string },
  extra: Partial<IcwsClient.Options> = {}
): IcwsClient.Options => ({
  baseUrl: sim.url,
  user: "agent",
  password,
  retryPolicy: RetryPolicy.immediate(2),
  pageSize: 10,
  ...extra
})

/** Runs `f` with a client (and its session) whose layer is released when `f` ends. */
export const withClient = <A, E>(
  sim: IcwsSimulator.IcwsServer,
  f: (client: IcwsClient.Service) => Effect.Effect<A, E>,
  extra: Partial<IcwsClient.Options> = {}
): Effect.Effect<A, E> =>
  Effect.flatMap(IcwsClient.IcwsClient, f).pipe(
    // Valid options are a precondition of these tests: a ConfigError is a bug here.
    Effect.provide(IcwsClient.layer(options(sim, extra)).pipe(Layer.orDie)),
    Effect.provide(FetchHttpClient.layer)
  )

/** Requests to a path ending, by method. */
export const requestsTo = (sim: IcwsSimulator.IcwsServer, method: string, suffix: string) =>
  sim.requests.filter((r) => r.method === method && r.path.endsWith(suffix))

/** A logger that keeps every line (all levels) for secret checks. */
export const captureLogs = () => {
  const lines: Array<string> = []
  const logger = Logger.make((options) => {
    lines.push(Logger.logfmtLogger.log(options))
  })
  const provide = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    effect.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger)), Logger.withMinimumLogLevel(LogLevel.All))
  return { lines, provide }
}

/** Polls a condition on the live clock. */
export const waitUntil = (cond: () => boolean, millis = 3000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + millis
    while (!cond()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error("condition not met in time"))
      yield* Effect.sleep("5 millis")
    }
  })

/** Yields to the event loop for real (also under the TestClock). */
export const realTick = Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, 1)))

/** Waits (real time) until `cond` holds; dies after ~5 s so a broken test cannot hang. */
export const realWait = (cond: () => boolean, what: string) =>
  Effect.gen(function*() {
    for (let i = 0; i < 5000; i++) {
      if (cond()) return
      yield* realTick
    }
    return yield* Effect.dieMessage(`timed out waiting for: ${what}`)
  })

/**
 * Drives the TestClock until `fiber` is done: waits (real time) until the
 * server's request count has stopped changing — answers in flight have
 * landed — then jumps to the next pending sleep. Returns the virtual time it
 * took. No wall-clock timing is asserted.
 */
export const driveClock = <A, E>(fiber: Fiber.Fiber<A, E>, server: { readonly requestCount: number }) =>
  Effect.gen(function*() {
    const start = yield* TestClock.currentTimeMillis
    for (let step = 0; step < 500; step++) {
      let last = server.requestCount
      for (let stable = 0; stable < 20;) {
        yield* realTick
        const now = server.requestCount
        stable = now === last ? stable + 1 : 0
        last = now
      }
      if (Option.isSome(yield* Fiber.poll(fiber))) return Math.round((yield* TestClock.currentTimeMillis) - start)
      const now = yield* TestClock.currentTimeMillis
      // Sleeps already due but not yet resumed are left to the runtime; jump to the next one ahead.
      const ahead = Chunk.toReadonlyArray(yield* TestClock.sleeps()).filter((at) => at > now)
      // setTime, not adjust: adding a difference of fractional millis can land a hair short of the sleep.
      if (ahead.length > 0) yield* TestClock.setTime(Math.min(...ahead))
    }
    return yield* Effect.dieMessage("the fiber never finished")
  })
