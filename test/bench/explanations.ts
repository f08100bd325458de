/**
 * What the bench found behind each missed target (from `node --cpu-prof`
 * profiles), and how it measures. Rendered into the README block; an
 * explanation is shown only while its target is missed.
 */

export const explanations: Readonly<Record<string, string>> = {}

export const method = (sim: { readonly startupMs: number; readonly rssMB: number; readonly msPerPageRequest: number }): string =>
  [
    "How it is measured: every simulator runs in its own process on 127.0.0.1, so the measured client never shares an",
    "event loop with the server. The plain baseline is `fetch` + `JSON.parse` (XML: fast-xml-parser with default options",
    "and `isArray` for `bulkJob`), first page then the rest, like the library; the library runs `InsideViewClient.jobs()`",
    "and counts with `Stream.runCount`. Decode throughput calls the page decoder `InsideViewClient` uses (`internal/codec.ts`)",
    "on the simulator's own bodies. Memory runs the client in a fresh process against a server that builds each page on",
    `demand (the testkit InsideViewSimulator keeps the whole dataset and filters it on every request: at 1,000,000 jobs it`,
    `takes ${sim.startupMs} ms to start, holds ${sim.rssMB} MB and spends ${sim.msPerPageRequest} ms per page request).`
  ].join("\n")
