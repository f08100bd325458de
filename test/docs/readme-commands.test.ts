/**
 * The top README's commands, as `scripts/readme-commands.mjs` (run by CI)
 * finds them: they need nothing but Node 20 and npm (pnpm only through
 * `npx -y pnpm@10`), the quick start is two commands, and the long-running one
 * is marked so CI starts and stops it.
 */
import { execFileSync } from "node:child_process"
import { resolve } from "node:path"
import { describe, expect, it } from "vitest"

const root = resolve(import.meta.dirname, "../..")

interface Command {
  readonly line: string
  readonly command: string
  readonly longRunning: boolean
}

const commands = JSON.parse(
  execFileSync(process.execPath, ["scripts/readme-commands.mjs", "--list"], { cwd: root, encoding: "utf8" })
) as ReadonlyArray<Command>

describe("README commands", () => {
  it("the quick start is two commands: the demo, and the tests (the command CI runs)", () => {
    expect(commands.slice(0, 2).map((c) => c.command)).toEqual([
      "npx -y pnpm@10 install && npx -y pnpm@10 demo",
      "npx -y pnpm@10 install && npx -y pnpm@10 test"
    ])
  })

  it("pnpm is only ever run through npx -y pnpm@10 (no global pnpm needed)", () => {
    expect(commands.length).toBeGreaterThan(5)
    for (const { command } of commands) {
      const bare = command.replaceAll("npx -y pnpm@10", "").match(/(^|[\s;&|(])pnpm\b/)
      expect(bare, command).toBeNull()
      // Every step is a tool a machine with only Node 20 and npm has.
      for (const step of command.split(/&&|\|/).map((s) => s.trim().split(/\s+/)[0]!.replace(/^\w+=.*/, "export"))) {
        expect(["npx", "npm", "node", "mkdir", "cd", "head", "export"], command).toContain(step)
      }
    }
  })

  it("the CLI from a checkout, the simulators alone (started and stopped by CI), and installing the library are shown", () => {
    const all = commands.map((c) => c.command)
    expect(all).toContain("npx -y pnpm@10 jobstream list --help")
    expect(commands.find((c) => c.command === "npx -y pnpm@10 simulate")?.longRunning).toBe(true)
    expect(commands.filter((c) => c.longRunning)).toHaveLength(1)
    expect(all.some((c) => /npm install .*effect@\S+ @effect\/platform@\S+/.test(c))).toBe(true)
    expect(all).toContain("npx -y pnpm@10 demo | head -5")
  })
})
