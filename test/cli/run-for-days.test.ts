/**
 * The CLI's long-running commands in-process (captured output, a config
 * provider instead of the environment): `usage`, `list --resume` over every
 * registered provider.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Cli from "@jobstream/cli/Cli"
import * as Output from "@jobstream/cli/Output"
import { Harness, Registry } from "@jobstream/testkit"
import { ConfigProvider, Effect } from "effect"
import { mkdtempSync, readdirSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

const jobstream = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.gen(function*() {
    const output = Output.capture()
    const code = yield* Cli.run(["node", "jobstream", ...args]).pipe(
      Effect.provideService(Output.Output, output),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.provide(NodeContext.layer)
    )
    return { code, stdout: output.stdout(), stderr: output.stderr() }
  })

const ids = (ndjson: string): ReadonlyArray<string> =>
  ndjson.split("\n").filter((l) => l !== "").map((l) => (JSON.parse(l) as { id: string }).id)

describe("jobstream usage", () => {
  it.live("prints the account's usage and credits (text and json); providers without it are refused", () =>
    Effect.gen(function*() {
      const s = yield* Harness.startAll(Registry.providers, () => ({ jobs: 5 }))
      const insideview = Registry.get("insideview")
      const env = s.env
      const text = yield* jobstream(["usage", "insideview", "--period", "year", "--start", "2016"], env)
      expect(text.code, text.stderr).toBe(0)
      expect(text.stdout).toMatch(/^insideview account sim-account: year 2016\.\.2016\n/)
      expect(text.stdout).toMatch(/credits: allocated 1000000, consumed \d+, remaining \d+\n$/)
      const today = new Date().toISOString().slice(0, 10)
      const json = yield* jobstream(["usage", "insideview", "--period", "day", "--format", "json"], env)
      expect(json.code).toBe(0)
      const report = JSON.parse(json.stdout) as { period: unknown; transactions: ReadonlyArray<{ api: string }> }
      expect(report.period).toEqual({ period: "day", start: today, end: today })
      expect(report.transactions.map((t) => t.api)).toContain("admin/usage")
      const bad = yield* jobstream(["usage", "insideview", "--period", "month", "--start", "2016-13"], env)
      expect(bad.code).toBe(1)
      expect(bad.stderr).toMatch(/^jobstream: .*start/)
      for (const entry of Registry.providers.filter((e) => e.provider.capabilities.usage !== true)) {
        const refused = yield* jobstream(["usage", entry.provider.name], env)
        expect(refused.code).toBe(2)
      }
      expect(insideview.provider.capabilities.usage).toBe(true)
    }).pipe(Effect.scoped))
})

describe("jobstream list --resume", () => {
  it.live("a listing that failed at a random page, run again, prints every job once across both runs (every provider)", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "jobstream-resume-"))
      // The CLI's page sizes: InsideView 50, GreenArrow 100 (GREENARROW_PER_PAGE below), ICWS 100.
      const s = yield* Harness.startAll(Registry.providers, () => ({ jobs: 409 }))
      for (const running of s.running) {
        const entry = running.entry
        const name = entry.provider.name
        const env = { ...s.env, JOBSTREAM_STATE_DIR: dir, GREENARROW_PER_PAGE: "100" }
        // The k-th list request (k in 2..4) fails once with a 400, which no client retries.
        const k = 2 + (name.length % 3)
        let seen = 0
        running.server.setFaults([{
          match: (r) => entry.isList(r) && ++seen === k,
          times: 1,
          fault: { _tag: "Status", status: 400, body: "{}" }
        }])
        const first = yield* jobstream(["list", "--provider", name, "--format", "ndjson", "--resume", "nightly"], env)
        expect(first.code, `${name}: ${first.stderr}`).toBe(1)
        const before = ids(first.stdout)
        expect(before.length).toBeLessThan(running.expectedIds().length)
        const second = yield* jobstream(["list", "--provider", name, "--format", "ndjson", "--resume", "nightly"], env)
        expect(second.code, second.stderr).toBe(0)
        expect([...before, ...ids(second.stdout)]).toEqual(running.expectedIds())
        // Read to its end: a third run prints nothing new; --restart prints everything again.
        const third = yield* jobstream(["list", "--provider", name, "--format", "ndjson", "--resume", "nightly"], env)
        expect(ids(third.stdout)).toEqual([])
        const again = yield* jobstream(["list", "--provider", name, "--format", "ndjson", "--resume", "nightly", "--restart"], env)
        expect(ids(again.stdout)).toEqual(running.expectedIds())
      }
      const files = readdirSync(dir).sort()
      expect(files).toEqual(Registry.providers.map((e) => `nightly.${e.provider.name}`).sort())
      for (const file of files) expect(JSON.parse(readFileSync(join(dir, file), "utf8"))).toMatchObject({ complete: true })
    }).pipe(Effect.scoped))

  it.live("bad uses: a bad name, --limit with --resume, --restart alone, a corrupt checkpoint (exit 2)", () =>
    Effect.gen(function*() {
      const dir = mkdtempSync(join(tmpdir(), "jobstream-resume-"))
      const s = yield* Harness.startAll([Registry.get("insideview")], () => ({ jobs: 3 }))
      const env = { ...s.env, JOBSTREAM_STATE_DIR: dir }
      const cases: ReadonlyArray<[ReadonlyArray<string>, RegExp]> = [
        [["list", "--resume", "../etc"], /not a checkpoint name/],
        [["list", "--resume", "x", "--limit", "2"], /cannot be combined with --limit/],
        [["list", "--restart"], /--restart needs --resume/]
      ]
      for (const [args, message] of cases) {
        const r = yield* jobstream(args, env)
        expect(r.code).toBe(2)
        expect(r.stderr).toMatch(message)
      }
      const { writeFileSync } = yield* Effect.promise(() => import("node:fs"))
      writeFileSync(join(dir, "broken.insideview"), "{not json")
      const corrupt = yield* jobstream(["list", "--resume", "broken"], env)
      expect(corrupt.code).toBe(2)
      expect(corrupt.stderr).toMatch(/^jobstream: --resume: checkpoint "broken.insideview" is not a valid checkpoint/)
    }).pipe(Effect.scoped))
})

describe("jobstream watch --all", () => {
  it.live("prints every change of every provider as NDJSON, in order per job, and stops after --limit", () =>
    Effect.gen(function*() {
      const s = yield* Harness.startAll(Registry.providers, () => ({ jobs: 6 }))
      const moves: Array<{ readonly provider: string; readonly id: string; readonly path: ReadonlyArray<string> }> = []
      for (const running of s.running) {
        const { path, set } = running.lifecycle
        const ids = running.expectedIds()
        for (const id of ids) set(id, id === ids[2] ? path[0]! : path.at(-1)!)
        moves.push({ provider: running.entry.provider.name, id: ids[2]!, path })
      }
      const expected = moves.reduce((n, m) => n + m.path.length - 1, 0)
      const fiber = yield* Effect.fork(
        jobstream(["watch", "--all", "--interval", "1s", "--idle-interval", "1s", "--format", "ndjson", "--limit", String(expected)], s.env)
      )
      // Move each job one step once a poll has seen the step before (two more list requests), every provider at once.
      yield* Effect.forEach(s.running, (running, i) =>
        Effect.gen(function*() {
          const move = moves[i]!
          for (const status of move.path.slice(1)) {
            const polls = Harness.listCount(running)
            while (Harness.listCount(running) < polls + 2) yield* Effect.sleep("10 millis")
            running.lifecycle.set(move.id, status)
          }
        }), { concurrency: "unbounded" })
      const r = yield* Effect.fromFiber(fiber)
      expect(r.code, r.stderr).toBe(0)
      const events = r.stdout.split("\n").filter((l) => l !== "").map((l) =>
        JSON.parse(l) as { event: string; provider: string; previous: string | null; job: { id: string; providerStatus: string } }
      )
      expect(events).toHaveLength(expected)
      for (const move of moves) {
        const mine = events.filter((e) => e.provider === move.provider)
        expect(mine.every((e) => e.job.id === move.id)).toBe(true)
        expect(mine.map((e) => e.job.providerStatus)).toEqual(move.path.slice(1))
        expect(mine.at(-1)!.event).toBe("Finished")
      }
    }).pipe(Effect.scoped), 60_000)

  it.live("--keep-going: a provider failing every poll does not end the watch; each failed poll is a stderr line with its hint", () =>
    Effect.gen(function*() {
      const s = yield* Harness.startAll([Registry.get("insideview"), Registry.get("greenarrow")], (entry) => ({
        jobs: 4,
        // GreenArrow refuses every listing until the fault is lifted.
        faults: entry.provider.name === "greenarrow" ? [{ match: entry.isList, fault: { _tag: "Status", status: 401 } }] : []
      }))
      const [insideview, greenarrow] = s.running as [Harness.Running, Harness.Running]
      const id = insideview.expectedIds()[0]!
      insideview.lifecycle.set(id, "accepted")
      const fiber = yield* Effect.fork(
        jobstream(["watch", "--all", "--keep-going", "--interval", "1s", "--idle-interval", "1s", "--format", "ndjson", "--limit", "1"], s.env)
      )
      // More failed polls in a row than a watch without --keep-going survives (5), then GreenArrow recovers.
      while (Harness.listCount(greenarrow) < 6) yield* Effect.sleep("20 millis")
      greenarrow.server.setFaults([])
      const recovered = Harness.listCount(greenarrow)
      while (Harness.listCount(greenarrow) < recovered + 1) yield* Effect.sleep("20 millis")
      // Then one change on InsideView ends the watch (--limit 1).
      insideview.lifecycle.set(id, "processing")
      const r = yield* Effect.fromFiber(fiber)
      expect(r.code, r.stderr).toBe(0)
      const events = r.stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as { provider: string; job: { id: string } })
      expect(events.map((e) => [e.provider, e.job.id])).toEqual([["insideview", id]])
      const failed = r.stderr.split("\n").filter((l) => l.startsWith("jobstream: greenarrow: poll failed"))
      expect(failed.length).toBeGreaterThanOrEqual(6)
      for (const [i, line] of failed.entries()) {
        expect(line).toContain(`(${i + 1} in a row), polling again: `)
        expect(line).toMatch(/unauthorized \(401\).*\(check the GREENARROW_\* credentials\)$/)
      }
      expect(r.stderr).toContain(`jobstream: greenarrow: polling again after ${failed.length} failed polls`)
      expect(r.stderr).not.toMatch(/jobstream: insideview/)
    }).pipe(Effect.scoped), 60_000)

  it.live("table format; bad uses exit 2", () =>
    Effect.gen(function*() {
      const s = yield* Harness.startAll([Registry.get("insideview")], () => ({ jobs: 4 }))
      const running = s.running[0]!
      const ids = running.expectedIds()
      running.lifecycle.set(ids[0]!, "accepted")
      const fiber = yield* Effect.fork(jobstream(["watch", "--all", "--interval", "1s", "--format", "table", "--limit", "1"], s.env))
      const polls = Harness.listCount(running)
      while (Harness.listCount(running) < polls + 1) yield* Effect.sleep("5 millis")
      running.lifecycle.set(ids[0]!, "processing")
      const r = yield* Effect.fromFiber(fiber)
      expect(r.code, r.stderr).toBe(0)
      const lines = r.stdout.split("\n").filter((l) => l !== "")
      expect(lines[0]).toMatch(/^TIME\s+PROVIDER\s+EVENT\s+ID\s+STATUS\s+NAME$/)
      expect(lines[1]).toMatch(new RegExp(`insideview\\s+Changed\\s+${ids[0]}\\s+pending → running`))
      for (
        const args of [["watch", "--all", "icws"], ["watch", "--all", "--limit", "0"], ["watch", "icws"], ["watch", "--all", "--idle-interval", "10ms"]]
      ) {
        const bad = yield* jobstream(args, s.env)
        expect(bad.code, args.join(" ")).toBe(2)
      }
    }).pipe(Effect.scoped), 30_000)
})
