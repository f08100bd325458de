/**
 * Oversize bodies are cancelled. A server announcing a 2 GB `Content-Length`,
 * or streaming a body that never ends, gets a typed `DecodeError` (format
 * "body") back from every provider, with fetch and with undici — not
 * retried — and sees its connection closed right after: the body is not
 * read on, the socket is released, and a program doing this ends by itself.
 */
import { describe, expect, it } from "@effect/vitest"
import type { ApiError } from "@jobstream/core"
import { Faults } from "@jobstream/testkit"
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import * as Effect from "effect/Effect"
import { clientKinds, eventually, guard, httpClient, lists } from "./support.js"

const limit = 256 * 1024

describe("oversize bodies are abandoned and their sockets released", () => {
  for (const target of lists) {
    for (const kind of clientKinds) {
      for (const contentLength of [2 * 1024 ** 3, undefined]) {
        const what = contentLength === undefined ? "a body that never ends (chunked)" : "a 2 GB Content-Length"
        it.live(`${target.provider}: ${what} → DecodeError (body), connection closed [${kind}]`, () =>
          Effect.gen(function*() {
            const { run, sim } = yield* target.start()
            const fault = Faults.endless(contentLength === undefined ? {} : { contentLength })
            sim.setFaults([{ fault, match: target.match }])
            const error: ApiError.ApiError = yield* guard(
              Effect.flip(run({ maxBodyBytes: limit })),
              10_000,
              "the oversize call"
            )
            expect(error).toMatchObject({ _tag: "DecodeError", format: "body", excerpt: "" })
            if (error._tag === "DecodeError") expect(error.issue).toContain(`limit of ${limit} bytes`)
            // Not retried (the same body would come back), and the server saw its response abandoned.
            expect(fault.stats.started).toBe(1)
            yield* eventually(() => fault.stats.closed === 1, "the server to see the connection close")
            if (contentLength === undefined) {
              // Stopped near the limit, not read on (socket buffers aside).
              expect(fault.stats.bytes).toBeLessThan(limit + 16 * 1024 * 1024)
            }
          }).pipe(Effect.scoped, Effect.provide(httpClient(kind))))
      }
    }
  }

  for (const contentLength of [2 * 1024 ** 3, undefined]) {
    const what = contentLength === undefined ? "bodies that never end" : "2 GB Content-Lengths"
    it.live(`a child process getting ${what} from every provider, with both clients, exits by itself`, () =>
      Effect.gen(function*() {
        // The servers live here, in the parent, and keep streaming: only the child's own
        // cleanup can let it end.
        const faults = lists.map(() => Faults.endless(contentLength === undefined ? {} : { contentLength }))
        const urls: Record<string, string> = {}
        for (const [i, target] of lists.entries()) {
          const { sim } = yield* target.start()
          sim.setFaults([{ fault: faults[i]!, match: target.match }])
          urls[target.provider] = sim.url
        }
        expect(Object.keys(urls)).toHaveLength(lists.length)
        const script = fileURLToPath(new URL("./oversize-child.ts", import.meta.url))
        const root = fileURLToPath(new URL("../..", import.meta.url))
        const result = yield* guard(
          Effect.async<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resume) => {
            const child = spawn(
              process.execPath,
              ["--import", "tsx", "--conditions=@jobstream/source", script, JSON.stringify(urls)],
              { cwd: root, stdio: ["ignore", "pipe", "pipe"] }
            )
            let stdout = ""
            let stderr = ""
            child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
            child.on("exit", (code) => resume(Effect.succeed({ code, stdout, stderr })))
            return Effect.sync(() => child.kill("SIGKILL"))
          }),
          25_000,
          "the child process to exit on its own"
        )
        expect(result.stderr).toBe("")
        expect(result.code).toBe(0)
        const lines = JSON.parse(result.stdout.trim().split("\n").pop()!) as ReadonlyArray<string>
        expect(lines).toHaveLength(2 * lists.length)
        for (const line of lines) expect(line).toMatch(/: DecodeError$/)
        // Two responses per provider (one per client), both abandoned.
        for (const fault of faults) {
          expect(fault.stats.started).toBe(2)
          yield* eventually(() => fault.stats.closed === 2, "every response to be abandoned")
        }
      }).pipe(Effect.scoped))
  }
})
