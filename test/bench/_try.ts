import { startSimProcess, runChild } from "./util.js"
const n = Number(process.argv[2])
const sim = await startSimProcess({ kind: "insideview-lazy", jobs: n, latencyMillis: 0 })
const r = await runChild("memory-client.ts", [sim.url, String(n)], process.argv[3] ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : [])
console.log(r, await sim.stats())
await sim.stop()
