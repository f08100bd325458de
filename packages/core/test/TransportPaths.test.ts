/**
 * The transport's cheaper paths (issue 19), over real HTTP from node:http
 * servers made here:
 * - the per-attempt timeout is a timer that aborts the request scope: a
 *   hanging answer (headers or body) becomes `Timeout` and the connection is
 *   closed; an answer within the time is never turned into a timeout, and the
 *   timer of a finished attempt does not touch the attempts after it;
 * - a body with a plain `Content-Length` is read in one go, but a compressed
 *   body is still counted as it inflates (a small gzip that inflates past
 *   `maxBodyBytes` is refused), and a body cut short is a `TransportError`.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { HttpTransport, RetryPolicy } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as http from "node:http"
import * as zlib from "node:zlib"
import { eventually, nextSleep } from "./utils.js"

interface Served {
  readonly url: string
  /** Requests whose connection the client closed. */
  readonly closed: () => number
  readonly requests: () => number
}

/** A node:http server for one test, closed with the scope. */
const serve = (handler: (req: http.IncomingMessage, res: http.ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ server: http.Server; served: Served }>((resolve) => {
        let closed = 0
        let requests = 0
        const server = http.createServer((req, res) => {
          requests++
          req.socket.once("close", () => closed++)
          handler(req, res)
        })
        server.listen(0, "127.0.0.1", () => {
          const port = (server.address() as { port: number }).port
          resolve({ server, served: { url: `http://127.0.0.1:${port}`, closed: () => closed, requests: () => requests } })
        })
      })
    ),
    ({ server }) =>
      Effect.promise(() =>
        new Promise<void>((resolve) => {
          server.closeAllConnections()
          server.close(() => resolve())
        })
      )
  ).pipe(Effect.map(({ served }) => served))

const json = (res: http.ServerResponse, body: string) => {
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
  res.end(body)
}

const Body = Schema.Struct({ ok: Schema.Boolean })
const call = (transport: HttpTransport.Service) =>
  transport.execute({ operation: "get", request: HttpClientRequest.get("/x"), decode: HttpTransport.decodeJson(Body) })

describe("HttpTransport: timeout by abort, body read in one go", () => {
  it.scoped("a hanging answer times out as Timeout (attempt) and its connection is closed, on the TestClock", () =>
    Effect.gen(function*() {
      const served = yield* serve(() => {
        // never answers
      })
      const transport = yield* HttpTransport.make({ provider: "p", baseUrl: served.url, timeout: "2 seconds", retryPolicy: RetryPolicy.none })
      const fiber = yield* Effect.fork(Effect.flip(call(transport)))
      yield* eventually(Effect.sync(() => served.requests() === 1), "the request")
      yield* nextSleep
      yield* TestClock.adjust("2 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "Timeout", scope: "attempt", timeoutMillis: 2000 })
      yield* eventually(Effect.sync(() => served.closed() === 1), "the client to close the hanging connection")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("a body that stalls half-way times out too (the abort reaches the body read), on the TestClock", () =>
    Effect.gen(function*() {
      const body = JSON.stringify({ ok: true, pad: "x".repeat(1000) })
      const served = yield* serve((_, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(body) })
        res.write(body.slice(0, 100))
      })
      const transport = yield* HttpTransport.make({ provider: "p", baseUrl: served.url, timeout: "5 seconds", retryPolicy: RetryPolicy.none })
      const fiber = yield* Effect.fork(Effect.flip(call(transport)))
      yield* eventually(Effect.sync(() => served.requests() === 1), "the request")
      yield* nextSleep
      yield* TestClock.adjust("5 seconds")
      expect(yield* Fiber.join(fiber)).toMatchObject({ _tag: "Timeout", scope: "attempt", timeoutMillis: 5000 })
      yield* eventually(Effect.sync(() => served.closed() === 1), "the client to close the stalled connection")
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scoped("an answer within the time is never a timeout, and a finished attempt's timer leaves later ones alone", () =>
    Effect.gen(function*() {
      const served = yield* serve((_, res) => json(res, `{"ok":true}`))
      const transport = yield* HttpTransport.make({ provider: "p", baseUrl: served.url, timeout: "1 second", retryPolicy: RetryPolicy.none })
      expect(yield* call(transport)).toEqual({ ok: true })
      // The first attempt's timer would fire now; the next call must not be aborted by it.
      yield* TestClock.adjust("1 second")
      const second = yield* Effect.fork(call(transport))
      yield* TestClock.adjust("999 millis")
      expect(yield* Fiber.join(second)).toEqual({ ok: true })
      expect(served.requests()).toBe(2)
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("a gzip body is counted as it inflates: small on the wire, over maxBodyBytes once inflated, refused", () =>
    Effect.gen(function*() {
      const big = JSON.stringify({ ok: true, pad: "a".repeat(200_000) })
      const small = JSON.stringify({ ok: true })
      const served = yield* serve((req, res) => {
        const zipped = zlib.gzipSync(req.url === "/small" ? small : big)
        res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": zipped.length })
        res.end(zipped)
      })
      const transport = yield* HttpTransport.make({ provider: "p", baseUrl: served.url, maxBodyBytes: 10_000, retryPolicy: RetryPolicy.none })
      const error = yield* Effect.flip(call(transport))
      expect(error).toMatchObject({ _tag: "DecodeError", format: "body" })
      const ok = yield* transport.execute({
        operation: "get",
        request: HttpClientRequest.get("/small"),
        decode: HttpTransport.decodeJson(Body)
      })
      expect(ok).toEqual({ ok: true })
    }).pipe(Effect.provide(FetchHttpClient.layer)))

  it.scopedLive("a body shorter than its Content-Length is a TransportError; an exact one decodes", () =>
    Effect.gen(function*() {
      const served = yield* serve((req, res) => {
        if (req.url === "/x") return json(res, `{"ok":true}`)
        res.writeHead(200, { "content-type": "application/json", "content-length": 500 })
        res.write(`{"ok":`)
        setTimeout(() => res.socket?.destroy(), 20)
      })
      const transport = yield* HttpTransport.make({ provider: "p", baseUrl: served.url, retryPolicy: RetryPolicy.none })
      expect(yield* call(transport)).toEqual({ ok: true })
      const cut = yield* Effect.flip(
        transport.execute({ operation: "get", request: HttpClientRequest.get("/cut"), decode: HttpTransport.decodeJson(Body) })
      )
      expect(cut._tag).toBe("TransportError")
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
