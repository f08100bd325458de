/**
 * What the bench found behind each missed goal, from `node:inspector`
 * profiles of the client (see profile.ts; the bench also records one per
 * missed no-latency case in results.json) and from the per-layer CPU table.
 * Rendered into the README block; an explanation shows only while its goal
 * is missed.
 */

export const explanations: Readonly<Record<string, string>> = {}

export const method = [
  "How it is measured: every simulator runs in its own process on 127.0.0.1, so the measured client never shares an",
  "event loop with the server; the CPU figures are the client process's own. No-latency cases use the testkit",
  "simulators (100,000 jobs, 50 per page); the 20 ms cases use 16,788 InsideView jobs (336 pages). Memory runs use a",
  "server that builds each page on demand (the testkit simulator keeps and filters its whole dataset on every request,",
  "too slow at a million jobs). Profile a case with",
  "`node --conditions=@jobstream/source --import tsx test/bench/profile.ts insideview-json library`."
].join("\n")
