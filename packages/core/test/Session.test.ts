import { describe, expect, it } from "@effect/vitest"
import { ApiError, Session } from "@jobstream/core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"

const unauthorized = new ApiError.Unauthorized({
  provider: "test",
  operation: "op",
  method: "GET",
  url: "http://x/",
  status: 401
})

/** A session whose acquisition hands out "token-1", "token-2", … and blocks until `gate` opens. */
const counting = (options: { readonly expiresIn?: number; readonly refreshAhead?: number } = {}) =>
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
      release: (c) => Ref.update(released, (xs) => [...xs, c.token])
    })
    return { session, issued, released }
  })

describe("Session", () => {
  it.scoped("50 concurrent callers cause one acquisition", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const issued = yield* Ref.make(0)
      const session = yield* Session.make({
        acquire: Deferred.await(gate).pipe(Effect.zipRight(Ref.updateAndGet(issued, (n) => n + 1)))
      })
      const fibers = yield* Effect.forEach(Array.from({ length: 50 }), () => Effect.fork(session.get))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      const results = yield* Effect.forEach(fibers, Fiber.join)
      expect(new Set(results)).toEqual(new Set([1]))
      expect(yield* Ref.get(issued)).toBe(1)
      expect(yield* session.acquisitions).toBe(1)
    }))

  it.scoped("invalidate then get acquires again; a stale invalidate is ignored", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting()
      const first = yield* session.get
      yield* session.invalidate(first)
      const second = yield* session.get
      expect(second.token).toBe("token-2")
      yield* session.invalidate(first) // stale: token-1 is no longer current
      expect((yield* session.get).token).toBe("token-2")
      expect(yield* Ref.get(issued)).toBe(2)
    }))

  it.scoped("withCredential retries once with a fresh credential after Unauthorized, and only once", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting()
      const seen: Array<string> = []
      const result = yield* session.withCredential((c) => {
        seen.push(c.token)
        return c.token === "token-1" ? Effect.fail(unauthorized) : Effect.succeed(`ok with ${c.token}`)
      })
      expect(result).toBe("ok with token-2")
      expect(seen).toEqual(["token-1", "token-2"])

      const always = yield* Effect.flip(session.withCredential(() => Effect.fail(unauthorized)))
      expect(always._tag).toBe("Unauthorized")
      expect(yield* Ref.get(issued)).toBe(3)
    }))

  it.scoped("concurrent 401s on the same credential cause one re-acquisition", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting()
      yield* session.get
      const results = yield* Effect.forEach(
        Array.from({ length: 20 }),
        () => session.withCredential((c) => c.token === "token-1" ? Effect.fail(unauthorized) : Effect.succeed(c.token)),
        { concurrency: "unbounded" }
      )
      expect(new Set(results)).toEqual(new Set(["token-2"]))
      expect(yield* Ref.get(issued)).toBe(2)
    }))

  it.scoped("other errors pass through without re-acquiring", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting()
      const error = yield* Effect.flip(session.withCredential(() => Effect.fail("boom" as const)))
      expect(error).toBe("boom")
      expect(yield* Ref.get(issued)).toBe(1)
    }))

  it.scoped("a failed acquisition reaches every waiter and the next get tries again", () =>
    Effect.gen(function*() {
      const attempts = yield* Ref.make(0)
      const session = yield* Session.make({
        acquire: Ref.updateAndGet(attempts, (n) => n + 1).pipe(
          Effect.flatMap((n) => (n === 1 ? Effect.fail("login failed" as const) : Effect.succeed(`cred-${n}`)))
        )
      })
      const failures = yield* Effect.forEach(Array.from({ length: 5 }), () => Effect.flip(session.get), {
        concurrency: "unbounded"
      })
      expect(failures).toEqual(Array.from({ length: 5 }, () => "login failed"))
      expect(yield* session.get).toBe("cred-2")
    }))

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
})
