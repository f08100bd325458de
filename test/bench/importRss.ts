/**
 * RSS of a Node process that only imports the built library (`dist`, as an
 * application would run it, not through tsx), against a bare Node process:
 * fresh processes, medians of a few runs.
 */
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { pathToFileURL } from "node:url"
import { median, repoRoot, round } from "./util.js"

export interface ImportRss {
  readonly bareMB: number
  /** A process importing what any Effect program over HTTP loads: effect's Effect, Stream and Schema, the platform's HttpClient and FetchHttpClient. */
  readonly effectMB: number
  readonly importedMB: number
  /** importedMB − bareMB. */
  readonly overBareMB: number
  /** importedMB − effectMB: the library's own share. */
  readonly overEffectMB: number
  readonly modules: ReadonlyArray<string>
}

// Resolved from packages/core, which depends on them.
const effectModules = ["effect/Effect", "effect/Stream", "effect/Schema", "@effect/platform/HttpClient", "@effect/platform/FetchHttpClient"]

const modules = ["core", "insideview", "greenarrow", "icws"].map((p) => path.join(repoRoot, "packages", p, "dist", "index.js"))

const rssOf = (code: string): number => {
  const cwd = path.join(repoRoot, "packages", "core")
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", code], { cwd, encoding: "utf8" })
  return Number(out.trim())
}

export const importRss = (runs = 5): ImportRss => {
  const report = "process.stdout.write(String(process.memoryUsage().rss))"
  const imports = modules.map((m) => `await import(${JSON.stringify(pathToFileURL(m).href)});`).join(" ")
  const effect = effectModules.map((m) => `await import(${JSON.stringify(m)});`).join(" ")
  const bare: Array<number> = []
  const withEffect: Array<number> = []
  const imported: Array<number> = []
  for (let i = 0; i < runs; i++) {
    bare.push(rssOf(report))
    withEffect.push(rssOf(`${effect} ${report}`))
    imported.push(rssOf(`${imports} ${report}`))
  }
  const mb = (bytes: number) => round(bytes / 1048576, 1)
  return {
    bareMB: mb(median(bare)),
    effectMB: mb(median(withEffect)),
    importedMB: mb(median(imported)),
    overBareMB: mb(median(imported) - median(bare)),
    overEffectMB: mb(median(imported) - median(withEffect)),
    modules: modules.map((m) => path.relative(repoRoot, m))
  }
}
