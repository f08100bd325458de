/**
 * A small HTTP server for simulating third-party APIs in tests.
 *
 * Built directly on node:http so faults can act on the raw socket (resets,
 * truncated bodies, hanging requests). Every request is numbered (1-based)
 * and logged; faults and latency are configured up front and can be changed
 * while the server runs.
 */
import * as http from "node:http"
import * as https from "node:https"
import type { Socket } from "node:net"
import { Context, Effect, Layer } from "effect"
import type { Scope } from "effect"
import type { Fault, FaultRule } from "./Faults.js"
import { makeRuleState, select } from "./Faults.js"
import type { RuleState } from "./Faults.js"
import { derive, rng } from "./Seed.js"
import type { Rng } from "./Seed.js"

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

export interface SimResponse {
  readonly status: number
  readonly headers?: Record<string, string | ReadonlyArray<string>>
  readonly body?: string | Uint8Array
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>

export interface Latency {
  readonly millis: number
  /** Up to this many extra millis, drawn from a seeded generator. */
  readonly jitterMillis?: number
}

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

export type LoggedRequest = SimRequest & {
  readonly fault?: Fault["_tag"]
  readonly status?: number
}

export interface RunningServer {
  /** e.g. "http://127.0.0.1:53122" (no trailing slash; "https://…" with `tls`). */
  readonly url: string
  readonly port: number
  /** Snapshot of the request log, in arrival order. */
  readonly requests: ReadonlyArray<LoggedRequest>
  /** Total requests received (not limited by `maxLog`). */
  readonly requestCount: number
  setFaults(rules: ReadonlyArray<FaultRule>): void
  setLatency(latency: Latency | undefined): void
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

// ---------------------------------------------------------------------------
// Response helpers

export const json = (status: number, value: unknown, headers?: Record<string, string>): SimResponse => ({
  status,
  headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(value)
})

export const xml = (status: number, text: string, headers?: Record<string, string>): SimResponse => ({
  status,
  headers: { "Content-Type": "application/xml; charset=utf-8", ...headers },
  body: text
})

export const text = (status: number, text: string, contentType = "text/plain; charset=utf-8"): SimResponse => ({
  status,
  headers: { "Content-Type": contentType },
  body: text
})

// ---------------------------------------------------------------------------
// Internals

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

const html502Page = [
  "<html>",
  "<head><title>502 Bad Gateway</title></head>",
  "<body>",
  "<center><h1>502 Bad Gateway</h1></center>",
  "<hr><center>nginx/1.24.0</center>",
  "</body>",
  "</html>",
  ""
].join("\r\n")

const handlerFailure: SimResponse = json(500, { error: "simulator handler failed" })

const normaliseHeaders = (raw: http.IncomingHttpHeaders): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value
  }
  return out
}

const readBody = (req: http.IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    // An aborted upload still gets logged with whatever arrived.
    req.on("error", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

const sleep = (millis: number): Promise<void> =>
  millis > 0 ? new Promise((resolve) => setTimeout(resolve, millis)) : Promise.resolve()

const toBytes = (body: string | Uint8Array | undefined): Buffer =>
  body === undefined ? Buffer.alloc(0) : typeof body === "string" ? Buffer.from(body, "utf8") : Buffer.from(body)

/** Statuses that must not carry a body (and so get no Content-Length). */
const bodyless = (status: number): boolean => status === 204 || status === 304 || (status >= 100 && status < 200)

const guessContentType = (body: string): string => {
  const trimmed = body.trimStart()
  return trimmed.startsWith("{") || trimmed.startsWith("[")
    ? "application/json; charset=utf-8"
    : "text/plain; charset=utf-8"
}

const faultResponse = (fault: Fault, req: SimRequest): SimResponse | undefined => {
  switch (fault._tag) {
    case "Status": {
      const bodyText = fault.body ?? JSON.stringify({ error: `status_${fault.status}`, message: "simulated fault" })
      const headers: Record<string, string> = { ...fault.headers }
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
        headers["Content-Type"] = guessContentType(bodyText)
      }
      return { status: fault.status, headers, body: bodyText }
    }
    case "Html502":
      return text(502, html502Page, "text/html")
    case "Body":
      return {
        status: fault.status ?? 200,
        headers: { "Content-Type": fault.contentType ?? "application/json; charset=utf-8" },
        body: fault.body
      }
    case "Respond":
      return fault.respond(req)
    default:
      return undefined
  }
}

/** Streams body bytes until the connection goes away (the `Endless` fault). */
const writeEndless = (res: http.ServerResponse, fault: Extract<Fault, { readonly _tag: "Endless" }>): number => {
  const stats = fault.stats
  stats.started++
  const headers: Record<string, string> = { "Content-Type": fault.contentType }
  if (fault.contentLength !== undefined) headers["Content-Length"] = String(fault.contentLength)
  res.writeHead(fault.status, headers)
  const chunk = Buffer.from(`"${"z".repeat(16 * 1024 - 3)}",`)
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    stats.closed++
  }
  res.on("close", stop)
  res.on("error", stop)
  const pump = () => {
    while (!stopped && !res.destroyed) {
      stats.bytes += chunk.length
      if (!res.write(chunk)) {
        res.once("drain", pump)
        return
      }
    }
  }
  res.write("[")
  pump()
  return fault.status
}

const isOpen = (res: http.ServerResponse): boolean => !res.destroyed && !res.writableEnded && !res.socket?.destroyed

/**
 * Writes a response with an exact Content-Length. When `fraction` is given,
 * only that share of the body is written before the socket is destroyed.
 * Returns the status actually sent.
 */
const writeResponse = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  response: SimResponse,
  fraction?: number
): number => {
  const bytes = toBytes(response.body)
  const noBody = bodyless(response.status)
  res.statusCode = response.status
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    if (name.toLowerCase() === "content-length") continue
    res.setHeader(name, typeof value === "string" ? value : [...value])
  }
  // A handler may ask for a chunked body (no declared length) by setting
  // Transfer-Encoding itself; otherwise the length is always exact.
  const chunked = Object.entries(response.headers ?? {}).some(
    ([name, value]) => name.toLowerCase() === "transfer-encoding" && String(value).toLowerCase().includes("chunked")
  )
  if (chunked) res.removeHeader("transfer-encoding")
  if (!noBody && !chunked) res.setHeader("Content-Length", String(bytes.length))
  if (noBody || req.method === "HEAD") {
    res.end()
    return response.status
  }
  if (fraction === undefined) {
    res.end(bytes)
    return response.status
  }
  const cut = Math.max(0, Math.min(bytes.length, Math.floor(bytes.length * fraction)))
  // Never send the whole body: a truncation must be observable.
  const sent = bytes.length > 0 && cut >= bytes.length ? bytes.length - 1 : cut
  res.flushHeaders()
  const socket = res.socket
  res.write(bytes.subarray(0, sent), () => {
    socket?.destroy()
  })
  return response.status
}

// ---------------------------------------------------------------------------
// Server

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
  let closing: Promise<void> | undefined
  const sockets = new Set<Socket>()
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

  /** Writes a response; a broken response (bad status, bad header) becomes a 500. */
  const safeWrite = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    response: SimResponse,
    fraction?: number
  ): number | undefined => {
    try {
      return writeResponse(req, res, response, fraction)
    } catch {
      if (res.headersSent) {
        res.destroy()
        return undefined
      }
      for (const name of res.getHeaderNames()) res.removeHeader(name)
      try {
        return writeResponse(req, res, handlerFailure)
      } catch {
        res.destroy()
        return undefined
      }
    }
  }

  const listener = (req: http.IncomingMessage, res: http.ServerResponse) => {
    onRequest(req, res).catch(() => {
      // Last resort: never let one request take the server down.
      if (!res.headersSent && isOpen(res)) safeWrite(req, res, handlerFailure)
      else res.destroy()
    })
  }
  const server: http.Server = options.tls === undefined
    ? http.createServer(listener)
    : https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener)
  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  // Malformed requests from clients should not surface as process errors.
  server.on("clientError", (_err, socket: Socket) => {
    socket.destroy()
  })

  const stopListening = (): Promise<void> =>
    new Promise<void>((resolve) => {
      // Resolves with an error too when the server was not listening (paused).
      server.close(() => resolve())
      server.closeAllConnections()
      for (const socket of sockets) socket.destroy()
      sockets.clear()
    })

  const pause = (): Promise<void> => (closing === undefined && server.listening ? stopListening() : Promise.resolve())

  const resume = (): Promise<void> =>
    closing !== undefined || server.listening
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
        server.once("error", reject)
        server.listen(port, host, () => {
          server.off("error", reject)
          resolve()
        })
      })

  const close = (): Promise<void> => {
    if (closing === undefined) {
      closing = new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
        for (const socket of sockets) socket.destroy()
        sockets.clear()
      })
    }
    return closing
  }

  return new Promise<RunningServer>((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once("error", onError)
    server.listen(options.port ?? 0, host, () => {
      server.off("error", onError)
      const address = server.address()
      port = typeof address === "object" && address !== null ? address.port : (options.port ?? 0)
      const urlHost = host.includes(":") ? `[${host}]` : host
      const running: RunningServer = {
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
        pause,
        resume,
        close
      }
      resolve(running)
    })
  })
}

/** Scoped server: started on acquisition, closed when the scope closes. */
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
 */
export const layer = <I>(
  tag: Context.Tag<I, RunningServer>,
  options: ServerOptions
): Layer.Layer<I> => Layer.scoped(tag, make(options))

/** A ready-made tag for tests that need a single simulator. */
export class Simulator extends Context.Tag("@jobstream/testkit/Simulator")<Simulator, RunningServer>() {}
