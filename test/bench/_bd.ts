import { breakdown } from "./breakdown.js"
import { startSimProcess } from "./util.js"
const sim = await startSimProcess({ kind: "insideview", jobs: 16788, latencyMillis: 0 })
try { for (const r of await breakdown(sim.url, 5)) console.log(r.name.padEnd(60), r.cpuMsPerPage, r.wallMsPerPage) } finally { await sim.stop() }
