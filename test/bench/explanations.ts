/**
 * What the bench found behind each missed target (from `node --cpu-prof`
 * profiles of the client, the per-layer CPU table and isolated schema
 * timings), and how it measures. Rendered into the README block; an
 * explanation is shown only while its target is missed.
 */

/** Shown once when any of the sequential or concurrency targets is missed. */
export const perPageCost =
  "The library spends about 1.0–1.2 ms more client CPU per page than `fetch` + `JSON.parse` (per-layer table above; " +
  "roughly twice that when every response wakes an idle process, as with 20 ms latency). In order of size: " +
  "(1) the page schema, ~0.5–0.7 ms per 50 jobs, in `packages/insideview/src/BulkJob.ts`: `jobType`/`jobStatus` decode " +
  "through `Schema.Union(Schema.Literal(...), Schema.String)` (accepts any string anyway), and `creditsConsumed` " +
  "(plus `page`/`resultsPerPage`/`totalResults` in `internal/codec.ts`) through " +
  "`IntFromWire = Union(Schema.Int, compose(pattern, NumberFromString))`, whose first member fails on every numeric " +
  "string the server sends and builds a ParseIssue before the second member is tried. Timed on their own, plain " +
  "`Schema.String` for the two open enums makes page decoding 1.5–2.3× faster, and `IntFromWire` as one " +
  "`Schema.transformOrFail(Schema.Unknown, Schema.Number, …)` another 1.3× (about 3× overall); " +
  "(2) `@effect/platform`'s HttpClient over fetch, ~0.25 ms; (3) `HttpTransport.execute` in " +
  "`packages/core/src/HttpTransport.ts`, ~0.25 ms: `Effect.retry` with the policy schedule, `Effect.timeoutFail` " +
  "(a timer fiber per attempt), `Effect.withSpan`, `Effect.locallyWith(Headers.currentRedactedNames)`, and " +
  "`where()` → `redactUrl()` building a `new URL` plus `decodeURIComponent` for every call's error context even when " +
  "nothing fails; (4) the Stream itself (`Paginate.numbered`, `dedupeRecent`) is cheap, ~0.05 ms."

export const explanations: Readonly<Record<string, string>> = {
  "sequential-json":
    "Sequential paging pays the ~21 ms round trip per page either way, so the ratio is 1 + (extra CPU per page) / " +
    "(round trip); ≤ 1.05 leaves about 1 ms per page. See *Per-page CPU* below.",
  "sequential-xml":
    "As for JSON (the XML baseline parses with fast-xml-parser's default options, which is slower than XmlCodec, so " +
    "XML usually passes). See *Per-page CPU* below.",
  "c8-json":
    "At concurrency 8 the walk is CPU-bound, not latency-bound: 336 pages in the 840 ms bound leave 2.5 ms of client " +
    "CPU per page, and the library needs about that much once responses arrive with latency (about 3 ms measured " +
    "with `--cpu-prof` at 20 ms latency). `Paginate.numbered` also fetches page 1 alone to learn the total (one extra " +
    "round, +20 ms), and the machine has 2 cores shared with the simulator process and other work — the plain-fetch " +
    "control shows how far even the baseline gets. Concurrency 16 gains little, which confirms the CPU bound. See " +
    "*Per-page CPU* below.",
  "c8-xml":
    "CPU-bound like JSON, which sits right at the line (336 pages in 840 ms leave 2.5 ms of client CPU per page, " +
    "the page-1-first round adds 20 ms; see *Per-page CPU* below), plus the XML parse: a page costs `XmlCodec.parse` (compare " +
    "the decode table's `XmlCodec.parse alone` row, about 0.4 ms per page) on top of the same `BulkJob` schema, so " +
    "an XML page takes roughly twice the decode CPU of a JSON page.",
  "decode":
    "The library's XML decode is one `XmlCodec.parse` (with the `*.bulkJob` / `*.bulkJobs.bulkJob` array paths of " +
    "`decodePageXml` in `packages/insideview/src/internal/codec.ts`) plus the page schema; compare the reference " +
    "rows. The schema costs under *Per-page CPU* apply to both formats.",
  "memory":
    "Not growth per job. The heap left after a final GC is the same after 100,000 and 1,000,000 jobs, and in the " +
    "1,000,000-job run RSS stays flat from the second tenth on. The difference is V8 sizing its young and old " +
    "generations to the stream's allocation rate: the 100,000-job run ends while RSS is still climbing to that " +
    "plateau, which it reaches after ~200,000 jobs. The garbage is per-page Effect and Schema work (see the CPU " +
    "table); the schema changes above would lower the plateau. About 150 MB of every figure is Node, tsx and the " +
    "loaded modules before the first request.",
  "read-ahead":
    "With read-ahead the walk is bound by the slower of fetching and consuming a page, and here fetching is the " +
    "slower: the GreenArrow client spends about 6–7 ms of CPU decoding each 50-job page (measured against the " +
    "simulator), so a fetch takes ~27 ms against ~21 ms of consuming, and the best case is 27 / (27 + 21) ≈ 0.56; " +
    "machine noise does the rest. The cost is `GreenArrowJob` in `packages/greenarrow/src/GreenArrowJob.ts`: a " +
    "`Schema.Class` of 17 fields, each wrapped in `optionalWith(NullOr(…), { default })` (a union per field), three " +
    "open-string unions `Union(Literal(…), String)` that accept any string anyway, and five `Timestamp` " +
    "transformations (regex + `Date.parse` + `new Date`) per job. `Paginate.cursor`'s read-ahead itself works: the " +
    "stream overlaps fetching and consuming as designed."
}

export const method = (sim: { readonly startupMs: number; readonly rssMB: number; readonly msPerPageRequest: number }): string =>
  [
    "How it is measured: every simulator runs in its own process on 127.0.0.1, so the measured client never shares an",
    "event loop with the server. The plain baseline is `fetch` + `JSON.parse` (XML: fast-xml-parser with default options",
    "and `isArray` for `bulkJob`), first page then the rest, like the library; the library runs `InsideViewClient.jobs()`",
    "and counts with `Stream.runCount`. Decode throughput calls the page decoder `InsideViewClient` uses",
    "(`packages/insideview/src/internal/codec.ts`) on the simulator's own bodies. Memory runs the client in a fresh",
    "process against a server that builds each page on demand (the testkit InsideViewSimulator keeps the whole dataset",
    `and filters it on every request: at 1,000,000 jobs it took ${sim.startupMs} ms to start, held ${sim.rssMB} MB and spent`,
    `${sim.msPerPageRequest} ms per page request). Read-ahead compares \`GreenArrowClient.jobs()\` (Paginate.cursor, read-ahead 1)`,
    "with a hand loop over `GreenArrowClient.page` (the client does not expose `readAhead`). The machine is shared and",
    "noisy; ratios move by ±10 % between runs. Profile a variant with",
    "`node --conditions=@jobstream/source --import tsx --cpu-prof test/bench/profile.ts library json 8`."
  ].join("\n")
