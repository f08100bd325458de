/** Session: single flight, re-logins after 401s, failed logins. */
import { describe, expect, it } from "@effect/vitest"
import { Session } from "@jobstream/core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as TestClock from "effect/TestClock"
import { eventually, nextSleep, tick } from "./utils.js"
import { counting, unauthorized } from "./sessionHelpers.js"

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

  it.scoped("an expired credential (accepted before) is replaced at once, and the call retried with the new one", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting()
      yield* session.withCredential(() => Effect.void) // token-1 accepted
      const seen: Array<string> = []
      const result = yield* session.withCredential((c) => {
        seen.push(c.token)
        return c.token === "token-1" ? Effect.fail(unauthorized) : Effect.succeed(`ok with ${c.token}`)
      })
      expect(result).toBe("ok with token-2")
      expect(seen).toEqual(["token-1", "token-2"])
      expect(yield* session.rejections).toBe(1)
      expect(yield* Ref.get(issued)).toBe(2)
      expect(yield* TestClock.sleeps()).toHaveLength(0)
    }))

  it.scoped("a 401 on the newer credential too is recovered: one more login, after a backoff", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting()
      yield* session.withCredential(() => Effect.void) // token-1 accepted, then expires
      const seen: Array<string> = []
      const fiber = yield* Effect.fork(session.withCredential((c) => {
        seen.push(c.token)
        return c.token === "token-3" ? Effect.succeed(c.token) : Effect.fail(unauthorized)
      }))
      // token-1 rejected → immediate login; token-2 rejected before any use → the next login waits 200 ms.
      yield* eventually(Effect.map(TestClock.sleeps(), (s) => s.length === 1), "the backoff sleep")
      expect(seen).toEqual(["token-1", "token-2"])
      expect(yield* Ref.get(issued)).toBe(2)
      yield* TestClock.adjust(199)
      expect(yield* Ref.get(issued)).toBe(2)
      yield* TestClock.adjust(1)
      expect(yield* Fiber.join(fiber)).toBe("token-3")
      expect(seen).toEqual(["token-1", "token-2", "token-3"])
      expect(yield* session.acquisitions).toBe(3)
      expect(yield* session.rejections).toBe(2)
    }))

  it.scoped("a credential rejected every time: maxRelogins re-logins, spaced by a doubling backoff, then Unauthorized", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting({ maxRelogins: 3 })
      const fiber = yield* Effect.fork(Effect.flip(session.withCredential(() => Effect.fail(unauthorized))))
      const waits: Array<number> = []
      for (let i = 0; i < 3; i++) {
        const at = yield* nextSleep
        const now = yield* TestClock.currentTimeMillis
        waits.push(at - now)
        yield* TestClock.adjust(at - now)
      }
      const error = yield* Fiber.join(fiber)
      expect(error._tag).toBe("Unauthorized")
      expect(waits).toEqual([200, 400, 800])
      // 1 + 3 logins for 4 attempts; nothing more.
      expect(yield* Ref.get(issued)).toBe(4)
      expect(yield* session.rejections).toBe(4)
    }))

  it.scoped("8 callers against a server that rejects everything: logins stay single-flight and spaced", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting()
      const fiber = yield* Effect.fork(Effect.forEach(
        Array.from({ length: 8 }),
        () => Effect.flip(session.withCredential(() => Effect.fail(unauthorized))),
        { concurrency: "unbounded" }
      ))
      for (let i = 0; i < 10 && (yield* Fiber.poll(fiber))._tag === "None"; i++) {
        yield* TestClock.adjust(10_000)
        yield* tick
      }
      const errors = yield* Fiber.join(fiber)
      expect(errors.map((e) => e._tag)).toEqual(Array.from({ length: 8 }, () => "Unauthorized"))
      expect(yield* Ref.get(issued)).toBe(3)
      expect(yield* session.rejections).toBe(24)
    }))

  it.scoped("maxRelogins 0 surfaces the first Unauthorized without a re-login", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting({ maxRelogins: 0 })
      const error = yield* Effect.flip(session.withCredential(() => Effect.fail(unauthorized)))
      expect(error._tag).toBe("Unauthorized")
      expect(yield* Ref.get(issued)).toBe(1)
    }))

  for (const concurrency of [1, 4, 8]) {
    it.scoped(`concurrency ${concurrency}: credentials that expire after 3 uses; every call completes, logins bounded`, () =>
      Effect.gen(function*() {
        // A "server" that accepts each credential for its first 3 uses.
        const uses = new Map<string, number>()
        let accepted = 0
        const { issued, session } = yield* counting({ maxRelogins: 3 })
        const call = (i: number) =>
          session.withCredential((c) =>
            Effect.suspend(() => {
              const n = (uses.get(c.token) ?? 0) + 1
              uses.set(c.token, n)
              if (n > 3) return Effect.fail(unauthorized)
              accepted++
              return Effect.yieldNow().pipe(Effect.as(i))
            })
          )
        const fiber = yield* Effect.fork(
          Effect.forEach(Array.from({ length: 60 }, (_, i) => i), call, { concurrency })
        )
        // Back-offs (if any) run on the TestClock.
        while (true) {
          const done = yield* Fiber.poll(fiber)
          if (done._tag === "Some") break
          yield* TestClock.adjust(1000)
          yield* tick
        }
        const results = yield* Fiber.join(fiber)
        expect(results).toEqual(Array.from({ length: 60 }, (_, i) => i))
        expect(accepted).toBe(60)
        // Each credential but the last was used exactly 3 times before being replaced.
        const logins = yield* Ref.get(issued)
        expect(logins).toBeLessThanOrEqual(1 + Math.ceil(60 / 3))
        expect(logins).toBeGreaterThanOrEqual(60 / 3)
        expect(yield* session.acquisitions).toBe(logins)
      }))
  }

  it.scoped("concurrent 401s on the same credential cause one re-acquisition", () =>
    Effect.gen(function*() {
      const { issued, session } = yield* counting()
      yield* session.withCredential(() => Effect.void)
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
})
