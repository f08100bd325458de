/**
 * The CPU benchmarks: every case of `cases.ts` against its simulator (in its
 * own process), the library and the plain loop interleaved in the same
 * process run (plain first on even rounds, library first on odd ones), each
 * run checked for the number of jobs it built. Client CPU comes from
 * `process.cpuUsage` (this process only; the simulator runs elsewhere).
 */
import { cases, type Case, type CaseName } from "./cases.js"
import { median, round, startSimProcess } from "./util.js"

export interface SideResult {
  readonly cpuUsPerJob: ReadonlyArray<number>
  readonly wallMs: ReadonlyArray<number>
  readonly medianCpuUsPerJob: number
  readonly medianWallMs: number
}

export interface PairResult {
  readonly case: CaseName
  readonly label: string
  readonly jobs: number
  readonly pages: number
  readonly latencyMillis: number
  /** Library concurrency; the plain loop runs as many workers. */
  readonly concurrency: number
  readonly plain: SideResult
  readonly library: SideResult
  /** Median library CPU per job / median plain CPU per job. */
  readonly cpuRatio: number
  /** Median library wall time / median plain wall time. */
  readonly wallRatio: number
}

const side = (cpu: ReadonlyArray<number>, wall: ReadonlyArray<number>): SideResult => ({
  cpuUsPerJob: cpu.map((x) => round(x, 2)),
  wallMs: wall.map((x) => round(x)),
  medianCpuUsPerJob: round(median(cpu), 2),
  medianWallMs: round(median(wall))
})

/** Runs one case `repeats` times per side, interleaved, after a warm-up run of each. */
export const pair = async (
  c: Case,
  jobs: number,
  latencyMillis: number,
  concurrency: number,
  repeats: number,
  log: (line: string) => void
): Promise<PairResult> => {
  const sim = await startSimProcess(c.sim(jobs, latencyMillis))
  try {
    const runs = { plain: { cpu: [] as Array<number>, wall: [] as Array<number> }, library: { cpu: [] as Array<number>, wall: [] as Array<number> } }
    const once = async (which: "plain" | "library") => {
      const cpu0 = process.cpuUsage()
      const t0 = performance.now()
      const n = await c[which](sim.url, concurrency)
      const wall = performance.now() - t0
      const used = process.cpuUsage(cpu0)
      if (n !== jobs) throw new Error(`${c.label} ${which}: built ${n} jobs, expected ${jobs}`)
      return { cpuUsPerJob: (used.user + used.system) / jobs, wall }
    }
    await once("plain")
    await once("library")
    for (let r = 0; r < repeats; r++) {
      const order = r % 2 === 0 ? (["plain", "library"] as const) : (["library", "plain"] as const)
      for (const which of order) {
        const { cpuUsPerJob, wall } = await once(which)
        runs[which].cpu.push(cpuUsPerJob)
        runs[which].wall.push(wall)
      }
      log(
        `  [${r + 1}/${repeats}] ${c.label}, ${latencyMillis} ms, c${concurrency}: plain ${runs.plain.cpu.at(-1)!.toFixed(1)} µs/job ` +
          `${Math.round(runs.plain.wall.at(-1)!)} ms; library ${runs.library.cpu.at(-1)!.toFixed(1)} µs/job ${Math.round(runs.library.wall.at(-1)!)} ms`
      )
    }
    const plain = side(runs.plain.cpu, runs.plain.wall)
    const library = side(runs.library.cpu, runs.library.wall)
    return {
      case: c.name,
      label: c.label,
      jobs,
      pages: Math.ceil(jobs / c.pageSize),
      latencyMillis,
      concurrency,
      plain,
      library,
      cpuRatio: round(median(runs.library.cpu) / median(runs.plain.cpu), 3),
      wallRatio: round(median(runs.library.wall) / median(runs.plain.wall), 3)
    }
  } finally {
    await sim.stop()
  }
}

/** Zero latency, concurrency 1: what the library costs per job when nothing hides it. */
export const zeroLatency = async (jobs: number, repeats: number, log: (line: string) => void) => {
  const out: Array<PairResult> = []
  for (const c of cases) out.push(await pair(c, jobs, 0, 1, repeats, log))
  return out
}

/** 20 ms per request, InsideView JSON and XML (336 pages): sequential and 8 in flight. */
export const latencyBound = async (repeats: number, log: (line: string) => void) => {
  const out: Array<PairResult> = []
  for (const name of ["insideview-json", "insideview-xml"] as const) {
    const c = cases.find((x) => x.name === name)!
    for (const concurrency of [8, 1]) out.push(await pair(c, 16_788, 20, concurrency, repeats, log))
  }
  return out
}
