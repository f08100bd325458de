/**
 * ICWS specifics. The session id travels in every path: it is redacted by
 * its value, so a base URL with a path prefix (a gateway in front of the
 * server) hides it just as well. Alternate hosts named by a 503 keep the
 * configured scheme: a bare host gets it, and a switch from https to http
 * (which would send the password in clear) is refused.
 */
import { describe, expect, it } from "@effect/vitest"
import type { ApiError } from "@jobstream/core"
import { IcwsSession } from "@jobstream/icws"
import { Faults, IcwsSimulator, Server, Tls } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { attempt, audited, findLeaks, httpClient, icwsClient, icwsSecrets, inAllForms, tlsClient } from "./support.js"

describe("icws: the session id is redacted wherever the path puts it", () => {
  for (const prefix of ["/gateway", "/a/b/icws-proxy", ""]) {
    it.live(`base URL ${prefix === "" ? "without a prefix" : `with the prefix ${prefix}`}`, () =>
      Effect.gen(function*() {
        const sim = yield* IcwsSimulator.makeIcws({ jobs: 12, ...(prefix === "" ? {} : { pathPrefix: prefix }) })
        const baseUrl = `${sim.url}${prefix}`
        const audit = yield* audited((errors) =>
          Effect.scoped(Effect.gen(function*() {
            const client = yield* icwsClient(sim, { baseUrl })
            // It works under the prefix…
            expect((yield* Stream.runCollect(Stream.take(client.jobs(), 3)).pipe(Effect.orDie)).length).toBe(3)
            // …and its failures name the path without the session id.
            yield* attempt(errors, client.getJob("no-such-job"))
            sim.setFaults([{ fault: Faults.status(500), match: (r) => r.method === "GET" && r.path.endsWith("/data-extractor/jobs") }])
            yield* attempt(errors, Stream.runDrain(client.jobs()))
            sim.setFaults([{ fault: Faults.status(400), match: (r) => r.method === "POST" && r.path.endsWith("/data-extractor/jobs") }])
            yield* attempt(errors, client.submitJob({ name: "x", submittedUserId: "agent" }))
            sim.setFaults([])
          })).pipe(Effect.orDie)
        )
        const tags = audit.errors.map((e) => (e as ApiError.ApiError)._tag)
        expect(tags).toEqual(["NotFound", "ServerError", "BadRequest"])
        for (const error of audit.errors as ReadonlyArray<ApiError.NotFound>) {
          expect(error.url).toMatch(new RegExp(`^${sim.url}${prefix}/icws/<redacted>/data-extractor/jobs`))
        }
        expect(sim.createdSessions.length).toBeGreaterThan(0)
        expect(findLeaks(inAllForms(icwsSecrets(sim)), audit.texts())).toEqual([])
      }).pipe(Effect.scoped, Effect.provide(httpClient("fetch"))))
  }
})

describe("icws: alternate hosts keep the configured scheme", () => {
  it("resolveAlternate", () => {
    const https = "https://cic1:8019"
    const http = "http://cic1:8018/gw"
    // A bare host gets the configured scheme and keeps the port and path prefix.
    expect(IcwsSession.resolveAlternate(https, "cic2")).toBe("https://cic2:8019")
    expect(IcwsSession.resolveAlternate(http, "cic2")).toBe("http://cic2:8018/gw")
    expect(IcwsSession.resolveAlternate(http, "cic2:9000")).toBe("http://cic2:9000/gw")
    expect(IcwsSession.resolveAlternate("http://cic1:8018", "cic2:80")).toBe("http://cic2")
    // A full URL keeps its own scheme unless it leaves https for http.
    expect(IcwsSession.resolveAlternate(https, "https://cic2:8443/x/")).toBe("https://cic2:8443/x")
    expect(IcwsSession.resolveAlternate(http, "https://cic2:8443")).toBe("https://cic2:8443")
    expect(IcwsSession.resolveAlternate(https, "http://cic2:8018")).toBeUndefined()
    expect(IcwsSession.resolveAlternate(https, "HTTP://cic2")).toBeUndefined()
    // Credentials, queries, fragments and other schemes are not hosts.
    for (const entry of ["https://u:p@cic2", "https://cic2/?x=1", "https://cic2/#f", "ftp://cic2", "javascript://x", "", " "]) {
      expect(IcwsSession.resolveAlternate(https, entry), entry).toBeUndefined()
    }
    // The configured scheme wins over the host that answered.
    expect(IcwsSession.resolveAlternate("https://cic3:8019", "http://cic2", "https:")).toBeUndefined()
    expect(IcwsSession.resolveAlternate("https://cic3:8019", "cic2", "http:")).toBe("http://cic2:8019")
  })

  it.live("over https: an http alternate is refused, a bare host is tried over https, an https one is used", () =>
    Effect.gen(function*() {
      const primary = yield* IcwsSimulator.makeIcws({ jobs: 3, tls: Tls.selfSigned })
      const good = yield* IcwsSimulator.makeIcws({ jobs: 3, tls: Tls.selfSigned })
      // A plain-HTTP server standing where the downgrade would lead.
      const plain = yield* Server.make({ handler: () => Server.json(201, {}) })

      // 1. Only an http:// alternate: refused, the login ends with the 503.
      primary.setAlternates([`http://127.0.0.1:${plain.port}`])
      const audit = yield* audited((errors) =>
        Effect.scoped(Effect.flatMap(icwsClient(primary), (c) => attempt(errors, c.getJob("x"))))
      )
      expect(audit.errors).toHaveLength(1)
      expect(audit.errors[0]).toMatchObject({ _tag: "ServerError", status: 503 })
      expect(audit.logs.records.some((r) => r.text.includes("an alternate host was ignored"))).toBe(true)
      expect(plain.requestCount).toBe(0)

      // 2. A bare host:port is resolved with https: the plain server gets a TLS handshake, never a request.
      primary.setAlternates([`127.0.0.1:${plain.port}`])
      const bare = yield* Effect.scoped(Effect.flatMap(icwsClient(primary), (c) => Effect.flip(c.getJob("x"))))
      expect(bare._tag).toBe("TransportError")
      expect(plain.requestCount).toBe(0)

      // 3. An https alternate (and a refused http one before it): connected there.
      primary.setAlternates([`http://127.0.0.1:${good.port}`, `https://127.0.0.1:${good.port}`])
      const job = good.jobs[0]!.status.id
      const record = yield* Effect.scoped(Effect.flatMap(icwsClient(primary), (c) => c.getJob(job)))
      expect(record.jobStatus?.id).toBe(job)
      expect(good.createdSessions).toHaveLength(1)
      expect(findLeaks(inAllForms([...icwsSecrets(primary), ...icwsSecrets(good)]), audit.texts())).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(tlsClient)))

  it.live("alternates that repeat the password (refused or tried) leave it out of the logs and the error", () =>
    Effect.gen(function*() {
      const primary = yield* IcwsSimulator.makeIcws({ jobs: 3 })
      primary.setAlternates([
        `http://agent:s3cret-pw@127.0.0.1:1`,
        `http://127.0.0.1:1/?p=s3cret-pw`,
        `http://127.0.0.1:1/s3cret-pw`
      ])
      const audit = yield* audited((errors) =>
        Effect.scoped(Effect.flatMap(icwsClient(primary), (c) => attempt(errors, c.getJob("x"))))
      )
      expect(audit.errors).toHaveLength(1)
      expect(audit.logs.records.filter((r) => r.text.includes("an alternate host was ignored"))).toHaveLength(2)
      expect(audit.logs.records.some((r) => r.text.includes("trying an alternate host") && r.text.includes("<redacted>"))).toBe(true)
      expect(findLeaks(inAllForms(["s3cret-pw"]), audit.texts())).toEqual([])
    }).pipe(Effect.scoped, Effect.provide(httpClient("fetch"))))
})
