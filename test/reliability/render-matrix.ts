/**
 * Rewrites the fault-matrix block of the root README from `matrix.ts`.
 *
 *   npx tsx --conditions=@jobstream/source test/reliability/render-matrix.ts
 *
 * Only the text between `<!-- fault-matrix:start -->` and
 * `<!-- fault-matrix:end -->` changes.
 */
import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { renderMatrix, replaceBlock } from "./matrix.js"

export const readmePath = fileURLToPath(new URL("../../README.md", import.meta.url))

const before = readFileSync(readmePath, "utf8")
const after = replaceBlock(before, renderMatrix())
if (after === before) {
  console.log("README fault matrix is already current")
} else {
  writeFileSync(readmePath, after)
  console.log("README fault matrix rewritten")
}
