/**
 * The CLI's command tree run in-process (`Cli.run` with a captured output and
 * a config provider instead of the environment): help for every command, the
 * usage errors, `get` for every provider, and `--keep-going`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Cli from "@jobstream/cli/Cli"
import * as Errors from "@jobstream/cli/Errors"
import { Provider } from "@jobstream/core"
import { Harness, Registry } from "@jobstream/testkit"
import { Effect } from "effect"
import { runInProcess } from "./helpers.js"

const jobstream = runInProcess

/** The simulator of every registered provider, and the environment that points the CLI at them. */
const simulators = Harness.startAll(Registry.providers, (entry) => ({ jobs: 2 * entry.defaultPageSize + 12 }))

describe("jobstream (in-process)", () => {
  it.live("--help works for every command and exits 0", () =>
    Effect.gen(function*() {
      for (const command of [[], ["list"], ["get"], ["cancel"], ["watch"]]) {
        const r = yield* jobstream([...command, "--help"])
        expect(r.code).toBe(0)
        expect(r.stderr).toBe("")
        expect(r.help).toContain(command.length === 0 ? "COMMANDS" : `$ jobstream ${command[0]} `)
        expect(r.help).not.toMatch(/\x1b\[/) // the test process's stdout is not a terminal
      }
      const list = yield* jobstream(["list", "--help"])
      for (const flag of ["--provider", "--status", "--limit", "--format", "--keep-going", "--insideview-url"]) {
        expect(list.help).toContain(flag)
      }
    }))

  it.live("usage and configuration errors: one line, exit 2", () =>
    Effect.gen(function*() {
      const cases: ReadonlyArray<[ReadonlyArray<string>, Record<string, string>, RegExp]> = [
        [["list"], {}, /^jobstream: no provider is configured: set INSIDEVIEW_ACCESS_TOKEN/],
        [["list", "--provider", "greenarrow"], { GREENARROW_API_KEY: "k" }, /missing GREENARROW_BASE_URL \(or --greenarrow-url\)$/m],
        [["list"], { INSIDEVIEW_CLIENT_ID: "id" }, /insideview is not configured: missing INSIDEVIEW_CLIENT_SECRET$/m],
        [["list", "--limit", "0"], { INSIDEVIEW_ACCESS_TOKEN: "t" }, /^jobstream: --limit: expected 1 or more, got 0$/m],
        [["list", "--status", "done"], {}, /^jobstream: .*pending, running/],
        [["cancel", "insideview", "x"], {}, /^jobstream: .*icws/],
        [["watch", "icws", "x", "--interval", "soon"], {}, /--interval: expected a duration/],
        [["get", "icws"], {}, /^jobstream: /],
        [[], {}, /missing command/],
        [["list"], { INSIDEVIEW_ACCESS_TOKEN: "t", INSIDEVIEW_FORMAT: "yaml" }, /^jobstream: configuration: .*INSIDEVIEW_FORMAT/]
      ]
      for (const [args, env, message] of cases) {
        const r = yield* jobstream(args, env)
        expect({ args, code: r.code }).toEqual({ args, code: 2 })
        expect(r.stderr.split("\n")).toHaveLength(2) // one line and its newline
        expect(r.stderr).toMatch(message)
        expect(r.stdout).toBe("")
      }
    }))

  it.live("get shows one job of each provider, as text or JSON", () =>
    Effect.gen(function*() {
      const s = yield* simulators
      for (const running of s.running) {
        const name = running.entry.provider.name
        const id = running.expectedIds()[7]!
        const text = yield* jobstream(["get", name, id], s.env)
        expect(text.code).toBe(0)
        expect(text.stdout).toContain(`id:       ${id}`)
        const json = yield* jobstream(["get", name, id, "--format", "json"], s.env)
        expect(json.code).toBe(0)
        expect(JSON.parse(json.stdout)).toMatchObject({ provider: name, id })
        const missing = yield* jobstream(["get", name, "999999999"], s.env)
        expect(missing.code).toBe(1)
        // A scan of the listing that does not find the job has no HTTP status to report, so no line shows one.
        expect(missing.stderr).toMatch(new RegExp(`^jobstream: ${name}: job "999999999" not found`))
        expect(missing.stderr).not.toMatch(/\b404\b/)
      }
    }).pipe(Effect.scoped))

  it.live("--keep-going prints the failing provider on stderr, the others on stdout, and exits 1", () =>
    Effect.gen(function*() {
      const s = yield* simulators
      // The last provider fails: its secrets are wrong.
      const failing = s.running.at(-1)!
      const others = s.running.slice(0, -1)
      const name = failing.entry.provider.name
      const wrong = Object.fromEntries(Provider.secretVariables([failing.entry.provider]).map((v) => [v, "wrong-secret-value"]))
      const env = { ...s.env, ...wrong }
      const failFast = yield* jobstream(["list", "--format", "json"], env)
      expect(failFast.code).toBe(1)
      expect(failFast.stderr).toMatch(new RegExp(`^jobstream: ${name}\\.\\w+: `))
      expect(() => JSON.parse(failFast.stdout)).toThrow() // a partial listing is never valid JSON

      const r = yield* jobstream(["list", "--format", "json", "--keep-going", "--summary"], env)
      expect(r.code).toBe(1)
      const jobs = JSON.parse(r.stdout) as Array<{ provider: string }>
      for (const o of others) expect(jobs.filter((j) => j.provider === o.entry.provider.name)).toHaveLength(o.expectedIds().length)
      const err = r.stderr.split("\n").filter((l) => l !== "")
      expect(err, r.stderr).toHaveLength(2)
      expect(err[0]).toMatch(new RegExp(`^jobstream: ${name}\\.`))
      const counts = [...others.map((o) => `${o.entry.provider.name} ${o.expectedIds().length}`), `${name} 0`].join(", ")
      expect(err[1]).toMatch(new RegExp(`^listed ${jobs.length} jobs \\(${counts}\\) in \\d+\\.\\d s$`))
      expect(r.stderr).not.toContain("wrong-secret-value")

      const first = others[0]!.entry.provider.name
      const limited = yield* jobstream(["list", "--format", "ndjson", "--keep-going", "--limit", "3", "--provider", first], env)
      expect(limited.code).toBe(0)
      expect(limited.stdout.trim().split("\n")).toHaveLength(3)
    }).pipe(Effect.scoped))

  it("masks secret values in any message as a last resort", () => {
    expect(Errors.mask("token abcd1234 leaked, abcd1234 again", ["abcd1234"])).toBe("token <redacted> leaked, <redacted> again")
    expect(Errors.oneLine("a\n  b\x1b[1m c\x1b[0m")).toBe("a b c")
    expect(Cli.parseDuration("250ms")._tag).toBe("Some")
    expect(Cli.parseDuration("later")._tag).toBe("None")
  })
})
