/** The generic JSON/XML list simulator. */
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as Faults from "../src/Faults.js"
import * as GenericSimulator from "../src/GenericSimulator.js"
import { track } from "./helpers.js"

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
