/** The simulator server: seeds, basics, and `Server.layer`. */
import { Effect, ManagedRuntime } from "effect"
import { describe, expect, it } from "vitest"
import * as Faults from "../src/Faults.js"
import * as Seed from "../src/Seed.js"
import * as Server from "../src/Server.js"
import { startEcho, track } from "./helpers.js"

describe("Seed", () => {
  it("rng is deterministic and in [0,1)", () => {
    const a = Seed.rng(42)
    const b = Seed.rng(42)
    const xs = Array.from({ length: 1000 }, () => a())
    const ys = Array.from({ length: 1000 }, () => b())
    expect(xs).toEqual(ys)
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true)
    expect(new Set(xs).size).toBeGreaterThan(990)
    expect(Seed.rng(43)()).not.toEqual(Seed.rng(42)())
  })

  it("int is inclusive, pick stays in range, id has the requested shape", () => {
    const r = Seed.rng(7)
    const ints = new Set(Array.from({ length: 500 }, () => Seed.int(r, 1, 3)))
    expect([...ints].sort()).toEqual([1, 2, 3])
    const picks = new Set(Array.from({ length: 200 }, () => Seed.pick(r, ["a", "b"] as const)))
    expect([...picks].sort()).toEqual(["a", "b"])
    expect(() => Seed.pick(r, [])).toThrow(RangeError)
    const ident = Seed.id(r, 20)
    expect(ident).toMatch(/^[a-z0-9]{20}$/)
    expect(Seed.id(r, 8, "01")).toMatch(/^[01]{8}$/)
  })

  it("dataset is deterministic and has the prefix property", () => {
    const make = (i: number, r: () => number) => ({ i, id: Seed.id(r, 20), n: Seed.int(r, 0, 1000) })
    const small = Seed.dataset(10, 99, make)
    const again = Seed.dataset(10, 99, make)
    const large = Seed.dataset(1000, 99, make)
    expect(small).toEqual(again)
    expect(large.slice(0, 10)).toEqual(small)
    expect(new Set(large.map((x) => x.id)).size).toBe(1000)
    expect(Seed.dataset(10, 100, make)).not.toEqual(small)
  })
})

describe("Server basics", () => {
  it("starts on a real port, answers, and closes", async () => {
    const server = await startEcho()
    expect(server.port).toBeGreaterThan(0)
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`)
    const res = await fetch(`${server.url}/hello?q=1`)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8")
    const text = await res.text()
    expect(res.headers.get("content-length")).toBe(String(Buffer.byteLength(text)))
    expect(JSON.parse(text)).toEqual({ method: "GET", path: "/hello", q: "1", body: "" })
    await server.close()
    await server.close() // idempotent
    await expect(fetch(`${server.url}/hello`)).rejects.toThrow()
  })

  it("logs requests in order with headers, body, status and fault", async () => {
    const server = await startEcho({ faults: [Faults.onRequests([2], Faults.status(503))] })
    await (await fetch(`${server.url}/a`, { headers: { "X-Trace": "t1" } })).text()
    await (await fetch(`${server.url}/b`, { method: "POST", body: "payload" })).text()
    await (await fetch(`${server.url}/c?q=z`)).text()
    const log = server.requests
    expect(log.map((r) => r.index)).toEqual([1, 2, 3])
    expect(log.map((r) => r.path)).toEqual(["/a", "/b", "/c"])
    expect(log[0]?.headers["x-trace"]).toBe("t1")
    expect(log[1]?.method).toBe("POST")
    expect(log[1]?.body).toBe("payload")
    expect(log[1]?.fault).toBe("Status")
    expect(log.map((r) => r.status)).toEqual([200, 503, 200])
    expect(log[2]?.query.get("q")).toBe("z")
    expect(server.requestCount).toBe(3)
    server.clearLog()
    expect(server.requests).toEqual([])
    expect(server.requestCount).toBe(3)
  })

  it("respects logBodies=false and maxLog", async () => {
    const server = await startEcho({ logBodies: false, maxLog: 2 })
    for (const n of [1, 2, 3]) {
      const res = await fetch(`${server.url}/n${n}`, { method: "PUT", body: `b${n}` })
      expect((await res.json()) as unknown).toMatchObject({ body: `b${n}` })
    }
    expect(server.requests.map((r) => r.path)).toEqual(["/n2", "/n3"])
    expect(server.requests.every((r) => r.body === "")).toBe(true)
    expect(server.requestCount).toBe(3)
  })

  it("turns handler exceptions into a JSON 500 and keeps serving", async () => {
    let calls = 0
    const server = await Server.start({
      handler: async () => {
        calls += 1
        if (calls === 1) throw new Error("boom")
        return Server.text(201, "ok")
      }
    }).then(track)
    const first = await fetch(server.url)
    expect(first.status).toBe(500)
    expect(await first.json()).toEqual({ error: "simulator handler failed" })
    const second = await fetch(server.url)
    expect(second.status).toBe(201)
    expect(await second.text()).toBe("ok")
    expect(server.requests.map((r) => r.status)).toEqual([500, 201])
  })

  it("serves xml, binary bodies, multi-value headers and bodyless statuses", async () => {
    const server = await Server.start({
      handler: (req) => {
        if (req.path === "/xml") return Server.xml(200, "<a/>")
        if (req.path === "/bin") return { status: 200, headers: { "Set-Cookie": ["a=1", "b=2"] }, body: new Uint8Array([1, 2, 3]) }
        return { status: 204 }
      }
    }).then(track)
    const x = await fetch(`${server.url}/xml`)
    expect(x.headers.get("content-type")).toBe("application/xml; charset=utf-8")
    expect(await x.text()).toBe("<a/>")
    const b = await fetch(`${server.url}/bin`)
    expect(new Uint8Array(await b.arrayBuffer())).toEqual(new Uint8Array([1, 2, 3]))
    expect(b.headers.getSetCookie()).toEqual(["a=1", "b=2"])
    const e = await fetch(`${server.url}/empty`)
    expect(e.status).toBe(204)
    expect(await e.text()).toBe("")
  })

  it("applies latency (behaviour only) and can change it at runtime", async () => {
    const server = await startEcho({ latency: { millis: 5, jitterMillis: 5 } })
    const res = await fetch(`${server.url}/slow`)
    expect(res.status).toBe(200)
    server.setLatency(undefined)
    const fast = await fetch(`${server.url}/fast`)
    expect(fast.status).toBe(200)
    expect(server.requests.map((r) => [r.path, r.status])).toEqual([["/slow", 200], ["/fast", 200]])
  })

  it("close() does not hang on idle keep-alive connections", async () => {
    const server = await startEcho()
    for (let i = 0; i < 3; i++) await (await fetch(`${server.url}/k${i}`)).text()
    await expect(server.close()).resolves.toBeUndefined()
  })

  it("scoped make closes the server when the scope closes", async () => {
    const url = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* Server.make({ handler: () => Server.text(200, "scoped") })
          const body = yield* Effect.promise(() => fetch(server.url).then((r) => r.text()))
          expect(body).toBe("scoped")
          return server.url
        })
      )
    )
    await expect(fetch(url)).rejects.toThrow()
  })
})

describe("Server.layer", () => {
  it("starts with the layer and closes with its scope", async () => {
    const live = Server.layer(Server.Simulator, { handler: () => Server.json(200, { ok: true }) })
    const runtime = ManagedRuntime.make(live)
    const url = await runtime.runPromise(Effect.map(Server.Simulator, (s) => s.url))
    const res = await fetch(`${url}/anything`)
    expect(await res.json()).toEqual({ ok: true })
    await runtime.dispose()
    await expect(fetch(`${url}/anything`)).rejects.toThrow()
  })
})
