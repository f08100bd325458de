/**
 * The simulators' knobs for listings that move and cursors that misbehave,
 * checked with plain `fetch` (the clients' tests rely on exactly this).
 */
import { describe, expect, it } from "vitest"
import * as GreenArrowSimulator from "../src/GreenArrowSimulator.js"
import * as IcwsSimulator from "../src/IcwsSimulator.js"
import * as InsideViewSimulator from "../src/InsideViewSimulator.js"
import * as Mutations from "../src/Mutations.js"
import { track } from "./helpers.js"

const getJson = async <T>(url: string, headers: Record<string, string> = {}): Promise<T> =>
  (await fetch(url, { headers })).json() as Promise<T>

interface InsideViewPage {
  readonly bulkJobs: ReadonlyArray<{ readonly jobId: string }>
}
interface GreenArrowPage {
  readonly data: ReadonlyArray<{ readonly id: number }>
  readonly next_page_token: string | null
  readonly num_records: number
}
interface IcwsPage {
  readonly jobList: ReadonlyArray<{ readonly jobStatus: { readonly id: string } }>
}

describe("Mutations.schedule", () => {
  it("applies each change just before the request after `afterListRequests`, removals before additions", () => {
    const log: Array<string> = []
    const before = Mutations.schedule(
      [{ afterListRequests: 2, add: 3, remove: 1 }, { afterListRequests: 0, removeOldest: 2 }],
      {
        add: (n) => log.push(`add ${n}`),
        remove: (n) => log.push(`remove ${n}`),
        removeOldest: (n) => log.push(`removeOldest ${n}`)
      }
    )
    before()
    expect(log).toEqual(["removeOldest 2"])
    before()
    expect(log).toEqual(["removeOldest 2"])
    before()
    expect(log).toEqual(["removeOldest 2", "remove 1", "add 3"])
    before()
    expect(log).toHaveLength(3)
  })
})

describe("InsideViewSimulator listing knobs", () => {
  const list = (sim: InsideViewSimulator.InsideViewServer, page: number) =>
    getJson<InsideViewPage>(`${sim.url}/api/v1/admin/jobs?page=${page}&resultsPerPage=5`, {
      accessToken: "sim-fixed-token",
      Accept: "application/json"
    })

  it("oldest-first: added jobs land at the end; pageFault ignore-page and stuckAt", async () => {
    const sim = track(await InsideViewSimulator.startInsideView({ jobs: 12, order: "oldest-first" }))
    const before = sim.jobs.map((j) => j.jobId)
    const added = sim.addJobs(2).map((j) => j.jobId)
    expect(sim.jobs.map((j) => j.jobId)).toEqual([...before, ...added.slice().reverse()])
    expect(sim.jobs[13]!.createdDate >= sim.jobs[0]!.createdDate).toBe(true)
    sim.removeOldestJobs(3)
    expect(sim.jobs.map((j) => j.jobId)).toEqual([...before.slice(3), ...added.slice().reverse()])

    const ignoring = track(await InsideViewSimulator.startInsideView({ jobs: 30, pageFault: "ignore-page" }))
    const page3 = await list(ignoring, 3)
    expect(page3.bulkJobs.map((j) => j.jobId)).toEqual(ignoring.jobs.slice(0, 5).map((j) => j.jobId))
    const stuck = track(await InsideViewSimulator.startInsideView({ jobs: 30, pageFault: { stuckAt: 2 } }))
    expect((await list(stuck, 4)).bulkJobs).toEqual((await list(stuck, 2)).bulkJobs)
    expect((await list(stuck, 1)).bulkJobs).not.toEqual((await list(stuck, 2)).bulkJobs)
  })
})

describe("GreenArrowSimulator listing knobs", () => {
  const key = GreenArrowSimulator.defaultKeys[2]!
  const list = (sim: GreenArrowSimulator.GreenArrowServer, query: string) =>
    getJson<GreenArrowPage>(`${sim.url}/ga/api/v2/jobs/all?per_page=5${query}`, { Authorization: sim.basicAuth(key) })

  it("token modes: stuck, cycle, repeat, endless", async () => {
    const sim = track(await GreenArrowSimulator.startGreenArrow({ jobs: 12 }))
    const ids = (body: GreenArrowPage) => body.data.map((j) => j.id)
    sim.setTokenMode("stuck")
    const first = await list(sim, "")
    expect(ids(await list(sim, `&page_token=${first.next_page_token}`))).toEqual(ids(first))

    sim.setTokenMode("cycle")
    const p0 = await list(sim, "")
    const p1 = await list(sim, `&page_token=${p0.next_page_token}`)
    const p2 = await list(sim, `&page_token=${p1.next_page_token}`)
    expect(p2.next_page_token).toBe(p0.next_page_token)

    sim.setTokenMode("repeat")
    const r1 = await list(sim, `&page_token=${p0.next_page_token}`)
    const r2 = await list(sim, `&page_token=${r1.next_page_token}`)
    expect(r1.next_page_token).not.toBe(p0.next_page_token)
    expect(ids(r2)).toEqual(ids(r1))

    sim.setTokenMode("endless")
    const last = await list(sim, `&page_token=${p1.next_page_token}`)
    expect(last.data).toHaveLength(2)
    const past = await list(sim, `&page_token=${last.next_page_token}`)
    expect(past.data).toEqual([])
    expect(past.next_page_token).not.toBeNull()
    expect((await list(sim, `&page_token=${past.next_page_token}`)).next_page_token).not.toBe(past.next_page_token)
  })

  it("mutations count list requests; add appends higher ids; pageFault", async () => {
    const sim = track(await GreenArrowSimulator.startGreenArrow({ jobs: 10, mutations: [{ afterListRequests: 1, add: 2 }] }))
    const maxBefore = Math.max(...sim.jobs.map((j) => j.id))
    expect((await list(sim, "")).num_records).toBe(10)
    expect((await list(sim, "")).num_records).toBe(12)
    expect(sim.jobs.slice(10).every((j) => j.id > maxBefore)).toBe(true)
    const ignoring = track(await GreenArrowSimulator.startGreenArrow({ jobs: 20, pageFault: "ignore-page" }))
    expect((await list(ignoring, "&page=3")).data).toEqual((await list(ignoring, "&page=0")).data)
  })
})

describe("IcwsSimulator cursor modes and mutations", () => {
  const connect = async (sim: IcwsSimulator.IcwsServer) => {
    const res = await fetch(`${sim.url}/icws/connection`, {
      method: "POST",
      headers: { "Accept-Language": "en-us", "Content-Type": "application/json" },
      body: JSON.stringify({
        __type: "urn:inin.com:connection:icAuthConnectionRequestSettings",
        applicationName: "t",
        userID: "agent",
        password: "s3cret-pw"
      })
    })
    const body = await res.json() as { readonly sessionId: string; readonly csrfToken: string }
    const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ")
    return (query: string) =>
      getJson<IcwsPage>(`${sim.url}/icws/${body.sessionId}/data-extractor/jobs?jobCount=4${query}`, {
        "ININ-ICWS-CSRF-Token": body.csrfToken,
        Cookie: cookie
      })
  }
  const ids = (body: IcwsPage) => body.jobList.map((j) => j.jobStatus.id)

  it("inclusive repeats the cursor job; wrap starts over; ignore serves the newest", async () => {
    const sim = track(await IcwsSimulator.startIcws({ jobs: 6 }))
    const list = await connect(sim)
    const newest = [...sim.jobs].reverse().map((j) => j.status.id)
    sim.setCursorMode("inclusive")
    expect(ids(await list(`&fromJobId=${newest[3]}`))).toEqual(newest.slice(3, 6))
    sim.setCursorMode("wrap")
    expect(ids(await list(`&fromJobId=${newest[3]}`))).toEqual([newest[4], newest[5], newest[0], newest[1]])
    sim.setCursorMode("ignore")
    expect(ids(await list(`&fromJobId=${newest[3]}`))).toEqual(newest.slice(0, 4))
  })

  it("mutations add the newest jobs and remove newest or oldest ones", async () => {
    const sim = track(await IcwsSimulator.startIcws({ jobs: 6, mutations: [{ afterListRequests: 1, add: 1, removeOldest: 2 }] }))
    const list = await connect(sim)
    const before = [...sim.jobs].reverse().map((j) => j.status.id)
    await list("")
    const after = ids(await list(""))
    expect(after.slice(1)).toEqual(before.slice(0, 3))
    expect(sim.jobs).toHaveLength(5)
  })
})
