/**
 * Runs with every test file (vitest `setupFiles`): when the file's tests are
 * done, no server it started may still be listening.
 *
 * Test files share their worker's modules and process, so a simulator or
 * server a file forgets to close would stay up for every later file of the
 * worker — and it would hide the bug that a user's program leaks servers the
 * same way. Closing is asynchronous, so a server still listening gets a short
 * grace before the file fails.
 */
import { afterAll, expect } from "vitest"

interface Handle {
  readonly constructor: { readonly name: string }
  readonly listening?: boolean
  readonly address?: () => unknown
}

const listening = (): Array<string> =>
  (process as unknown as { _getActiveHandles(): ReadonlyArray<Handle> })._getActiveHandles()
    .filter((h) => h.constructor.name === "Server" && h.listening === true)
    .map((h) => JSON.stringify(h.address?.()))

afterAll(async () => {
  const deadline = Date.now() + 2_000
  while (listening().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20))
  expect(listening(), "servers still listening after this file's tests (close them with the test's scope)").toEqual([])
})
