/**
 * What the Session tests share: an `Unauthorized`, a log collector, and a
 * session whose logins hand out "token-1", "token-2", ….
 */
import { ApiError, Session } from "@jobstream/core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"

export const unauthorized = new ApiError.Unauthorized({
  provider: "test",
  operation: "op",
  method: "GET",
  url: "http://x/",
  status: 401
})

/** A logger keeping "LEVEL message" lines. */
export const collectLogs = (lines: Array<string>) =>
  Logger.make(({ logLevel, message }) => void lines.push(`${logLevel.label} ${String(message)}`))

/** A session whose acquisition hands out "token-1", "token-2", … and blocks until `gate` opens. */
export const counting = (
  options: {
    readonly expiresIn?: number
    readonly refreshAhead?: number
    readonly maxRelogins?: number
    readonly releaseReplaced?: boolean
  } = {}
) =>
  Effect.gen(function*() {
    const issued = yield* Ref.make(0)
    const gate = yield* Deferred.make<void>()
    yield* Deferred.succeed(gate, undefined)
    const released = yield* Ref.make<Array<string>>([])
    const acquire = Effect.gen(function*() {
      yield* Deferred.await(gate)
      const n = yield* Ref.updateAndGet(issued, (x) => x + 1)
      const now = yield* TestClock.currentTimeMillis
      return { token: `token-${n}`, expiresAt: options.expiresIn === undefined ? undefined : now + options.expiresIn }
    })
    const session = yield* Session.make({
      acquire,
      expiresAt: (c) => c.expiresAt,
      refreshAhead: options.refreshAhead ?? 0,
      release: (c) => Ref.update(released, (xs) => [...xs, c.token]),
      ...(options.maxRelogins !== undefined ? { maxRelogins: options.maxRelogins } : {}),
      ...(options.releaseReplaced !== undefined ? { releaseReplaced: options.releaseReplaced } : {})
    })
    return { session, issued, released }
  })
