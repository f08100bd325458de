/**
 * Memory: the library and the plain loop (`cases.ts`, InsideView JSON, four
 * pages in flight each) building 100,000 and then 1,000,000 normalized jobs,
 * each run in a fresh process against a server (its own process) that builds
 * every page on demand, so that only the client is measured.
 */
import type { MemoryResult } from "./memory-client.js"
import { round, runChild, startSimProcess } from "./util.js"

export interface MemoryBench {
  readonly runs: ReadonlyArray<MemoryResult>
  /** maxRSS(large) − maxRSS(large / 10), MB, per side. */
  readonly rssGrowthMB: { readonly library: number; readonly plain: number }
  /** Peak heap at the large run, library / plain. */
  readonly peakHeapRatio: number
}

const measure = async (jobs: number, mode: "library" | "plain"): Promise<MemoryResult> => {
  const sim = await startSimProcess({ kind: "insideview-lazy", jobs, latencyMillis: 0 })
  try {
    return await runChild<MemoryResult>("memory-client.ts", [sim.url, String(jobs), mode], ["--expose-gc"])
  } finally {
    await sim.stop()
  }
}

/** `large` (default 1,000,000) and a tenth of it. */
export const memory = async (log: (line: string) => void, large = 1_000_000): Promise<MemoryBench> => {
  const runs: Array<MemoryResult> = []
  const small = Math.round(large / 10)
  for (const jobs of [small, large]) {
    for (const mode of ["plain", "library"] as const) {
      const run = await measure(jobs, mode)
      log(`  ${mode} ${jobs} jobs: peak heap ${run.peakHeapMB} MB, peak RSS ${run.maxRssMB} MB (start ${run.startRssMB} MB), ${run.ms} ms`)
      runs.push(run)
    }
  }
  const find = (jobs: number, mode: "library" | "plain") => runs.find((r) => r.jobs === jobs && r.mode === mode)!
  const growth = (mode: "library" | "plain") => round(find(large, mode).maxRssMB - find(small, mode).maxRssMB, 1)
  return {
    runs,
    rssGrowthMB: { library: growth("library"), plain: growth("plain") },
    peakHeapRatio: round(find(large, "library").peakHeapMB / find(large, "plain").peakHeapMB, 3)
  }
}
