/** Faults: what each does to a response, and which requests they hit. */
import { describe, expect, it } from "vitest"
import * as Faults from "../src/Faults.js"
import * as Seed from "../src/Seed.js"
import * as Server from "../src/Server.js"
import { fakeRequest, startEcho, track, waitFor } from "./helpers.js"

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
