/**
 * What the testkit's own tests share: servers closed after each test (even
 * when an assertion fails), an echo handler, polling, fake requests.
 */
import { afterEach } from "vitest"
import * as Server from "../src/Server.js"
import type { RunningServer, SimRequest } from "../src/Server.js"

// Servers opened by a test are closed afterwards even when an assertion fails.
const opened: Array<RunningServer> = []
export const track = <S extends RunningServer>(server: S): S => {
  opened.push(server)
  return server
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()))
})

export const echo = (req: SimRequest) =>
  Server.json(200, { method: req.method, path: req.path, q: req.query.get("q"), body: req.body })

export const startEcho = (options: Partial<Server.ServerOptions> = {}) =>
  Server.start({ handler: echo, ...options }).then(track)

export const waitFor = async (cond: () => boolean, timeoutMillis = 2000): Promise<void> => {
  const deadline = Date.now() + timeoutMillis
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((r) => setTimeout(r, 5))
  }
}

export const fakeRequest = (index: number): SimRequest => {
  const url = new URL(`http://localhost/x?i=${index}`)
  return { index, method: "GET", url, path: url.pathname, query: url.searchParams, headers: {}, body: "", receivedAt: 0 }
}
