/**
 * Hostile input: whatever a server (or something pretending to be one) sends
 * back, each client ends with a typed error — or a clean result — in bounded
 * time and memory, and never pollutes `Object.prototype`.
 *
 * The time bound is a guard that FAILS the test when exceeded (a hang or a
 * runaway parse), not a duration assertion.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { type ApiError, HttpTransport, RetryPolicy } from "@jobstream/core"
import { Faults, GenericSimulator, Harness } from "@jobstream/testkit"
import * as http from "node:http"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { collect, entries, guard, live, onList } from "./support.js"

const bound = 10_000

const prototypeIsClean = () => {
  const probe: Record<string, unknown> = {}
  return probe["polluted"] === undefined && !("polluted" in probe) &&
    (Object.prototype as Record<string, unknown>)["polluted"] === undefined
}

/** The first variant of each provider that reads JSON, and every variant that reads XML. */
const jsonVariant = (entry: Harness.Entry) => entry.variants.find((v) => v.format === "json")
const xmlVariants = entries.flatMap((entry) => entry.variants.filter((v) => v.format === "xml").map((variant) => ({ entry, variant })))

/** Streams a provider's jobs against a simulator whose list requests answer `fault`. */
const streamWith = (entry: Harness.Entry, fault: Faults.Fault, variant = jsonVariant(entry)) =>
  Effect.gen(function*() {
    const running = yield* entry.start({ jobs: 30 })
    running.server.setFaults(onList(entry, [{ fault }]))
    return yield* guard(
      Effect.exit(collect(Harness.jobs(running, { retryPolicy: RetryPolicy.immediate(1), variant: variant?.name }))),
      bound,
      `${entry.provider.name} against a hostile body`
    )
  }).pipe(Effect.scoped)

const failure = <A>(exit: Exit.Exit<A, ApiError.ApiError>): ApiError.ApiError | undefined =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

const expectDecodeError = <A>(exit: Exit.Exit<A, ApiError.ApiError>, format?: string) => {
  const error = failure(exit)
  expect(error?._tag).toBe("DecodeError")
  if (format !== undefined && error?._tag === "DecodeError") expect(error.format).toBe(format)
  return error
}

const json = (body: string) => Faults.body(body, { status: 200, contentType: "application/json; charset=utf-8" })

describe("hostile JSON bodies (every provider)", () => {
  for (const entry of entries) {
    const name = entry.provider.name
    it.live(`${name}: malformed JSON → DecodeError (json), not retried`, () =>
      Effect.gen(function*() {
        expectDecodeError(yield* streamWith(entry, json("{\"bulkJobs\": [{\"jobId\": \"a\", ")), "json")
        expectDecodeError(yield* streamWith(entry, json("{\"a\": 1}}}}")), "json")
        expectDecodeError(yield* streamWith(entry, json("\u0000\u0001\u0002garbage")), "json")
      }).pipe(Effect.provide(live)))

    it.live(`${name}: an empty body with 200 → DecodeError`, () =>
      Effect.gen(function*() {
        expectDecodeError(yield* streamWith(entry, json("")))
        expectDecodeError(yield* streamWith(entry, json("   \n ")))
      }).pipe(Effect.provide(live)))

    it.live(`${name}: wrong content type (an HTML page with 200) → DecodeError`, () =>
      Effect.gen(function*() {
        const page = "<html><head><title>Maintenance</title></head><body><h1>Back soon</h1></body></html>"
        expectDecodeError(yield* streamWith(entry, Faults.body(page, { status: 200, contentType: "text/html" })))
      }).pipe(Effect.provide(live)))
  }
})

// Regression: printing the mismatch of a body nested ~100 000 levels deep used to overflow the
// stack (a defect); `ApiError.formatParseError` now falls back to a plain description.
describe("deeply nested JSON", () => {
  it.live("nested 100 000 levels deep → a typed DecodeError from every provider (no defect)", () =>
    Effect.gen(function*() {
      const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`
      const outcomes: Record<string, string> = {}
      for (const entry of entries) {
        const exit = yield* streamWith(entry, json(deep))
        outcomes[entry.provider.name] = Exit.isSuccess(exit)
          ? "success"
          : exit.cause._tag === "Fail"
          ? exit.cause.error._tag
          : `defect (${exit.cause._tag})`
      }
      expect(outcomes).toEqual(Object.fromEntries(entries.map((e) => [e.provider.name, "DecodeError"])))
    }).pipe(Effect.provide(live)))
})

/**
 * A JSON text of `value` where every object starts with a `__proto__` key
 * and a `constructor.prototype` key, both carrying `polluted`.
 */
const poisoned = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(poisoned).join(",")}]`
  if (typeof value !== "object" || value === null) return JSON.stringify(value)
  const members = Object.entries(value).map(([key, v]) => `${JSON.stringify(key)}:${poisoned(v)}`)
  return `{${['"__proto__":{"polluted":"yes"}', '"constructor":{"prototype":{"polluted":"yes"}}', ...members].join(",")}}`
}

/** A plain record, or an instance of a class (a Schema class): never an attacker-chosen prototype. */
const ownPrototype = (record: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(record)
  if (proto === Object.prototype) return true
  const constructor = (proto as { constructor?: unknown } | null)?.constructor
  return typeof constructor === "function" && constructor.prototype === proto
}

describe("__proto__ keys in JSON", () => {
  for (const entry of entries) {
    it.live(`${entry.provider.name}: decoding yields clean records and Object.prototype stays clean`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 30 })
        const expected = ["101", "102", "103"]
        const body = poisoned(JSON.parse(entry.page(expected)))
        expect(body.split("__proto__").length - 1).toBeGreaterThanOrEqual(4)
        running.server.setFaults(onList(entry, [{ fault: json(body) }]))
        const exit = yield* guard(
          Effect.exit(collect(Harness.jobs(running, { retryPolicy: RetryPolicy.none, variant: jsonVariant(entry)?.name }))),
          bound,
          `${entry.provider.name} __proto__ body`
        )
        expect(prototypeIsClean()).toBe(true)
        expect(Exit.isSuccess(exit)).toBe(true)
        if (Exit.isFailure(exit)) return
        expect(exit.value.map((job) => job.id)).toEqual(expected)
        for (const job of exit.value) {
          const record = job.raw as object
          expect(ownPrototype(record)).toBe(true)
          expect(Object.prototype.hasOwnProperty.call(record, "__proto__")).toBe(false)
          expect("polluted" in record).toBe(false)
          expect(JSON.stringify(record)).not.toContain("polluted")
        }
      }).pipe(Effect.scoped, Effect.provide(live)))
  }
})

describe("hostile XML (every variant that reads XML)", () => {
  const xml = (body: string) => Faults.body(body, { status: 200, contentType: "application/xml; charset=utf-8" })

  it("some provider reads XML (so this block is not empty)", () => {
    expect(xmlVariants.length).toBeGreaterThan(0)
  })

  for (const { entry, variant } of xmlVariants) {
    const name = `${entry.provider.name} (${variant.name})`
    it.live(`${name}: malformed and truncated XML → DecodeError (xml), never a partial page`, () =>
      Effect.gen(function*() {
        expectDecodeError(yield* streamWith(entry, xml("<jobs><job><id>a</id>"), variant), "xml")
        expectDecodeError(yield* streamWith(entry, xml("<jobs><job></jobs></job>"), variant), "xml")
        expectDecodeError(yield* streamWith(entry, xml("<<<>>>"), variant))
      }).pipe(Effect.provide(live)))

    it.live(`${name}: an entity-expansion bomb (billion laughs) → DecodeError, quickly and without expanding`, () =>
      Effect.gen(function*() {
        const levels = Array.from({ length: 10 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("\n")
        const bomb = `<?xml version="1.0"?>\n<!DOCTYPE jobs [\n<!ENTITY lol0 "lol">\n${levels}\n]>\n` +
          `<jobs><job><id>&lol10;</id><status>finished</status></job></jobs>`
        const error = expectDecodeError(yield* streamWith(entry, xml(bomb), variant))
        // The excerpt is bounded: nothing was expanded into the error.
        if (error?._tag === "DecodeError") expect(error.excerpt.length).toBeLessThanOrEqual(201)
        // An external entity (XXE) is refused the same way.
        const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
          `<jobs><job><id>&x;</id><status>finished</status></job></jobs>`
        const refused = expectDecodeError(yield* streamWith(entry, xml(xxe), variant))
        expect(JSON.stringify(refused)).not.toContain("root:")
      }).pipe(Effect.provide(live)))

    it.live(`${name}: XML nested 100 000 levels deep → DecodeError (depth limit), no stack overflow`, () =>
      Effect.gen(function*() {
        const deep = `<jobs>${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}</jobs>`
        expectDecodeError(yield* streamWith(entry, xml(deep), variant))
      }).pipe(Effect.provide(live)))
  }
})

describe("bodies far larger than any page", () => {
  // The providers do not expose `maxBodyBytes`; they get core's default (32 MiB). A 33 MiB
  // answer with its Content-Length is refused from the headers, before the body is read.
  const huge = `{"bulkJobs":[],"jobList":[],"pad":"${"x".repeat(33 * 1024 * 1024)}"}`
  for (const entry of entries) {
    it.live(`${entry.provider.name}: a 33 MiB answer → DecodeError (body), not read into memory`, () =>
      Effect.gen(function*() {
        const error = expectDecodeError(yield* streamWith(entry, json(huge)), "body")
        if (error?._tag === "DecodeError") expect(error.issue).toContain(`${32 * 1024 * 1024} bytes`)
      }).pipe(Effect.provide(live)))
  }

  it.live("core transport (generic simulator): maxBodyBytes refuses a declared-length body over the limit", () =>
    Effect.gen(function*() {
      const sim = yield* GenericSimulator.makeGeneric({ jobs: 50 })
      const transport = yield* HttpTransport.make({
        provider: "generic",
        baseUrl: sim.url,
        maxBodyBytes: 64 * 1024,
        retryPolicy: RetryPolicy.immediate(2)
      })
      const call = { operation: "list", request: HttpClientRequest.get("/jobs"), decode: HttpTransport.decodeJson(Schema.Unknown) }
      // Within the limit: fine.
      yield* transport.execute(call)
      sim.setFaults([{ fault: json(`"${"y".repeat(1024 * 1024)}"`) }])
      const exit = yield* guard(Effect.exit(transport.execute(call)), bound, "oversized body")
      const error = expectDecodeError(exit, "body")
      if (error?._tag === "DecodeError") expect(error.issue).toContain("65536")
      // Not retried: a second attempt would get the same body.
      expect(sim.requests.length).toBe(2)
    }).pipe(Effect.scoped, Effect.provide(live)))

  it.live("core transport: an endless chunked body stops at maxBodyBytes (bounded memory), the socket is closed", () =>
    Effect.gen(function*() {
      const endless = yield* Effect.acquireRelease(Effect.promise(() => startEndlessServer()), (s) => Effect.promise(() => s.close()))
      const transport = yield* HttpTransport.make({
        provider: "generic",
        baseUrl: endless.url,
        maxBodyBytes: 256 * 1024,
        retryPolicy: RetryPolicy.none
      })
      const exit = yield* guard(
        Effect.exit(transport.execute({ operation: "endless", request: HttpClientRequest.get("/"), decode: HttpTransport.decodeJson(Schema.Unknown) })),
        bound,
        "an endless body"
      )
      const error = expectDecodeError(exit, "body")
      if (error?._tag === "DecodeError") expect(error.excerpt).toBe("")
      // The server noticed the client going away, having sent little more than the limit
      // (plus what socket buffers hold): the client did not keep reading.
      yield* guard(Effect.promise(() => endless.closed), bound, "the endless response to be abandoned")
      expect(endless.bytesSent()).toBeLessThan(256 * 1024 + 16 * 1024 * 1024)
    }).pipe(Effect.scoped, Effect.provide(live)))
})

/** An HTTP server whose only answer is a 200 with a chunked JSON body that never ends. */
const startEndlessServer = () =>
  new Promise<{ url: string; bytesSent: () => number; closed: Promise<void>; close: () => Promise<void> }>((resolve) => {
    let sent = 0
    let markClosed: () => void = () => {}
    const closed = new Promise<void>((r) => (markClosed = r))
    const chunk = Buffer.from(`"${"z".repeat(16 * 1024 - 2)}",`)
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "Content-Type": "application/json" })
      res.write("[")
      let stopped = false
      const stop = () => {
        stopped = true
        markClosed()
      }
      res.on("close", stop)
      res.on("error", stop)
      const pump = () => {
        while (!stopped) {
          sent += chunk.length
          if (!res.write(chunk)) {
            res.once("drain", pump)
            return
          }
        }
      }
      pump()
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resolve({
        url: `http://127.0.0.1:${port}`,
        bytesSent: () => sent,
        closed,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections()
            server.close(() => done())
          })
      })
    })
  })

