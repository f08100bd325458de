/**
 * Small helpers for the benchmarks: child processes (simulators, measured
 * clients), medians and formatting.
 */
import { spawn } from "node:child_process"
import type { ChildProcess } from "node:child_process"
import * as path from "node:path"
import * as readline from "node:readline"
import { fileURLToPath } from "node:url"
import type { SimReady, SimSpec } from "./sim-server.js"

export const benchDir = path.dirname(fileURLToPath(import.meta.url))
export const repoRoot = path.resolve(benchDir, "../..")

/** Node arguments that run a TypeScript file with the workspace sources. */
export const tsNodeArgs = (file: string, extra: ReadonlyArray<string> = []): Array<string> => [
  "--conditions=@jobstream/source",
  "--import",
  "tsx",
  ...extra,
  path.join(benchDir, file)
]

export interface SimProcess extends SimReady {
  /** Asks the server for its memory and request count. */
  readonly stats: () => Promise<{ readonly rssMB: number; readonly maxRssMB: number; readonly requests: number; readonly cpuMs: number }>
  readonly stop: () => Promise<void>
}

/** Starts a simulator in its own process and waits until it listens. */
export const startSimProcess = (spec: SimSpec): Promise<SimProcess> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, tsNodeArgs("sim-server.ts", []).concat(JSON.stringify(spec)), {
      cwd: repoRoot,
      stdio: ["pipe", "pipe", "inherit"]
    })
    const lines = readline.createInterface({ input: child.stdout! })
    const waiting: Array<(line: string) => void> = []
    let ready = false
    lines.on("line", (line) => {
      if (!ready) {
        ready = true
        const info = JSON.parse(line) as SimReady
        resolve({
          ...info,
          stats: () =>
            new Promise((done) => {
              waiting.push((l) => done(JSON.parse(l)))
              child.stdin!.write("stats\n")
            }),
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done()
              child.once("exit", () => done())
              child.stdin!.end()
            })
        })
        return
      }
      waiting.shift()?.(line)
    })
    child.once("exit", (code) => {
      if (!ready) reject(new Error(`simulator ${spec.kind} exited with ${code} before listening`))
    })
  })

/** Runs a TypeScript file in a fresh Node process and parses the last stdout line as JSON. */
export const runChild = <A>(file: string, args: ReadonlyArray<string>, nodeArgs: ReadonlyArray<string> = []): Promise<A> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...tsNodeArgs(file, nodeArgs), ...args], {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "inherit"]
    })
    let out = ""
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8")
    })
    child.once("exit", (code) => {
      const last = out.trim().split("\n").pop() ?? ""
      if (code !== 0) return reject(new Error(`${file} exited with ${code}: ${last}`))
      try {
        resolve(JSON.parse(last) as A)
      } catch (cause) {
        reject(new Error(`${file} printed no JSON: ${String(cause)}`))
      }
    })
  })

export const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2
}

export const round = (x: number, digits = 0): number => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

/** Wall-clock time of an async function, in ms. */
export const timeIt = async <A>(f: () => Promise<A>): Promise<{ readonly ms: number; readonly value: A }> => {
  const started = performance.now()
  const value = await f()
  return { ms: performance.now() - started, value }
}

/** Operations per second of a synchronous function, over at least `minMs`. */
export const opsPerSecond = (f: () => unknown, minMs: number): number => {
  let n = 0
  const started = performance.now()
  let elapsed = 0
  do {
    for (let i = 0; i < 20; i++) f()
    n += 20
    elapsed = performance.now() - started
  } while (elapsed < minMs)
  return (n * 1000) / elapsed
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
