/** Session: expiry and refresh, release of credentials, closing. */
import { describe, expect, it } from "@effect/vitest"
import { Session } from "@jobstream/core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import { eventually } from "./utils.js"
import { collectLogs, counting, unauthorized } from "./sessionHelpers.js"

describe("Session", () => {
  it.scoped("expiry: refresh ahead serves the old credential while one refresh runs; past expiry waits", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting({ expiresIn: 60_000, refreshAhead: 10_000 })
      expect((yield* session.get).token).toBe("token-1")
      yield* TestClock.adjust(45_000)
      expect((yield* session.get).token).toBe("token-1")
      expect(yield* Ref.get(issued)).toBe(1)
      yield* TestClock.adjust(10_000) // 55 s: inside the refresh window
      expect((yield* session.get).token).toBe("token-1")
      yield* Effect.yieldNow()
      // the background refresh has completed; the fresh token is served
      const after = yield* Effect.repeat(session.get, { until: (c) => c.token === "token-2", times: 100 })
      expect(after.token).toBe("token-2")
      expect(yield* Ref.get(issued)).toBe(2)
      yield* TestClock.adjust(120_000) // far past token-2's expiry
      expect((yield* session.get).token).toBe("token-3")
    }))

  it.effect("release runs for the held credential when the scope closes (success, failure, interruption)", () =>
    Effect.gen(function*() {
      for (const outcome of ["success", "failure", "interrupt"] as const) {
        const scope = yield* Scope.make()
        const { released, session } = yield* counting().pipe(Scope.extend(scope))
        yield* session.get
        const work = outcome === "success" ? Effect.void : outcome === "failure" ? Effect.fail("x") : Effect.interrupt
        const exit = yield* Effect.exit(work)
        yield* Scope.close(scope, exit)
        expect(yield* Ref.get(released)).toEqual(["token-1"])
        // the scope really closed with each kind of exit
        expect(outcome === "success" ? Exit.isSuccess(exit) : outcome === "failure" ? Exit.isFailure(exit) && !Exit.isInterrupted(exit) : Exit.isInterrupted(exit)).toBe(true)
      }
    }))

  it.scoped("interrupting the caller that started an acquisition does not cancel it for the others", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const session = yield* Session.make({ acquire: Deferred.await(gate).pipe(Effect.as("cred")) })
      const starter = yield* Effect.fork(session.get)
      yield* Effect.yieldNow()
      const waiter = yield* Effect.fork(session.get)
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(starter)
      yield* Deferred.succeed(gate, undefined)
      expect(yield* Fiber.join(waiter)).toBe("cred")
      expect(yield* session.current).toEqual(Option.some("cred"))
    }))

  it.scoped("the refresh margin is relative to the lifetime: a 30 s credential is renewed 3 s before expiry, once", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting({ expiresIn: 30_000, refreshAhead: 300_000 })
      for (let i = 0; i < 20; i++) {
        expect((yield* session.get).token).toBe("token-1")
        yield* TestClock.adjust(1_000) // 1 s … 20 s: far from the 3 s margin
      }
      expect(yield* Ref.get(issued)).toBe(1)
      yield* TestClock.adjust(6_500) // 26.5 s: still before 27 s
      expect((yield* session.get).token).toBe("token-1")
      expect(yield* Ref.get(issued)).toBe(1)
      yield* TestClock.adjust(1_000) // 27.5 s: inside the margin; one background refresh
      expect((yield* session.get).token).toBe("token-1")
      const after = yield* Effect.repeat(session.get, { until: (c) => c.token === "token-2", times: 100 })
      expect(after.token).toBe("token-2")
      expect(yield* Ref.get(issued)).toBe(2)
    }))

  it.scoped("a long-lived credential uses the fixed margin (refreshAhead), not 10 % of its life", () =>
    Effect.gen(function*() {
      const day = 86_400_000
      const { issued, session } = yield* counting({ expiresIn: 365 * day, refreshAhead: 300_000 })
      yield* session.get
      yield* TestClock.adjust(365 * day - 301_000)
      yield* session.get
      expect(yield* Ref.get(issued)).toBe(1)
      yield* TestClock.adjust(2_000) // 299 s before expiry
      yield* session.get
      expect(yield* session.acquisitions).toBe(2)
      expect(Session.refreshMargin(30_000, 300_000, 0.1)).toBe(3_000)
      expect(Session.refreshMargin(365 * day, 300_000, 0.1)).toBe(300_000)
    }))

  it.scoped("a credential that arrives already expired is used until rejected, not re-acquired on every get", () =>
    Effect.gen(function*() {
      const issued = yield* Ref.make(0)
      const logs: Array<string> = []
      const session = yield* Session.make({
        acquire: Effect.map(Ref.updateAndGet(issued, (n) => n + 1), (n) => ({ n, expiresAt: -1_000 })),
        expiresAt: (c: { readonly expiresAt: number }) => c.expiresAt
      })
      for (let i = 0; i < 10; i++) yield* session.get.pipe(Effect.provide(Logger.replace(Logger.defaultLogger, collectLogs(logs))))
      expect(yield* Ref.get(issued)).toBe(1)
      expect(logs.some((l) => l.includes("already past its expiry"))).toBe(true)
    }))

  it.scoped("releaseReplaced: a credential dropped after a 401 or replaced by a refresh is released", () =>
    Effect.gen(function*() {
      const { released, session } = yield* counting({ releaseReplaced: true, expiresIn: 60_000, refreshAhead: 6_000 })
      yield* session.withCredential(() => Effect.void)
      yield* session.withCredential((c) => (c.token === "token-1" ? Effect.fail(unauthorized) : Effect.void))
      yield* eventually(Effect.map(Ref.get(released), (r) => r.length === 1), "the release of token-1")
      expect(yield* Ref.get(released)).toEqual(["token-1"])
      yield* TestClock.adjust(55_000) // token-2 in its refresh window
      yield* session.get
      yield* Effect.repeat(session.get, { until: (c) => c.token === "token-3", times: 100 })
      yield* eventually(Effect.map(Ref.get(released), (r) => r.length === 2), "the release of token-2")
      expect(yield* Ref.get(released)).toEqual(["token-1", "token-2"])
    }))

  it.effect("closing waits for a login in flight and releases what it gave", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const released: Array<string> = []
      const scope = yield* Scope.make()
      const session = yield* Session.make({
        acquire: Deferred.await(gate).pipe(Effect.as("late-session")),
        release: (c) => Effect.sync(() => void released.push(c))
      }).pipe(Scope.extend(scope))
      const caller = yield* Effect.fork(session.get)
      yield* Effect.yieldNow()
      const closing = yield* Effect.fork(Scope.close(scope, Exit.void))
      yield* Effect.yieldNow()
      expect(released).toEqual([])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(closing)
      expect(released).toEqual(["late-session"])
      expect(yield* Fiber.join(caller)).toBe("late-session")
    }))

  it.effect("closing is bounded by releaseTimeout when the release never ends, with a warning", () =>
    Effect.gen(function*() {
      const logs: Array<string> = []
      const scope = yield* Scope.make()
      const session = yield* Session.make({
        acquire: Effect.succeed("cred"),
        release: () => Effect.never,
        releaseTimeout: "5 seconds"
      }).pipe(Scope.extend(scope))
      yield* session.get
      const closing = yield* Effect.fork(
        Scope.close(scope, Exit.void).pipe(
          Effect.uninterruptible, // as under Effect.scoped
          Effect.provide(Logger.replace(Logger.defaultLogger, collectLogs(logs)))
        )
      )
      yield* TestClock.adjust(4_999)
      expect((yield* Fiber.poll(closing))._tag).toBe("None")
      yield* TestClock.adjust(1)
      yield* Fiber.join(closing)
      expect(logs.some((l) => l.includes("WARN") && l.includes("releasing the credential failed"))).toBe(true)
      // Used after its scope closed: a defect naming the mistake, not a new login.
      const exit = yield* Effect.exit(session.get)
      expect(Exit.isFailure(exit) && String(exit.cause)).toContain("after its scope closed")
    }))

  it.effect("without a release, a login in flight is interrupted when the scope closes", () =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const session = yield* Session.make({ acquire: Effect.never.pipe(Effect.as("never")) }).pipe(Scope.extend(scope))
      const caller = yield* Effect.fork(session.get)
      yield* Effect.yieldNow()
      yield* Scope.close(scope, Exit.void)
      const exit = yield* Fiber.await(caller)
      expect(Exit.isInterrupted(exit)).toBe(true)
    }))
})
