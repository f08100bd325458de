/**
 * How the simulator server reads requests and writes responses: response
 * helpers, fault responses, exact or truncated bodies, endless bodies.
 * Internal to `Server`.
 */
import type * as http from "node:http"
import type { Fault } from "../Faults.js"
import type { SimRequest, SimResponse } from "../Server.js"

/**
 * A JSON response.
 *
 * @since 0.1.0
 */
export const json = (status: number, value: unknown, headers?: Record<string, string>): SimResponse => ({
  status,
  headers: { "Content-Type": "application/json; charset=utf-8", ...headers },
  body: JSON.stringify(value)
})

/**
 * An XML response.
 *
 * @since 0.1.0
 */
export const xml = (status: number, text: string, headers?: Record<string, string>): SimResponse => ({
  status,
  headers: { "Content-Type": "application/xml; charset=utf-8", ...headers },
  body: text
})

/**
 * A text response (any content type).
 *
 * @since 0.1.0
 */
export const text = (status: number, text: string, contentType = "text/plain; charset=utf-8"): SimResponse => ({
  status,
  headers: { "Content-Type": contentType },
  body: text
})

export const html502Page = [
  "<html>",
  "<head><title>502 Bad Gateway</title></head>",
  "<body>",
  "<center><h1>502 Bad Gateway</h1></center>",
  "<hr><center>nginx/1.24.0</center>",
  "</body>",
  "</html>",
  ""
].join("\r\n")

export const handlerFailure: SimResponse = json(500, { error: "simulator handler failed" })

export const normaliseHeaders = (raw: http.IncomingHttpHeaders): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue
    out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value
  }
  return out
}

export const readBody = (req: http.IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    // An aborted upload still gets logged with whatever arrived.
    req.on("error", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("close", () => resolve(Buffer.concat(chunks).toString("utf8")))
  })

export const sleep = (millis: number): Promise<void> =>
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

export const faultResponse = (fault: Fault, req: SimRequest): SimResponse | undefined => {
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
export const writeEndless = (res: http.ServerResponse, fault: Extract<Fault, { readonly _tag: "Endless" }>): number => {
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

export const isOpen = (res: http.ServerResponse): boolean => !res.destroyed && !res.writableEnded && !res.socket?.destroyed

/**
 * Writes a response with an exact Content-Length. When `fraction` is given,
 * only that share of the body is written before the socket is destroyed.
 * Returns the status actually sent.
 */
export const writeResponse = (
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

/** Writes a response; a broken response (bad status, bad header) becomes a 500. */
export const safeWrite = (
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
