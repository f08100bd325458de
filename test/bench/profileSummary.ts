/**
 * Self time of a V8 CPU profile by module and by function, as text: what the
 * closing notes of `pnpm bench` quote.
 */

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}
export interface CpuProfile {
  readonly nodes: ReadonlyArray<{ readonly id: number; readonly callFrame: CallFrame }>
  readonly samples?: ReadonlyArray<number>
  readonly timeDeltas?: ReadonlyArray<number>
}

/** A module's short name: "effect:internal/fiberRuntime.js", "packages/core/src/Dates.ts", "(gc)". */
export const moduleOf = (frame: CallFrame): string => {
  if (frame.url === "") return `(${frame.functionName})`
  const pkg = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:dist\/esm\/|dist\/|src\/)?(.*)$/.exec(frame.url)
  if (pkg !== null) return `${pkg[1]}:${pkg[2]}`
  const ours = /\/(packages\/.*|test\/.*)$/.exec(frame.url)
  if (ours !== null) return ours[1]!
  return frame.url.replace(/^file:\/\//, "")
}

/** Self time per module and per function, as shares of the profile. */
export const selfTimes = (profile: CpuProfile) => {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]))
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  const byModule = new Map<string, number>()
  const byFunction = new Map<string, number>()
  let total = 0
  for (let i = 0; i < samples.length; i++) {
    const frame = byId.get(samples[i]!)
    const dt = deltas[i] ?? 0
    if (frame === undefined) continue
    total += dt
    const module = moduleOf(frame)
    byModule.set(module, (byModule.get(module) ?? 0) + dt)
    const fn = `${frame.functionName || "(anonymous)"} ${module}:${frame.lineNumber + 1}`
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + dt)
  }
  const sorted = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).map(([name, t]) => ({ name, share: total === 0 ? 0 : t / total }))
  return { totalMs: total / 1000, modules: sorted(byModule), functions: sorted(byFunction) }
}

export const summarize = (profile: CpuProfile, modules: number, functions: number): string => {
  const s = selfTimes(profile)
  const pct = (x: number) => `${(100 * x).toFixed(1).padStart(5)} %`
  return [
    `profile: ${s.totalMs.toFixed(0)} ms sampled`,
    "by module:",
    ...s.modules.slice(0, modules).map((m) => `  ${pct(m.share)}  ${m.name}`),
    "by function:",
    ...s.functions.slice(0, functions).map((f) => `  ${pct(f.share)}  ${f.name}`)
  ].join("\n")
}

/** Where a module belongs, for the closing notes: the runtime, the platform, Node's fetch, ours. */
export const categoryOf = (module: string): string => {
  if (module === "((garbage collector))") return "garbage collection"
  if (module === "((idle))" || module === "((program))") return "idle / outside JS"
  if (module.startsWith("(")) return "native builtins (socket writes, JSON.parse, microtasks)"
  if (module.startsWith("effect:internal/fiberRuntime") || module.startsWith("effect:internal/core") ||
    module.startsWith("effect:internal/fiberRefs") || module.startsWith("effect:Scheduler") ||
    module.startsWith("effect:internal/fiberScope") || module.startsWith("effect:internal/fiber")) {
    return "effect: fiber runtime"
  }
  if (module.startsWith("effect:internal/channel") || module.startsWith("effect:internal/stream") || module.startsWith("effect:Stream") || module.startsWith("effect:Chunk")) {
    return "effect: Stream / Chunk"
  }
  if (module.startsWith("effect:ParseResult") || module.startsWith("effect:Schema") || module.startsWith("effect:SchemaAST")) {
    return "effect: Schema"
  }
  if (module.startsWith("effect:")) return "effect: other (tracer, scope, clock, data types)"
  if (module.startsWith("@effect/platform:")) return "@effect/platform (HttpClient)"
  if (module.startsWith("fast-xml-parser:")) return "fast-xml-parser"
  if (module.startsWith("packages/core/")) return "jobstream core"
  if (module.startsWith("packages/")) return "jobstream provider (decode, normalize)"
  if (module.startsWith("test/")) return "bench harness"
  return "node: fetch (undici) and streams, in JS"
}

/** Self time by category, as shares of the profile (idle time left out). */
export const byCategory = (profile: CpuProfile): ReadonlyArray<{ readonly name: string; readonly share: number }> => {
  const s = selfTimes(profile)
  const sums = new Map<string, number>()
  for (const m of s.modules) {
    const c = categoryOf(m.name)
    if (c === "idle / outside JS") continue
    sums.set(c, (sums.get(c) ?? 0) + m.share)
  }
  const busy = [...sums.values()].reduce((a, b) => a + b, 0)
  return [...sums].sort((a, b) => b[1] - a[1]).map(([name, share]) => ({ name, share: busy === 0 ? 0 : share / busy }))
}
