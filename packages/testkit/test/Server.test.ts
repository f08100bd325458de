import { Effect, ManagedRuntime } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import * as Faults from "../src/Faults.js"
import * as GenericSimulator from "../src/GenericSimulator.js"
import * as Seed from "../src/Seed.js"
import * as Server from "../src/Server.js"
import type { RunningServer, SimRequest } from "../src/Server.js"

// Servers opened by a test are closed afterwards even when an assertion fails.
const opened: Array<RunningServer> = []
const track = <S extends RunningServer>(server: S): S => {
  opened.push(server)
  return server
}
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()))
})

const echo = (req: SimRequest) =>
  Server.json(200, { method: req.method, path: req.path, q: req.query.get("q"), body: req.body })

const startEcho = (options: Partial<Server.ServerOptions> = {}) =>
  Server.start({ handler: echo, ...options }).then(track)

const waitFor = async (cond: () => boolean, timeoutMillis = 2000): Promise<void> => {
  const deadline = Date.now() + timeoutMillis
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time")
    await new Promise((r) => setTimeout(r, 5))
  }
}

const fakeRequest = (index: number): SimRequest => {
  const url = new URL(`http://localhost/x?i=${index}`)
  return { index, method: "GET", url, path: url.pathname, query: url.searchParams, headers: {}, body: "", receivedAt: 0 }
}

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

describe("Faults", () => {
  it("Status fault with headers and body; rateLimited sets Retry-After", async () => {
    const server = await startEcho({
      faults: [
        Faults.onRequests([1], Faults.status(418, { headers: { "X-Teapot": "yes" }, body: "short and stout" })),
        Faults.onRequests([2], Faults.rateLimited(7)),
        Faults.onRequests([3], Faults.status(500))
      ]
    })
    const first = await fetch(server.url)
    expect(first.status).toBe(418)
    expect(first.headers.get("x-teapot")).toBe("yes")
    expect(await first.text()).toBe("short and stout")
    const second = await fetch(server.url)
    expect(second.status).toBe(429)
    expect(second.headers.get("retry-after")).toBe("7")
    await second.text()
    const third = await fetch(server.url)
    expect(third.status).toBe(500)
    expect(third.headers.get("content-type")).toContain("application/json")
    expect(await third.json()).toMatchObject({ error: "status_500" })
    expect(server.requests.map((r) => r.fault)).toEqual(["Status", "Status", "Status"])
  })

  it("Reset makes fetch reject", async () => {
    const server = await startEcho({ faults: [Faults.onRequests([1], Faults.reset)] })
    await expect(fetch(`${server.url}/r`)).rejects.toThrow()
    const after = await fetch(`${server.url}/r`)
    expect(after.status).toBe(200)
    expect(server.requests[0]?.fault).toBe("Reset")
    expect(server.requests[0]?.status).toBeUndefined()
  })

  it("Truncate announces the full length but body reading fails", async () => {
    const big = "x".repeat(10_000)
    const server = await Server.start({
      handler: () => Server.text(200, big),
      faults: [Faults.onRequests([1], Faults.truncate(0.3))]
    }).then(track)
    const res = await fetch(server.url)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-length")).toBe("10000")
    await expect(res.text()).rejects.toThrow()
    expect(server.requests[0]?.fault).toBe("Truncate")
    expect(await (await fetch(server.url)).text()).toBe(big)
  })

  it("Html502 returns an nginx-like page", async () => {
    const server = await startEcho({ faults: [Faults.withProbability(1, Faults.html502)] })
    const res = await fetch(server.url)
    expect(res.status).toBe(502)
    expect(res.headers.get("content-type")).toBe("text/html")
    const html = await res.text()
    expect(html).toContain("<title>502 Bad Gateway</title>")
    expect(html).toContain("nginx")
  })

  it("Body replaces the payload", async () => {
    const server = await startEcho({
      faults: [
        Faults.onRequests([1], Faults.body("{not json")),
        Faults.onRequests([2], Faults.body("<oops>", { status: 202, contentType: "text/xml" }))
      ]
    })
    const first = await fetch(server.url)
    expect(first.status).toBe(200)
    expect(first.headers.get("content-type")).toContain("application/json")
    await expect(first.json()).rejects.toThrow()
    const second = await fetch(server.url)
    expect(second.status).toBe(202)
    expect(second.headers.get("content-type")).toBe("text/xml")
    expect(await second.text()).toBe("<oops>")
  })

  it("Delay still lets the handler answer", async () => {
    const server = await startEcho({ faults: [Faults.onRequests([1], Faults.delay(10))] })
    const res = await fetch(`${server.url}/d`)
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ path: "/d" })
    expect(server.requests[0]).toMatchObject({ fault: "Delay", status: 200 })
  })

  it("Hang never answers; abort rejects and close() resolves", async () => {
    const server = await startEcho({ faults: [Faults.withProbability(1, Faults.hang)] })
    const controller = new AbortController()
    const pending = fetch(server.url, { signal: controller.signal })
    await waitFor(() => server.requestCount === 1)
    controller.abort()
    await expect(pending).rejects.toThrow()
    // A second hanging request that nobody aborts must not block close().
    const orphan = fetch(server.url)
    await waitFor(() => server.requestCount === 2)
    await expect(server.close()).resolves.toBeUndefined()
    await expect(orphan).rejects.toThrow()
    expect(server.requests.map((r) => r.fault)).toEqual(["Hang", "Hang"])
  })

  it("requests: [3] only affects the third request", async () => {
    const server = await startEcho({ faults: [Faults.onRequests([3], Faults.status(503))] })
    const statuses: Array<number> = []
    for (let i = 0; i < 5; i++) {
      const res = await fetch(server.url)
      await res.text()
      statuses.push(res.status)
    }
    expect(statuses).toEqual([200, 200, 503, 200, 200])
  })

  it("match and times limit a rule; setFaults replaces rules", async () => {
    const server = await startEcho({
      faults: [{ fault: Faults.status(500), match: (req) => req.path === "/bad", times: 2 }]
    })
    const get = async (path: string) => {
      const res = await fetch(`${server.url}${path}`)
      await res.text()
      return res.status
    }
    expect([await get("/ok"), await get("/bad"), await get("/bad"), await get("/bad")]).toEqual([200, 500, 500, 200])
    server.setFaults([Faults.onRequests([6], Faults.status(401))])
    expect([await get("/x"), await get("/x")]).toEqual([200, 401])
  })

  it("probability rules are reproducible for the same seed", async () => {
    const run = async (seed: number) => {
      const server = await startEcho({ seed, faults: [Faults.withProbability(0.3, Faults.status(500))] })
      const out: Array<number> = []
      for (let i = 0; i < 30; i++) {
        const res = await fetch(server.url)
        await res.text()
        out.push(res.status)
      }
      await server.close()
      return out
    }
    const a = await run(1234)
    const b = await run(1234)
    expect(a).toEqual(b)
    expect(a).toContain(500)
    expect(a).toContain(200)
  })

  it("chaos makes one draw per request with roughly the given shares", () => {
    const rules = Faults.chaos({ serverError: 0.1, rateLimited: 0.05, reset: 0.05, truncate: 0.1, retryAfter: "2" })
    expect(rules).toHaveLength(1)
    const r = Seed.rng(5)
    const state = Faults.makeRuleState()
    let draws = 0
    const counted = (): (() => number) => () => {
      draws += 1
      return r()
    }
    const rr = counted()
    const counts: Record<string, number> = { none: 0 }
    let sawRetryAfter = false
    for (let i = 1; i <= 2000; i++) {
      const fault = Faults.select(rules, fakeRequest(i), rr, state)
      const key = fault === undefined ? "none" : fault._tag === "Status" ? `s${fault.status}` : fault._tag
      counts[key] = (counts[key] ?? 0) + 1
      if (fault?._tag === "Status" && fault.status === 429) sawRetryAfter = fault.headers?.["Retry-After"] === "2"
    }
    expect(draws).toBe(2000)
    expect(counts["s500"]).toBeGreaterThan(120)
    expect(counts["s500"]).toBeLessThan(280)
    expect(counts["s429"]).toBeGreaterThan(50)
    expect(counts["s429"]).toBeLessThan(150)
    expect(counts["Reset"]).toBeGreaterThan(50)
    expect(counts["Reset"]).toBeLessThan(150)
    expect(counts["Truncate"]).toBeGreaterThan(120)
    expect(counts["Truncate"]).toBeLessThan(280)
    expect(counts["none"]).toBeGreaterThan(1200)
    expect(sawRetryAfter).toBe(true)
    expect(Faults.chaos({})).toEqual([])
  })

  it("chaos works end to end on a server", async () => {
    const server = await startEcho({ seed: 3, faults: Faults.chaos({ serverError: 0.5 }) })
    const statuses: Array<number> = []
    for (let i = 0; i < 20; i++) {
      const res = await fetch(server.url)
      await res.text()
      statuses.push(res.status)
    }
    expect(statuses.filter((s) => s === 500).length).toBeGreaterThan(2)
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThan(2)
    expect(server.requests.filter((r) => r.fault === "Status").length).toBe(statuses.filter((s) => s === 500).length)
  })
})

describe("GenericSimulator", () => {
  // Loose view of the simulator's JSON bodies; the assertions check the details.
  interface Body {
    readonly items: ReadonlyArray<GenericSimulator.GenericJob>
    readonly next: string | null
    readonly total: number
    readonly error: string
    readonly message: string
  }
  const getJson = async (url: string, init?: RequestInit): Promise<{ status: number; body: Body }> => {
    const res = await fetch(url, init)
    return { status: res.status, body: (await res.json()) as Body }
  }

  it("generates deterministic jobs", () => {
    const a = GenericSimulator.genericJobs(50, 9)
    expect(a).toEqual(GenericSimulator.genericJobs(50, 9))
    expect(GenericSimulator.genericJobs(500, 9).slice(0, 50)).toEqual(a)
    for (const job of a) {
      expect(job.id).toMatch(/^[a-z0-9]{20}$/)
      expect(["queued", "running", "done", "failed", "canceled"]).toContain(job.status)
      expect(new Date(job.createdAt).toISOString()).toBe(job.createdAt)
    }
  })

  it("paginates with page/per_page and reports totals", async () => {
    const server = track(await GenericSimulator.startGeneric({ jobs: 120 }))
    expect(server.jobs).toHaveLength(120)
    const seen: Array<string> = []
    for (let page = 1; page <= 3; page++) {
      const { status, body } = await getJson(`${server.url}/jobs?page=${page}&per_page=50`)
      expect(status).toBe(200)
      expect(body).toMatchObject({ page, per_page: 50, total: 120 })
      seen.push(...body.items.map((j) => j.id))
    }
    expect(seen).toEqual(server.jobs.map((j) => j.id))
    const defaults = await getJson(`${server.url}/jobs`)
    expect(defaults.body).toMatchObject({ page: 1, per_page: 50, total: 120 })
    expect(defaults.body.items).toHaveLength(50)
    const beyond = await getJson(`${server.url}/jobs?page=99`)
    expect(beyond.body.items).toEqual([])
    for (const bad of ["page=0", "page=abc", "per_page=0", "per_page=501"]) {
      const res = await getJson(`${server.url}/jobs?${bad}`)
      expect(res.status).toBe(400)
      expect(res.body.error).toBe("bad_request")
      expect(typeof res.body.message).toBe("string")
    }
  })

  it("cursor walk covers every job exactly once", async () => {
    const server = track(await GenericSimulator.startGeneric({ jobs: 103, seed: 4 }))
    const ids: Array<string> = []
    let cursor: string | null = null
    let pages = 0
    do {
      const query: string = cursor === null ? "limit=10" : `limit=10&cursor=${encodeURIComponent(cursor)}`
      const { status, body } = await getJson(`${server.url}/jobs/cursor?${query}`)
      expect(status).toBe(200)
      ids.push(...body.items.map((j) => j.id))
      cursor = body.next
      pages += 1
    } while (cursor !== null && pages < 50)
    expect(pages).toBe(11)
    expect(ids).toEqual(server.jobs.map((j) => j.id))
    expect(new Set(ids).size).toBe(103)
    expect((await getJson(`${server.url}/jobs/cursor?cursor=garbage`)).status).toBe(400)
  })

  it("looks up jobs, forces statuses, serves xml and rejects other routes", async () => {
    const server = track(await GenericSimulator.startGeneric({ jobs: 5 }))
    const job = server.jobs[2]!
    expect(await getJson(`${server.url}/jobs/${job.id}`)).toEqual({ status: 200, body: job })
    expect(await getJson(`${server.url}/jobs/nope`)).toEqual({
      status: 404,
      body: { error: "not_found", message: "job not found" }
    })
    expect(await getJson(`${server.url}/status/503`)).toEqual({
      status: 503,
      body: { error: "status_503", message: "forced status" }
    })
    const x = await fetch(`${server.url}/xml?n=2`)
    expect(x.headers.get("content-type")).toBe("application/xml; charset=utf-8")
    const doc = await x.text()
    expect(doc.startsWith("<jobs><job><id>")).toBe(true)
    expect(doc.match(/<job>/g)).toHaveLength(2)
    expect(doc).toContain(`<id>${server.jobs[1]!.id}</id>`)
    expect((await (await fetch(`${server.url}/xml`)).text()).match(/<job>/g)).toHaveLength(3)
    expect(await (await fetch(`${server.url}/xml?n=0`)).text()).toBe("<jobs></jobs>")
    expect((await getJson(`${server.url}/elsewhere`)).status).toBe(404)
    expect(await getJson(`${server.url}/jobs`, { method: "POST", body: "{}" })).toEqual({
      status: 405,
      body: { error: "method_not_allowed" }
    })
  })

  it("requires the bearer token when configured", async () => {
    const server = track(await GenericSimulator.startGeneric({ token: "s3cret", jobs: 3 }))
    expect(await getJson(`${server.url}/jobs`)).toEqual({ status: 401, body: { error: "unauthorized" } })
    const ok = await getJson(`${server.url}/jobs`, { headers: { Authorization: "Bearer s3cret" } })
    expect(ok.status).toBe(200)
    expect(ok.body.total).toBe(3)
    expect(server.requests[1]?.headers["authorization"]).toBe("Bearer s3cret")
  })

  it("applies faults and closes with makeGeneric", async () => {
    const url = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const server = yield* GenericSimulator.makeGeneric({ faults: [Faults.onRequests([1], Faults.rateLimited("1"))] })
          const first = yield* Effect.promise(() => fetch(`${server.url}/jobs`))
          expect(first.status).toBe(429)
          expect(first.headers.get("retry-after")).toBe("1")
          yield* Effect.promise(() => first.text())
          const second = yield* Effect.promise(() => fetch(`${server.url}/jobs`))
          expect(second.status).toBe(200)
          yield* Effect.promise(() => second.text())
          expect(server.requestCount).toBe(2)
          return server.url
        })
      )
    )
    await expect(fetch(`${url}/jobs`)).rejects.toThrow()
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
