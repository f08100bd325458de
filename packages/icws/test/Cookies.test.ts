/**
 * A session cookie rotated by the server while requests are in flight: the
 * 401s it causes are retried with the current cookie, never taken for a dead
 * session. Real HTTP against the simulator, plus the decision rule on its own.
 */
import { describe, expect, it } from "@effect/vitest"
import { IcwsSimulator } from "@jobstream/testkit"
import { Cookies as PlatformCookies } from "@effect/platform"
import { Deferred, Effect, Fiber, Stream } from "effect"
import type { Scope } from "effect"
import { CookieJar, inCall, staleCookie } from "../src/internal/cookies.js"
import { requestsTo, withClient } from "./helpers.js"

const live = <A, E>(name: string, f: () => Effect.Effect<A, E, Scope.Scope>) =>
  it.live(name, () => Effect.scoped(f()))

const cookies = (pairs: Record<string, string>) =>
  PlatformCookies.fromIterable(Object.entries(pairs).map(([name, value]) => PlatformCookies.unsafeMakeCookie(name, value)))

describe("telling a stale cookie from a dead session", () => {
  it.live("the jar counts changes; re-setting the same value is not a change", () =>
    Effect.sync(() => {
      const jar = new CookieJar()
      jar.absorb(cookies({ icws_1: "a", node: "n" }))
      expect(jar.version).toBe(2)
      jar.absorb(cookies({ icws_1: "a" }))
      expect(jar.version).toBe(2)
      jar.absorb(cookies({ icws_1: "b" }))
      expect(jar.version).toBe(3)
      expect(jar.header()).toBe("icws_1=b; node=n")
      expect(String(jar) + JSON.stringify(jar)).not.toContain("=b")
    }))

  it.live("changed since the request was sent → stale; unchanged and nothing in flight → dead", () =>
    Effect.gen(function*() {
      const jar = new CookieJar()
      jar.absorb(cookies({ icws_1: "a" }))
      const { call } = inCall(jar)
      call.sent = jar.version
      expect(yield* staleCookie(call, "1 second")).toBe(false)
      jar.absorb(cookies({ icws_1: "b" }))
      expect(yield* staleCookie(call, "1 second")).toBe(true)
      // A call that never sent anything has no cookie to blame.
      expect(yield* staleCookie(inCall(jar).call, "1 second")).toBe(false)
    }))

  it.live("unchanged yet, but a request in flight brings the new cookie → stale (waits for it)", () =>
    Effect.gen(function*() {
      const jar = new CookieJar()
      jar.absorb(cookies({ icws_1: "a" }))
      const { call } = inCall(jar)
      call.sent = jar.version
      const peer = yield* Deferred.make<void>()
      jar.track(peer)
      const verdict = yield* Effect.fork(staleCookie(call, "5 seconds"))
      yield* Effect.sleep("20 millis")
      expect((yield* Fiber.poll(verdict))._tag).toBe("None")
      jar.absorb(cookies({ icws_1: "b" }))
      jar.untrack(peer)
      yield* Deferred.succeed(peer, undefined)
      expect(yield* Fiber.join(verdict)).toBe(true)
    }))

  it.live("unchanged after the requests in flight answered → dead; a peer that never answers is waited for only so long", () =>
    Effect.gen(function*() {
      const jar = new CookieJar()
      jar.absorb(cookies({ icws_1: "a" }))
      const { call } = inCall(jar)
      call.sent = jar.version
      const peer = yield* Deferred.make<void>()
      jar.track(peer)
      const verdict = yield* Effect.fork(staleCookie(call, "5 seconds"))
      jar.untrack(peer)
      yield* Deferred.succeed(peer, undefined)
      expect(yield* Fiber.join(verdict)).toBe(false)

      const silent = yield* Deferred.make<void>()
      jar.track(silent)
      expect(yield* staleCookie(call, "30 millis")).toBe(false)
    }))
})

describe("cookie rotated mid-listing", () => {
  for (const concurrency of [1, 4, 8]) {
    live(`concurrency ${concurrency}: no error, no reconnect; one live session in the scope, none after`, () =>
      Effect.gen(function*() {
        const sim = yield* IcwsSimulator.makeIcws({
          jobs: 75,
          rotateCookiesEvery: 10,
          latency: { millis: 1, jitterMillis: 4 }
        })
        const expected = [...sim.jobs].reverse().map((j) => j.status.id)
        const liveInScope = yield* withClient(sim, (c) =>
          Effect.gen(function*() {
            const listings = yield* Effect.forEach(
              Array.from({ length: concurrency }),
              () => Stream.runCollect(Stream.map(c.jobs({ jobCount: 5 }), (j) => j.jobStatus!.id)),
              { concurrency: "unbounded" }
            )
            for (const ids of listings) expect([...ids]).toEqual(expected)
            return sim.activeSessions.length
          }))
        expect(liveInScope).toBe(1)
        expect(sim.activeSessions).toHaveLength(0)
        expect(sim.createdSessions).toHaveLength(1)
        expect(sim.deletedSessions).toEqual([sim.createdSessions[0]!.sessionId])
        expect(sim.cookieRotations).toBeGreaterThan(0)
        const lists = requestsTo(sim, "GET", "/data-extractor/jobs")
        // 15 full pages and an empty one per listing, each answered once.
        expect(lists.filter((r) => r.status === 200)).toHaveLength(16 * concurrency)
      }))
  }

  live("8 requests in flight when the cookie changes: the 401s they get are retried with the new cookie", () =>
    Effect.gen(function*() {
      const sim = yield* IcwsSimulator.makeIcws({ jobs: 20, pollsPerStep: 0 })
      const ids = sim.jobs.slice(0, 8).map((j) => j.status.id)
      const records = yield* withClient(sim, (c) =>
        Effect.gen(function*() {
          yield* c.getJob(ids[0]!)
          // Every request below is sent with the current cookie; the first
          // answered one replaces it, the others arrive with the old value.
          sim.rotateCookies()
          sim.setLatency({ millis: 40 })
          return yield* Effect.forEach(ids, (id) => c.getJob(id, "status"), { concurrency: "unbounded" })
        }))
      expect(records.map((r) => r.jobStatus!.id)).toEqual(ids)
      const stale = sim.requests.filter((r) => r.status === 401)
      expect(stale.length).toBeGreaterThanOrEqual(1)
      expect(stale.every((r) => r.method === "GET")).toBe(true)
      expect(sim.createdSessions).toHaveLength(1)
      expect(sim.deletedSessions).toEqual([sim.createdSessions[0]!.sessionId])
    }))
})
