import { describe, expect, it } from "@effect/vitest"
import { ApiError, Session } from "@jobstream/core"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import { eventually, nextSleep, tick } from "./utils.js"

const unauthorized = new ApiError.Unauthorized({
  provider: "test",
  operation: "op",
  method: "GET",
  url: "http://x/",
  status: 401
})

/** A logger keeping "LEVEL message" lines. */
const collectLogs = (lines: Array<string>) =>
  Logger.make(({ logLevel, message }) => void lines.push(`${logLevel.label} ${String(message)}`))

/** A session whose acquisition hands out "token-1", "token-2", … and blocks until `gate` opens. */
const counting = (
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
