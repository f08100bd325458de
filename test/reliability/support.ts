/**
 * Shared harness of the reliability suite. The providers come from the
 * testkit's `Registry` (each descriptor paired with its simulator), so
 * every suite runs for every registered provider without naming one; the
 * recorders of logs and spans come from the testkit's `Capture`. What stays
 * here is test plumbing: a TCP proxy that watches sockets and real-time
 * guards.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { RetryPolicy } from "@jobstream/core"
import { Capture, Harness, Registry } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as net from "node:net"

/** Every registered provider, descriptor and simulator. */
export const entries: ReadonlyArray<Harness.Entry> = Registry.providers

/** Real HTTP for every test. */
export const live = FetchHttpClient.layer

export const { collect, errorTexts, findLeaks, safeJson, safeString } = Capture
export const { ids, listCount, onList } = Harness

/** A fast, deterministic retry policy (no jitter, millisecond waits). */
export const quickPolicy = (maxRetries: number): RetryPolicy.RetryPolicy =>
  RetryPolicy.make({ base: "1 millis", maxDelay: "4 millis", jitter: false, maxRetries, maxRetryAfter: "1 second" })

// ---------------------------------------------------------------------------
// Real-time helpers (independent of TestClock)

/** Resolves after `millis` of real time. */
export const realSleep = (millis: number) =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(timer))
  })

/**
 * Runs `effect`, dying (so the test fails) when it has not finished after
 * `millis` of real time. Works under TestClock too. Not a duration assertion:
 * it only keeps a hang from passing or stalling the suite.
 */
export const guard = <A, E, R>(effect: Effect.Effect<A, E, R>, millis: number, what: string) =>
  Effect.raceFirst(
    effect,
    Effect.zipRight(realSleep(millis), Effect.dieMessage(`guard: ${what} did not finish within ${millis} ms`))
  )

/** Polls `check` on real time until it holds; dies after `millis`. */
export const eventually = (check: () => boolean, what: string, millis = 5000) =>
  guard(
    Effect.gen(function*() {
      while (!check()) yield* realSleep(2)
    }),
    millis,
    what
  )

// ---------------------------------------------------------------------------
// A TCP proxy that records connections, so tests can see sockets close

export interface Proxy {
  readonly url: string
  /** Connections accepted so far. */
  readonly accepted: number
  /** Connections currently open (client side). */
  readonly open: number
  /** Connections closed by either side. */
  readonly closed: number
  close(): Promise<void>
}

export const startProxy = (target: { readonly port: number }): Promise<Proxy> =>
  new Promise((resolve, reject) => {
    let accepted = 0
    let closed = 0
    const sockets = new Set<net.Socket>()
    const server = net.createServer((client) => {
      accepted++
      sockets.add(client)
      const upstream = net.connect(target.port, "127.0.0.1")
      sockets.add(upstream)
      client.pipe(upstream)
      upstream.pipe(client)
      let done = false
      const end = () => {
        if (!done) {
          done = true
          closed++
        }
        client.destroy()
        upstream.destroy()
      }
      client.on("close", () => {
        sockets.delete(client)
        end()
      })
      upstream.on("close", () => {
        sockets.delete(upstream)
        end()
      })
      client.on("error", end)
      upstream.on("error", end)
    })
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resolve({
        url: `http://127.0.0.1:${port}`,
        get accepted() {
          return accepted
        },
        get open() {
          return accepted - closed
        },
        get closed() {
          return closed
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })

export const makeProxy = (target: { readonly port: number }) =>
  Effect.acquireRelease(Effect.promise(() => startProxy(target)), (proxy) => Effect.promise(() => proxy.close()))
