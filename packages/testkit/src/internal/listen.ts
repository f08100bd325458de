/**
 * The node:http(s) server under a simulator: every socket tracked so that
 * `pause` and `close` drop open connections at once, `resume` listening
 * again on the same port. Internal to `Server`.
 */
import * as http from "node:http"
import * as https from "node:https"
import type { Socket } from "node:net"

/** A listening server and its lifecycle. */
export interface Listening {
  /** The port actually bound (an ephemeral one when 0 was asked for). */
  readonly port: number
  readonly pause: () => Promise<void>
  readonly resume: () => Promise<void>
  readonly close: () => Promise<void>
}

/** Starts listening with `listener` on `host:port` (HTTPS with `tls`). */
export const listen = (
  listener: http.RequestListener,
  options: { readonly host: string; readonly port: number; readonly tls?: { readonly key: string; readonly cert: string } | undefined }
): Promise<Listening> => {
  const { host } = options
  const sockets = new Set<Socket>()
  let closing: Promise<void> | undefined
  let port = options.port
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
    if (closing === undefined) closing = stopListening()
    return closing
  }

  return new Promise<Listening>((resolve, reject) => {
    const onError = (error: Error) => reject(error)
    server.once("error", onError)
    server.listen(port, host, () => {
      server.off("error", onError)
      const address = server.address()
      port = typeof address === "object" && address !== null ? address.port : port
      resolve({ port, pause, resume, close })
    })
  })
}
