/**
 * The fault matrix: what each provider's job stream fails with, and how many
 * requests it sends for the failing page, for every kind of fault. It is both
 * the expectation of `fault-matrix.test.ts` and the table rendered into the
 * README (`render-matrix.ts`), so the documentation cannot drift.
 */
import { Faults, Harness, Registry } from "@jobstream/testkit"

export interface Outcome {
  /** The `_tag` of the error the stream fails with. */
  readonly tag: string
  /** Requests sent for the failing page (1 = not retried). */
  readonly attempts: number
}

export interface Row {
  /** The fault, as the README names it. */
  readonly name: string
  /** What the simulator does to every list request. */
  readonly fault: Faults.Fault
  /** Per-attempt timeout of the client, when the row needs a short one. */
  readonly timeoutMillis?: number
  /** For decode failures: the stage that must have failed. */
  readonly format?: "json" | "schema"
  /** What a provider's listing ends with (from the provider's traits, never its name). */
  readonly expected: (entry: Harness.Entry) => Outcome
}

/** The retry policy of the matrix: up to 2 retries of retryable errors, no waits. */
export const policyDescription = "`RetryPolicy.immediate(2)`"

const all = (tag: string, attempts: number) => (): Outcome => ({ tag, attempts })

/** A body that parses as JSON but matches none of the providers' shapes. */
export const schemaMismatchBody = JSON.stringify({ success: "yes", bulkJobs: "none", jobList: "none", data: 1 })

export const rows: ReadonlyArray<Row> = [
  { name: "400", fault: Faults.status(400), expected: all("BadRequest", 1) },
  {
    name: "401",
    fault: Faults.status(401),
    // A client that logs in (InsideView credentials, an ICWS connection) logs in again and retries,
    // as often as its variant says (maxRelogins, 2 by default); fixed credentials are not retried.
    expected: (entry) => ({ tag: "Unauthorized", attempts: 1 + Harness.variant(entry).relogins })
  },
  { name: "403", fault: Faults.status(403), expected: all("Forbidden", 1) },
  { name: "404", fault: Faults.status(404), expected: all("NotFound", 1) },
  { name: "405", fault: Faults.status(405), expected: all("MethodNotAllowed", 1) },
  { name: "410", fault: Faults.status(410), expected: all("Gone", 1) },
  { name: "429 (Retry-After: 0)", fault: Faults.rateLimited("0"), expected: all("RateLimited", 3) },
  { name: "500", fault: Faults.status(500), expected: all("ServerError", 3) },
  { name: "502 (HTML from a proxy)", fault: Faults.html502, expected: all("ServerError", 3) },
  { name: "503", fault: Faults.status(503), expected: all("ServerError", 3) },
  { name: "504", fault: Faults.status(504), expected: all("ServerError", 3) },
  { name: "connection reset", fault: Faults.reset, expected: all("TransportError", 3) },
  { name: "timeout (no answer)", fault: Faults.hang, timeoutMillis: 150, expected: all("Timeout", 3) },
  {
    name: "malformed body (200)",
    fault: Faults.body("{\"bulkJobs\": [{\"jobId\": ", { status: 200 }),
    format: "json",
    expected: all("DecodeError", 1)
  },
  {
    name: "schema mismatch (200)",
    fault: Faults.body(schemaMismatchBody, { status: 200 }),
    format: "schema",
    expected: all("DecodeError", 1)
  }
]

/** One column per registered provider. */
const columns: ReadonlyArray<Harness.Entry> = Registry.providers

/** The README block (without the markers). */
export const renderMatrix = (): string => {
  const lines = [
    `Every list request answered with the fault; the stream's error and, in brackets, the requests sent for the`,
    `failing page (1 = not retried). Policy ${policyDescription}; a client that logs in (a session) logs in again on`,
    `a 401 and retries, at most twice (\`maxRelogins\`). One column per provider of the testkit's \`Registry\`;`,
    "generated from `test/reliability/matrix.ts` by",
    "`npx tsx --conditions=@jobstream/source test/reliability/render-matrix.ts`; a test checks it is current.",
    "",
    `| fault | ${columns.map((c) => c.provider.name).join(" | ")} |`,
    `| --- | ${columns.map(() => "---").join(" | ")} |`,
    ...rows.map((row) =>
      `| ${row.name} | ${columns.map((c) => `${row.expected(c).tag} (${row.expected(c).attempts})`).join(" | ")} |`
    )
  ]
  return lines.join("\n")
}

export const startMarker = "<!-- fault-matrix:start -->"
export const endMarker = "<!-- fault-matrix:end -->"

/** The text between the markers (trimmed of the surrounding newlines). */
export const readBlock = (readme: string): string | undefined => {
  const start = readme.indexOf(startMarker)
  const end = readme.indexOf(endMarker)
  if (start < 0 || end < start) return undefined
  return readme.slice(start + startMarker.length, end).replace(/^\n/, "").replace(/\n$/, "")
}

/** The README with the block between the markers replaced. */
export const replaceBlock = (readme: string, block: string): string => {
  const start = readme.indexOf(startMarker)
  const end = readme.indexOf(endMarker)
  if (start < 0 || end < start) throw new Error("README has no fault-matrix markers")
  return `${readme.slice(0, start + startMarker.length)}\n${block}\n${readme.slice(end)}`
}
