/**
 * A small HTTP server for simulating third-party APIs in tests.
 *
 * Built directly on node:http so faults can act on the raw socket (resets,
 * truncated bodies, hanging requests). Every request is numbered (1-based)
 * and logged; faults and latency are configured up front and can be changed
 * while the server runs.
 *
 * @since 0.1.0
 * @module
 */
import type * as http from "node:http"
import { Context, Effect, Layer } from "effect"
import type { Scope } from "effect"
import type { Fault, FaultRule } from "./Faults.js"
import { makeRuleState, select } from "./Faults.js"
import type { RuleState } from "./Faults.js"
import { listen } from "./internal/listen.js"
import {
  faultResponse,
  handlerFailure,
  isOpen,
  normaliseHeaders,
  readBody,
  safeWrite,
  sleep,
  writeEndless
} from "./internal/respond.js"
import { derive, rng } from "./Seed.js"
import type { Rng } from "./Seed.js"

/**
 * A request as a handler sees it: method, parsed URL, lower-cased headers
 * and the whole body as text.
 *
 * @since 0.1.0
 */
export interface SimRequest {
  /** 1-based position in the server's global request counter. */
  readonly index: number
  readonly method: string
  readonly url: URL
  readonly path: string
  readonly query: URLSearchParams
  /** Lower-cased header names; repeated headers are joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Epoch millis at which the request arrived. */
  readonly receivedAt: number
}

/**
 * What a handler answers: a status, optional headers (a list for repeated
 * ones such as `Set-Cookie`) and an optional body.
 *
 * @since 0.1.0
 */
export interface SimResponse {
  readonly status: number
  readonly headers?: Record<string, string | ReadonlyArray<string>>
  readonly body?: string | Uint8Array
}

/**
 * Answers one request, synchronously or with a promise; a handler that throws
 * or rejects becomes a 500.
 *
 * @since 0.1.0
 */
export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>

/**
 * Delay added before each answer: `millis`, plus seeded jitter when given.
 *
 * @since 0.1.0
 */
export interface Latency {
  readonly millis: number
  /** Up to this many extra millis, drawn from a seeded generator. */
  readonly jitterMillis?: number
}

/**
 * How {@link start} runs a server: the handler, where to listen, faults,
 * latency and how much of the traffic to log.
 *
 * @since 0.1.0
 */
export interface ServerOptions {
  readonly handler: Handler
  /** Default "127.0.0.1". */
  readonly host?: string
  /** Default 0 (an ephemeral port). */
  readonly port?: number
  readonly latency?: Latency
  readonly faults?: ReadonlyArray<FaultRule>
  /** Seed for probabilistic faults and jitter. Default 1. */
  readonly seed?: number
  /** Keep request bodies in the log. Default true. */
  readonly logBodies?: boolean
  /** Keep at most this many log entries (oldest are dropped). Default 10000. */
  readonly maxLog?: number
  /** Serve HTTPS with this key and certificate (PEM), e.g. `Tls.selfSigned`. Default: plain HTTP. */
  readonly tls?: { readonly key: string; readonly cert: string }
}

/**
 * A logged request, with the fault it got and the status sent (when any).
 *
 * @since 0.1.0
 */
export type LoggedRequest = SimRequest & {
  readonly fault?: Fault["_tag"]
  readonly status?: number
}

/**
 * A server that is listening: its URL, its request log, and the controls a
 * test uses while it runs.
 *
 * @since 0.1.0
 */
export interface RunningServer {
  /** e.g. "http://127.0.0.1:53122" (no trailing slash; "https://…" with `tls`). */
  readonly url: string
  readonly port: number
  /** Snapshot of the request log, in arrival order. */
  readonly requests: ReadonlyArray<LoggedRequest>
  /** Total requests received (not limited by `maxLog`). */
  readonly requestCount: number
  /**
   * Replaces the fault rules (and resets how many times each has fired).
   *
   * @since 0.1.0
   */
  setFaults(rules: ReadonlyArray<FaultRule>): void
  /**
   * Replaces the latency, or removes it with undefined.
   *
   * @since 0.1.0
   */
  setLatency(latency: Latency | undefined): void
  /**
   * Empties the request log (the request counter keeps counting).
   *
   * @since 0.1.0
   */
  clearLog(): void
  /**
   * Stops accepting connections and drops the open ones, keeping all state:
   * clients now get "connection refused" until {@link RunningServer.resume}.
   */
  pause(): Promise<void>
  /** Listens again on the same port after {@link RunningServer.pause}. */
  resume(): Promise<void>
  /**
   * Stops listening and destroys every open socket (keep-alive connections,
   * hanging requests), so the process can exit. Safe to call more than once.
   */
  close(): Promise<void>
}

export { json, text, xml } from "./internal/respond.js"

/** A log entry whose outcome fields are filled in as the request progresses. */
interface MutableEntry {
  index: number
  method: string
  url: URL
  path: string
  query: URLSearchParams
  headers: Readonly<Record<string, string>>
  body: string
  receivedAt: number
  fault?: Fault["_tag"]
  status?: number
}

// ---------------------------------------------------------------------------
// Server

/**
 * Starts a server (by default on 127.0.0.1, an ephemeral port) and resolves
 * once it listens. Close it with `close()`, or use {@link make} or
 * {@link layer} to tie it to a scope.
 *
 * @since 0.1.0
 */
export const start = (options: ServerOptions): Promise<RunningServer> => {
  const host = options.host ?? "127.0.0.1"
  const seed = options.seed ?? 1
  const logBodies = options.logBodies ?? true
  const maxLog = Math.max(0, options.maxLog ?? 10000)

  // Separate streams so that latency jitter never shifts fault decisions.
  const faultRng: Rng = rng(seed)
  const jitterRng: Rng = rng(derive(seed, 0x5eed))

  let rules: ReadonlyArray<FaultRule> = options.faults ?? []
  let ruleState: RuleState = makeRuleState()
  let latency: Latency | undefined = options.latency
  let counter = 0
  let log: Array<MutableEntry> = []
  let port = 0

  const latencyMillis = (): number => {
    if (latency === undefined) return 0
    const jitter = latency.jitterMillis !== undefined && latency.jitterMillis > 0
      ? Math.floor(jitterRng() * (latency.jitterMillis + 1))
      : 0
    return Math.max(0, latency.millis + jitter)
  }

  const onRequest = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    counter += 1
    const index = counter
    const receivedAt = Date.now()
    const url = new URL(req.url ?? "/", `http://${host.includes(":") ? `[${host}]` : host}:${port}`)
    const entry: MutableEntry = {
      index,
      method: req.method ?? "GET",
      url,
      path: url.pathname,
      query: url.searchParams,
      headers: normaliseHeaders(req.headers),
      body: "",
      receivedAt
    }
    if (maxLog > 0) {
      log.push(entry)
      if (log.length > maxLog) log.splice(0, log.length - maxLog)
    }

    const bodyText = await readBody(req)
    if (logBodies) entry.body = bodyText
    const simReq: SimRequest = {
      index,
      method: entry.method,
      url,
      path: entry.path,
      query: entry.query,
      headers: entry.headers,
      body: bodyText,
      receivedAt
    }

    let fault: Fault | undefined
    try {
      fault = select(rules, simReq, faultRng, ruleState)
    } catch {
      // A throwing `match` predicate is treated as "no fault".
      fault = undefined
    }
    if (fault !== undefined) entry.fault = fault._tag

    await sleep(latencyMillis())
    if (!isOpen(res)) return

    if (fault !== undefined) {
      switch (fault._tag) {
        case "Reset": {
          req.socket.resetAndDestroy()
          return
        }
        case "Hang":
          return
        case "Delay": {
          await sleep(fault.millis)
          if (!isOpen(res)) return
          break
        }
        case "Truncate":
        case "ResetAfterHandler":
        case "HangAfterHandler":
          break
        case "Endless": {
          entry.status = writeEndless(res, fault)
          return
        }
        default: {
          let response: SimResponse | undefined
          try {
            response = faultResponse(fault, simReq)
          } catch {
            response = handlerFailure
          }
          if (response !== undefined) {
            entry.status = safeWrite(req, res, response)
            return
          }
        }
      }
    }

    let response: SimResponse
    try {
      response = await options.handler(simReq)
    } catch {
      response = handlerFailure
    }
    if (!isOpen(res)) return
    if (fault?._tag === "ResetAfterHandler") {
      req.socket.resetAndDestroy()
      return
    }
    if (fault?._tag === "HangAfterHandler") return
    const fraction = fault?._tag === "Truncate" ? (fault.fraction ?? 0.5) : undefined
    entry.status = safeWrite(req, res, response, fraction)
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    onRequest(req, res).catch(() => {
      // Last resort: never let one request take the server down.
      if (!res.headersSent && isOpen(res)) safeWrite(req, res, handlerFailure)
      else res.destroy()
    })
  }

  return listen(listener, { host, port: options.port ?? 0, tls: options.tls }).then((listening): RunningServer => {
    port = listening.port
    const urlHost = host.includes(":") ? `[${host}]` : host
    return {
      url: `${options.tls === undefined ? "http" : "https"}://${urlHost}:${port}`,
      port,
      get requests(): ReadonlyArray<LoggedRequest> {
        return log.slice()
      },
      get requestCount(): number {
        return counter
      },
      setFaults(next) {
        rules = next
        ruleState = makeRuleState()
      },
      setLatency(next) {
        latency = next
      },
      clearLog() {
        log = []
      },
      pause: listening.pause,
      resume: listening.resume,
      close: listening.close
    }
  })
}

/**
 * Scoped server: started on acquisition, closed when the scope closes.
 *
 * @since 0.1.0
 */
export const make = (options: ServerOptions): Effect.Effect<RunningServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => start(options)),
    (server) => Effect.promise(() => server.close())
  )

/**
 * A server as a scoped Layer under a tag of your own: started when the layer
 * is built, closed when its scope closes.
 *
 * ```ts
 * class Api extends Context.Tag("test/Api")<Api, Server.RunningServer>() {}
 * const ApiLive = Server.layer(Api, { handler: () => Server.json(200, { ok: true }) })
 * ```
 *
 * @since 0.1.0
 */
export const layer = <I>(
  tag: Context.Tag<I, RunningServer>,
  options: ServerOptions
): Layer.Layer<I> => Layer.scoped(tag, make(options))

/**
 * A ready-made tag for tests that need a single simulator.
 *
 * @since 0.1.0
 */
export class Simulator extends Context.Tag("@jobstream/testkit/Simulator")<Simulator, RunningServer>() {}
