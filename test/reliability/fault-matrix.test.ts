/**
 * The fault matrix, table-driven: every fault of `matrix.ts` × every
 * registered provider → the error class and the number of requests for the
 * failing page, counted in the simulator's log.
 */
import { expect, it, layer } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { readBlock, renderMatrix, rows } from "./matrix.js"
import { collect, entries, eventually, guard, ids, listCount, live, onList } from "./support.js"

layer(live, { excludeTestServices: true })("fault matrix", (it) => {
  for (const row of rows) {
    for (const entry of entries) {
      const name = entry.provider.name
      const expected = row.expected(entry)
      it.scoped(`${row.name} × ${name} → ${expected.tag} (${expected.attempts})`, () =>
        Effect.gen(function*() {
          const running = yield* entry.start({ jobs: 120 })
          running.server.setFaults(onList(entry, [{ fault: row.fault }]))
          const exit = yield* guard(
            Effect.exit(collect(ids(running, {
              retryPolicy: RetryPolicy.immediate(2),
              ...(row.timeoutMillis !== undefined ? { timeout: `${row.timeoutMillis} millis` } : {})
            }))),
            20_000,
            `${row.name} on ${name}`
          )
          expect(Exit.isFailure(exit)).toBe(true)
          if (Exit.isSuccess(exit)) return
          expect(exit.cause._tag).toBe("Fail")
          if (exit.cause._tag !== "Fail") return
          const error = exit.cause.error
          expect(error._tag).toBe(expected.tag)
          expect(error.message).toContain(name)
          if (row.format !== undefined && error._tag === "DecodeError") expect(error.format).toBe(row.format)
          if (row.timeoutMillis !== undefined && error._tag === "Timeout") {
            expect(error.scope).toBe("attempt")
            expect(error.timeoutMillis).toBe(row.timeoutMillis)
          }
          // An attempt aborted by its timeout may end before the simulator (same process) has
          // logged its request when the machine is busy: let the log settle, boundedly, then count.
          if (row.timeoutMillis !== undefined) {
            yield* Effect.exit(eventually(() => listCount(running) >= expected.attempts, "the log to settle", 2_000))
          }
          expect(listCount(running)).toBe(expected.attempts)
          // Every request the client made was a list request, a login or a logout.
          for (const r of running.server.requests) {
            expect(entry.isList(r) || entry.isSession(r), `${r.method} ${r.path}`).toBe(true)
          }
        }))
    }
  }
})

it("the README documents the matrix: the block between the fault-matrix markers is the rendered table (run render-matrix.ts to update)", () => {
  const readme = readFileSync(fileURLToPath(new URL("../../README.md", import.meta.url)), "utf8")
  expect(readBlock(readme)).toBe(renderMatrix())
})

it("the table has a row per fault and a column per registered provider", () => {
  const table = renderMatrix().split("\n").filter((l) => l.startsWith("| "))
  expect(table.length).toBe(rows.length + 2)
  expect(table[0]).toBe(`| fault | ${entries.map((e) => e.provider.name).join(" | ")} |`)
  expect(rows.map((r) => r.name.split(" ")[0])).toEqual([
    "400", "401", "403", "404", "405", "410", "429", "500", "502", "503", "504", "connection", "timeout", "malformed",
    "schema"
  ])
})
