/**
 * Benchmark 3: peak RSS of a fresh process streaming 100,000 and then
 * 1,000,000 InsideView jobs through the library (JSON, 50 per page, no
 * latency). The server runs in its own process and generates pages on
 * demand, so nothing but the client is measured.
 */
import type { MemoryResult } from "./memory-client.js"
import { round, runChild, startSimProcess } from "./util.js"

export interface MemoryRun extends MemoryResult {
  readonly server: { readonly startupMs: number; readonly maxRssMB: number; readonly requests: number }
}

export interface MemoryBench {
  readonly runs: ReadonlyArray<MemoryRun>
  /** maxRSS(1,000,000) − maxRSS(100,000), in MB. */
  readonly deltaMB: number
  /** The same walk with plain fetch + JSON.parse (no library), as a control. */
  readonly control: { readonly runs: ReadonlyArray<MemoryRun>; readonly deltaMB: number }
  /** The testkit InsideViewSimulator itself at 1,000,000 jobs (why the bench serves pages lazily). */
  readonly testkitSimulatorAt1M: { readonly startupMs: number; readonly rssMB: number; readonly msPerPageRequest: number }
}

const measure = async (jobs: number, mode: "library" | "plain" = "library"): Promise<MemoryRun> => {
  const sim = await startSimProcess({ kind: "insideview-lazy", jobs, latencyMillis: 0 })
  try {
    const result = await runChild<MemoryResult>("memory-client.ts", [sim.url, String(jobs), mode], ["--expose-gc"])
    const stats = await sim.stats()
    return { ...result, server: { startupMs: sim.startupMs, maxRssMB: stats.maxRssMB, requests: stats.requests } }
  } finally {
    await sim.stop()
  }
}

/** Starts the testkit simulator with 1M jobs and times a few page requests. */
const probeTestkitSimulator = async () => {
  const sim = await startSimProcess({ kind: "insideview", jobs: 1_000_000, latencyMillis: 0 })
  try {
    const pages = [1, 5000, 10000, 15000, 19999]
    const started = performance.now()
    for (const page of pages) {
      const r = await fetch(`${sim.url}/api/v1/admin/jobs?page=${page}&resultsPerPage=50`, {
        headers: { accept: "application/json", accesstoken: "sim-fixed-token" }
      })
      await r.text()
    }
    const msPerPageRequest = (performance.now() - started) / pages.length
    const stats = await sim.stats()
    return { startupMs: sim.startupMs, rssMB: stats.rssMB, msPerPageRequest: round(msPerPageRequest, 1) }
  } finally {
    await sim.stop()
  }
}

export const memory = async (log: (line: string) => void): Promise<MemoryBench> => {
  const runs: Array<MemoryRun> = []
  for (const jobs of [100_000, 1_000_000]) {
    const run = await measure(jobs)
    log(`  ${jobs} jobs: maxRSS ${run.maxRssMB} MB (start ${run.startRssMB} MB) in ${run.ms} ms`)
    runs.push(run)
  }
  const controlRuns: Array<MemoryRun> = []
  for (const jobs of [100_000, 1_000_000]) {
    const run = await measure(jobs, "plain")
    log(`  control, plain fetch + JSON.parse, ${jobs} jobs: maxRSS ${run.maxRssMB} MB (start ${run.startRssMB} MB)`)
    controlRuns.push(run)
  }
  const control = { runs: controlRuns, deltaMB: round(controlRuns[1]!.maxRssMB - controlRuns[0]!.maxRssMB, 1) }
  const testkitSimulatorAt1M = await probeTestkitSimulator()
  log(`  testkit InsideViewSimulator at 1M jobs: startup ${testkitSimulatorAt1M.startupMs} ms, RSS ${testkitSimulatorAt1M.rssMB} MB, ${testkitSimulatorAt1M.msPerPageRequest} ms per page request`)
  return { runs, deltaMB: round(runs[1]!.maxRssMB - runs[0]!.maxRssMB, 1), control, testkitSimulatorAt1M }
}
