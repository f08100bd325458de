import { describe, expect, it } from "@effect/vitest"
import { InsideViewSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"

const get = (url: string, init?: RequestInit) =>
  Effect.promise(async () => {
    const res = await fetch(url, init)
    return { status: res.status, type: res.headers.get("content-type") ?? "", body: await res.text(), headers: res.headers }
  })

const token = { accessToken: "sim-fixed-token" }

describe("InsideViewSimulator follows the reference", () => {
  it.scopedLive("XML by default, JSON on Accept; numbers as strings in JSON; newest first", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 25 })
      const xml = yield* get(`${sim.url}/api/v1/admin/jobs`, { headers: token })
      expect(xml.type).toContain("application/xml")
      expect(xml.body).toMatch(/^<\?xml version="1.0" encoding="UTF-8" standalone="yes"\?>\n<bulkJobs>/)
      expect(xml.body.match(/<bulkJob>/g)?.length).toBe(10)
      expect(xml.body).toContain("<totalResults>25</totalResults>")
      const json = yield* get(`${sim.url}/api/v1/admin/jobs?page=3`, { headers: { ...token, Accept: "application/json" } })
      const parsed = JSON.parse(json.body)
      expect(parsed).toMatchObject({ page: "3", resultsPerPage: "10", totalResults: "25" })
      expect(parsed.bulkJobs.length).toBe(5)
      const dates = sim.jobs.map((j) => j.createdDate)
      expect([...dates].sort().reverse()).toEqual(dates)
      expect(new Set(sim.jobs.map((j) => j.jobStatus))).toEqual(
        new Set(["finished", "failed", "aborted", "accepted", "processing"])
      )
    }))

  it.scopedLive("401, 400, 405 and 429 with the documented messages", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5, throttle: { limit: 4, windowMillis: 60_000 } })
      const accept = { Accept: "application/json" }
      const none = yield* get(`${sim.url}/api/v1/admin/jobs`, { headers: accept })
      expect(none.status).toBe(401)
      expect(JSON.parse(none.body).message).toBe(InsideViewSimulator.messages.unauthorized)
      const unknown = yield* get(`${sim.url}/api/v1/admin/jobs`, { headers: { ...accept, accessToken: "zzz" } })
      expect(unknown.status).toBe(401)
      for (const q of ["period=week", "start=2015", "period=day&start=2015-02-30", "resultsPerPage=51"]) {
        const bad = yield* get(`${sim.url}/api/v1/admin/jobs?${q}`, { headers: { ...token, ...accept } })
        expect(bad.status).toBe(400)
        expect(JSON.parse(bad.body)).toMatchObject({ status: 400, message: "Invalid query parameter(s)." })
      }
      const post = yield* get(`${sim.url}/api/v1/admin/jobs`, { method: "POST", headers: token })
      expect(post.status).toBe(405)
      expect(post.body).toContain("<message>Method Not Allowed - Your are not allowed to access this API.</message>")
      const throttled = yield* get(`${sim.url}/api/v1/admin/jobs`, { headers: token })
      expect(throttled.status).toBe(429)
      expect(throttled.body).toContain("Request is throttled.")
      expect(throttled.headers.get("retry-after")).toBeNull()
    }))

  it.scopedLive("the token endpoint issues tokens that expire; expired and revoked tokens get 401", () =>
    Effect.gen(function*() {
      const sim = yield* InsideViewSimulator.makeInsideView({ jobs: 5, tokenLifetimeSeconds: 3600 })
      const login = yield* get(`${sim.url}/Auth/login/v1/token.json?clientId=sim-client&clientSecret=sim-secret&grantType=cred`, {
        method: "POST"
      })
      const details = JSON.parse(login.body).accessTokenDetails
      expect(details.tokenType).toBe("bearer")
      expect(details.expirationTime).toMatch(/^[A-Z][a-z]{2}, [A-Z][a-z]{2} \d{2}, \d{4} \d{2}:\d{2}:\d{2} [AP]M GMT$/)
      expect(Date.parse(details.expirationTime) - Date.now()).toBeGreaterThan(3500_000)
      const ok = yield* get(`${sim.url}/api/v1/admin/jobs`, { headers: { accessToken: details.accessToken } })
      expect(ok.status).toBe(200)
      sim.expireIssuedTokens()
      expect((yield* get(`${sim.url}/api/v1/admin/jobs`, { headers: { accessToken: details.accessToken } })).status).toBe(401)
      sim.revokeAllTokens()
      expect((yield* get(`${sim.url}/api/v1/admin/jobs`, { headers: token })).status).toBe(401)
      const xmlLogin = yield* get(`${sim.url}/Auth/login/v1/token?clientId=sim-client&clientSecret=sim-secret&grantType=cred`, {
        method: "POST"
      })
      expect(xmlLogin.body).toContain("<accessTokenDetails><accessToken>")
      const wrong = yield* get(`${sim.url}/Auth/login/v1/token.json?clientId=sim-client&clientSecret=no&grantType=cred`, {
        method: "POST"
      })
      expect(wrong.status).toBe(401)
      const noGrant = yield* get(`${sim.url}/Auth/login/v1/token.json?clientId=sim-client&clientSecret=sim-secret`, {
        method: "POST"
      })
      expect(noGrant.status).toBe(400)
      expect(sim.logins).toBe(2)
    }))

  it("the seeded dataset is deterministic and independent of its size", () => {
    const a = InsideViewSimulator.insideViewJobs(50, 7)
    const b = InsideViewSimulator.insideViewJobs(500, 7)
    expect(b.slice(0, 50)).toEqual(a)
    expect(InsideViewSimulator.insideViewJobs(50, 8)).not.toEqual(a)
  })
})
