#!/usr/bin/env node
// `pnpm pack-all`: builds every package and packs each into ./packed/ as the
// tarball npm would publish (workspace:* turned into real versions), so another
// project can `npm install` them before they are on a registry:
//
//   npm install /path/to/jobstream/packed/jobstream-core-0.1.0.tgz … effect@^3.22.4 @effect/platform@^0.97.2
import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..")
const packages = ["core", "insideview", "greenarrow", "icws", "testkit", "cli"]
const destination = path.join(root, "packed")
fs.rmSync(destination, { recursive: true, force: true })
fs.mkdirSync(destination)
execFileSync("npx", ["-y", "pnpm@10", "build"], { cwd: root, stdio: ["ignore", "inherit", "inherit"] })
for (const name of packages) {
  execFileSync("npx", ["-y", "pnpm@10", "pack", "--pack-destination", destination], {
    cwd: path.join(root, "packages", name),
    stdio: ["ignore", "ignore", "inherit"]
  })
}
for (const file of fs.readdirSync(destination).sort()) process.stdout.write(`packed/${file}\n`)
