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
import { Faults, GenericSimulator } from "@jobstream/testkit"
import * as http from "node:http"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schema from "effect/Schema"
import { collect, guard, harness, live, onList, type ProviderName, providers } from "./support.js"

const bound = 10_000

const prototypeIsClean = () => {
  const probe: Record<string, unknown> = {}
  return probe["polluted"] === undefined && !("polluted" in probe) &&
    (Object.prototype as Record<string, unknown>)["polluted"] === undefined
}

/** Streams a provider's jobs against a simulator whose list requests answer `fault`. */
const streamWith = (name: ProviderName, fault: Faults.Fault, format: "json" | "xml" = "json") =>
  Effect.gen(function*() {
    const h = yield* harness(name, { jobs: 30 })
    h.server.setFaults(onList(h, [{ fault }]))
    return yield* guard(
      Effect.exit(collect(h.ids({ retryPolicy: RetryPolicy.immediate(1), format, insideViewAuth: "token" }))),
      bound,
      `${name} against a hostile body`
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
  for (const name of providers) {
    it.live(`${name}: malformed JSON → DecodeError (json), not retried`, () =>
      Effect.gen(function*() {
        expectDecodeError(yield* streamWith(name, json("{\"bulkJobs\": [{\"jobId\": \"a\", ")), "json")
        expectDecodeError(yield* streamWith(name, json("{\"a\": 1}}}}")), "json")
        expectDecodeError(yield* streamWith(name, json("\u0000\u0001\u0002garbage")), "json")
      }).pipe(Effect.provide(live)))

    it.live(`${name}: an empty body with 200 → DecodeError`, () =>
      Effect.gen(function*() {
        expectDecodeError(yield* streamWith(name, json("")))
        expectDecodeError(yield* streamWith(name, json("   \n ")))
      }).pipe(Effect.provide(live)))

    it.live(`${name}: wrong content type (an HTML page with 200) → DecodeError`, () =>
      Effect.gen(function*() {
        const page = "<html><head><title>Maintenance</title></head><body><h1>Back soon</h1></body></html>"
        expectDecodeError(yield* streamWith(name, Faults.body(page, { status: 200, contentType: "text/html" })))
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
      for (const name of providers) {
        const exit = yield* streamWith(name, json(deep))
        outcomes[name] = Exit.isSuccess(exit) ? "success" : exit.cause._tag === "Fail" ? exit.cause.error._tag : `defect (${exit.cause._tag})`
      }
      expect(outcomes).toEqual({ insideview: "DecodeError", greenarrow: "DecodeError", icws: "DecodeError" })
    }).pipe(Effect.provide(live)))
})

/** Bodies that carry `__proto__` / `constructor.prototype` keys but are otherwise valid pages. */
const protoBodies: Record<ProviderName, { readonly body: string; readonly ids: ReadonlyArray<string> }> = {
  insideview: {
    body: `{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"bulkJobs":[` +
      `{"__proto__":{"polluted":"yes","jobStatus":"x"},"jobId":"p1","jobStatus":"finished"},` +
      `{"jobId":"p2","jobStatus":"failed","constructor":{"prototype":{"polluted":"yes"}}}],` +
      `"page":"1","resultsPerPage":"50","totalResults":"2"}`,
    ids: ["p1", "p2"]
  },
  greenarrow: {
    body: `{"__proto__":{"polluted":"yes"},"success":true,"error_code":null,"error_message":null,"per_page":100,` +
      `"num_records":2,"num_pages":1,"next_page_token":null,"data":[` +
      `{"__proto__":{"polluted":"yes","state":"x"},"id":11,"state":"finished"},` +
      `{"id":12,"constructor":{"prototype":{"polluted":"yes"}}}]}`,
    ids: ["11", "12"]
  },
  icws: {
    body: `{"__proto__":{"polluted":"yes"},"jobList":[{"__proto__":{"polluted":"yes"},"jobStatus":` +
      `{"__proto__":{"polluted":"yes"},"name":"n","submittedUserId":"u","id":"x1","submittedUserSiteId":1,"state":5}},` +
      `{"jobStatus":{"name":"m","submittedUserId":"u","id":"x2","submittedUserSiteId":1,` +
      `"constructor":{"prototype":{"polluted":"yes"}}}}]}`,
    ids: ["x1", "x2"]
  }
}

describe("__proto__ keys in JSON", () => {
  for (const name of providers) {
    it.live(`${name}: decoding yields clean records (or a typed error) and Object.prototype stays clean`, () =>
      Effect.gen(function*() {
        const h = yield* harness(name, { jobs: 30 })
        h.server.setFaults(onList(h, [{ fault: json(protoBodies[name].body) }]))
        const exit = yield* guard(
          Effect.exit(collect(h.records({ retryPolicy: RetryPolicy.none, insideViewAuth: "token" }))),
          bound,
          `${name} __proto__ body`
        )
        expect(prototypeIsClean()).toBe(true)
        expect(Exit.isSuccess(exit)).toBe(true)
        if (Exit.isFailure(exit)) return
        expect(exit.value.map((r) => r.id)).toEqual(protoBodies[name].ids)
        for (const { record } of exit.value) {
          const proto = Object.getPrototypeOf(record)
          // A plain record, or a Schema class instance: never an attacker-chosen prototype.
          expect(proto === Object.prototype || Object.getPrototypeOf(proto) === Object.prototype || proto?.constructor?.name === "GreenArrowJob").toBe(true)
          expect(Object.prototype.hasOwnProperty.call(record, "__proto__")).toBe(false)
          expect("polluted" in (record as object)).toBe(false)
          expect(JSON.stringify(record)).not.toContain("polluted")
        }
      }).pipe(Effect.scoped, Effect.provide(live)))
  }
})

describe("hostile XML (InsideView, the XML provider)", () => {
  const xml = (body: string) => Faults.body(body, { status: 200, contentType: "application/xml; charset=utf-8" })

  it.live("malformed and truncated XML → DecodeError (xml), never a partial page", () =>
    Effect.gen(function*() {
      expectDecodeError(yield* streamWith("insideview", xml("<bulkJobs><bulkJob><jobId>a</jobId>"), "xml"), "xml")
      expectDecodeError(yield* streamWith("insideview", xml("<bulkJobs><bulkJob></bulkJobs></bulkJob>"), "xml"), "xml")
      expectDecodeError(yield* streamWith("insideview", xml("<<<>>>"), "xml"))
    }).pipe(Effect.provide(live)))

  it.live("an entity-expansion bomb (billion laughs) → DecodeError, quickly and without expanding", () =>
    Effect.gen(function*() {
      const levels = Array.from({ length: 10 }, (_, i) =>
        `<!ENTITY lol${i + 1} "${`&lol${i};`.repeat(10)}">`).join("\n")
      const bomb = `<?xml version="1.0"?>\n<!DOCTYPE bulkJobs [\n<!ENTITY lol0 "lol">\n${levels}\n]>\n` +
        `<bulkJobs><bulkJob><jobId>&lol10;</jobId><jobStatus>finished</jobStatus></bulkJob></bulkJobs>`
      const error = expectDecodeError(yield* streamWith("insideview", xml(bomb), "xml"))
      // The excerpt is bounded: nothing was expanded into the error.
      if (error?._tag === "DecodeError") expect(error.excerpt.length).toBeLessThanOrEqual(201)
      // An external entity (XXE) is refused the same way.
      const xxe = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>` +
        `<bulkJobs><bulkJob><jobId>&x;</jobId><jobStatus>finished</jobStatus></bulkJob></bulkJobs>`
      const refused = expectDecodeError(yield* streamWith("insideview", xml(xxe), "xml"))
      expect(JSON.stringify(refused)).not.toContain("root:")
    }).pipe(Effect.provide(live)))

  it.live("XML nested 100 000 levels deep → DecodeError (depth limit), no stack overflow", () =>
    Effect.gen(function*() {
      const deep = `<bulkJobs>${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}</bulkJobs>`
      expectDecodeError(yield* streamWith("insideview", xml(deep), "xml"))
    }).pipe(Effect.provide(live)))

  it.live("a <__proto__> element decodes to a clean record and leaves Object.prototype alone", () =>
    Effect.gen(function*() {
      const body = `<?xml version="1.0"?><bulkJobs><bulkJob><__proto__><polluted>yes</polluted>` +
        `<jobStatus>x</jobStatus></__proto__><constructor><prototype><polluted>yes</polluted></prototype></constructor>` +
        `<jobId>x1</jobId><jobStatus>finished</jobStatus></bulkJob><page>1</page><resultsPerPage>50</resultsPerPage>` +
        `<totalResults>1</totalResults></bulkJobs>`
      const h = yield* harness("insideview", { jobs: 30 })
      h.server.setFaults(onList(h, [{ fault: xml(body) }]))
      const exit = yield* guard(
        Effect.exit(collect(h.records({ retryPolicy: RetryPolicy.none, insideViewAuth: "token", format: "xml" }))),
        bound,
        "xml __proto__"
      )
      expect(prototypeIsClean()).toBe(true)
      if (Exit.isSuccess(exit)) {
        expect(exit.value.map((r) => r.id)).toEqual(["x1"])
        const record = exit.value[0]!.record
        expect(Object.getPrototypeOf(record)).toBe(Object.prototype)
        expect("polluted" in (record as object)).toBe(false)
        expect((record as { jobStatus?: unknown }).jobStatus).toBe("finished")
      } else {
        expect(failure(exit)?._tag).toBe("DecodeError")
      }
    }).pipe(Effect.scoped, Effect.provide(live)))
})

describe("bodies far larger than any page", () => {
  // The providers do not expose `maxBodyBytes`; they get core's default (32 MiB). A 33 MiB
  // answer with its Content-Length is refused from the headers, before the body is read.
  const huge = `{"bulkJobs":[],"jobList":[],"pad":"${"x".repeat(33 * 1024 * 1024)}"}`
  for (const name of providers) {
    it.live(`${name}: a 33 MiB answer → DecodeError (body), not read into memory`, () =>
      Effect.gen(function*() {
        const error = expectDecodeError(yield* streamWith(name, json(huge)), "body")
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

