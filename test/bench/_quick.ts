import { caseOf, type CaseName } from "./cases.js"
import { startSimProcess } from "./util.js"
const name = (process.argv[2] ?? "insideview-json") as CaseName
const jobs = Number(process.argv[3] ?? 20000)
const c = caseOf(name)
const sim = await startSimProcess(c.sim(jobs, 0))
const res: Record<string, number[]> = { plain: [], library: [] }
try {
  for (const side of ["plain", "library"] as const) await c[side](sim.url, 1)
  for (let r = 0; r < 5; r++) for (const side of ["plain", "library"] as const) {
    const c0 = process.cpuUsage(); const n = await c[side](sim.url, 1); const u = process.cpuUsage(c0)
    if (n !== jobs) throw new Error(`${n}`)
    res[side]!.push((u.user + u.system) / jobs)
  }
} finally { await sim.stop() }
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[2]!
console.log(name, "plain", med(res.plain!).toFixed(1), "library", med(res.library!).toFixed(1), "µs/job ratio", (med(res.library!) / med(res.plain!)).toFixed(2))
