/**
 * What the testkit's own tests share: servers closed after each test (even
 * when an assertion fails), an echo handler, polling, fake requests.
 */
import { onTestFinished } from "vitest"
import * as Server from "../src/Server.js"
import type { RunningServer, SimRequest } from "../src/Server.js"

// A server opened by a test is closed when that test ends, even when an assertion fails. The hook is
// registered on the running test, not at this module's top level: test files share the worker's modules,
// so a top-level `afterEach` here would be registered for the first file that imports it and no other.
export const track = <S extends RunningServer>(server: S): S => {
  onTestFinished(() => server.close())
  return server
}

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
