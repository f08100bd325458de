#!/usr/bin/env node
// Runs every command of the top README's `sh` code blocks as printed, from the
// repository root, each line in its own `bash -o pipefail -c`, and fails if one
// fails (or prints a stack trace). Blocks fenced `text` are output or commands
// with placeholders and are not run.
//
// - A line whose comment says "until Ctrl-C" is long-running: it is started,
//   must print a line starting with `# ready` within 3 minutes, then gets
//   SIGINT (as Ctrl-C would) and must end within 30 s.
// - `--already-ran "<command>"` (repeatable) skips a command the caller has
//   just run (CI passes the test command, so the suite does not run twice),
//   and says so.
//
// - `--list` prints the commands it would run (JSON) and runs none.
//
//   node scripts/readme-commands.mjs [--already-ran "<command>"]… [--list]
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")

const alreadyRan = []
let listOnly = false
const argv = process.argv.slice(2)
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === "--already-ran" && argv[i + 1] !== undefined) alreadyRan.push(argv[++i].trim())
  else if (argv[i] === "--list") listOnly = true
  else {
    process.stderr.write(`readme-commands: unknown argument ${JSON.stringify(argv[i])}\n`)
    process.exit(2)
  }
}

/** The commands of every `sh` block: one per non-empty line, without its trailing comment. */
const commandsOf = (markdown) => {
  const commands = []
  let inSh = false
  let inOther = false
  for (const line of markdown.split("\n")) {
    const fence = /^```(\S*)\s*$/.exec(line)
    if (fence !== null) {
      if (inSh || inOther) {
        inSh = inOther = false
      } else if (fence[1] === "sh" || fence[1] === "bash" || fence[1] === "shell") {
        inSh = true
      } else {
        inOther = true
      }
      continue
    }
    if (!inSh || line.trim() === "" || line.trim().startsWith("#")) continue
    const comment = / {2,}# (.*)$/.exec(line)
    commands.push({
      line: line.trim(),
      command: (comment === null ? line : line.slice(0, comment.index)).trim(),
      longRunning: comment !== null && /until Ctrl-C/i.test(comment[1])
    })
  }
  return commands
}

const stackTrace = /^\s+at .+\(.*:\d+:\d+\)$|^\s+at .+:\d+:\d+$/m
const tail = (text, n = 15) => text.split("\n").slice(-n).join("\n")

/** Runs one command to its end; resolves with its status and output. */
const runToEnd = (command) =>
  new Promise((resolve) => {
    const child = spawn("bash", ["-o", "pipefail", "-c", command], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (c) => (stdout += c))
    child.stderr.on("data", (c) => (stderr += c))
    const timer = setTimeout(() => child.kill("SIGKILL"), 15 * 60_000)
    child.on("close", (code, signal) => {
      clearTimeout(timer)
      resolve({ code, signal, stdout, stderr })
    })
  })

/** Starts a long-running command, waits for its `# ready` line, stops it with SIGINT. */
const runUntilReady = (command) =>
  new Promise((resolve) => {
    // Its own process group, so SIGINT reaches bash, pnpm and the program, as Ctrl-C would.
    const child = spawn("bash", ["-o", "pipefail", "-c", command], { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true })
    let stdout = ""
    let stderr = ""
    let ready = false
    let closed = false
    const signal = (name) => {
      try {
        process.kill(-child.pid, name)
      } catch {
        // The group has already gone.
      }
    }
    const timer = setTimeout(() => {
      stderr += "\nreadme-commands: no `# ready` line within 3 minutes\n"
      signal("SIGKILL")
    }, 3 * 60_000)
    child.stdout.on("data", (c) => {
      stdout += c
      if (!ready && /^# ready/m.test(stdout)) {
        ready = true
        clearTimeout(timer)
        signal("SIGINT")
        setTimeout(() => {
          if (!closed) {
            stderr += "\nreadme-commands: still running 30 s after Ctrl-C\n"
            signal("SIGKILL")
          }
        }, 30_000).unref()
      }
    })
    child.stderr.on("data", (c) => (stderr += c))
    child.on("close", (code, signalName) => {
      closed = true
      clearTimeout(timer)
      // After Ctrl-C the program itself exits 0 (tested in test/cli/simulate.test.ts); a wrapper such as
      // pnpm, interrupted too, reports the signal with its own status. What counts here: it was ready, it
      // stopped within 30 s of Ctrl-C, and nothing printed a stack trace.
      const stoppedInTime = ready && !stderr.includes("still running 30 s after Ctrl-C")
      resolve({ code: stoppedInTime ? 0 : code ?? 1, signal: signalName, stdout, stderr, ready, exitedWith: code ?? signalName })
    })
  })

const main = async () => {
  const commands = commandsOf(fs.readFileSync(path.join(root, "README.md"), "utf8"))
  if (commands.length === 0) {
    process.stderr.write("readme-commands: no sh block in README.md\n")
    process.exit(1)
  }
  if (listOnly) {
    process.stdout.write(`${JSON.stringify(commands, null, 2)}\n`)
    return
  }
  let failed = 0
  for (const { command, line, longRunning } of commands) {
    if (alreadyRan.includes(command)) {
      process.stdout.write(`skip  ${command}   (already run by the caller)\n`)
      continue
    }
    const started = Date.now()
    const result = longRunning ? await runUntilReady(command) : await runToEnd(command)
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    const problems = []
    if (longRunning && !result.ready) problems.push("never printed its `# ready` line")
    if (result.code !== 0) problems.push(`exit ${result.code ?? result.signal}`)
    if (stackTrace.test(result.stderr)) problems.push("a stack trace on stderr")
    if (problems.length === 0) {
      const how = longRunning ? `, started, ready, stopped with Ctrl-C: exit ${result.exitedWith}` : ""
      process.stdout.write(`ok    ${line}   (${seconds} s${how})\n`)
    } else {
      failed++
      process.stdout.write(`FAIL  ${line}   (${seconds} s): ${problems.join(", ")}\n`)
      process.stdout.write(`----- stdout (end)\n${tail(result.stdout)}\n----- stderr (end)\n${tail(result.stderr)}\n-----\n`)
    }
  }
  process.stdout.write(`readme-commands: ${commands.length - failed} of ${commands.length} README commands ok\n`)
  if (failed > 0) process.exit(1)
}

await main()
