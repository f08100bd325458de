/**
 * GreenArrow's own secret cases (the shared suite in
 * `test/reliability/secrets.test.ts` covers what every provider has): the
 * key as Studio shows it (encoded), refused plain and encoded keys, a job
 * that does not exist and a scope the key may not see. No key, in any of
 * its wire forms, appears in any error, log line or span.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { expect, layer } from "@effect/vitest"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { Capture, GreenArrowSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"

layer(FetchHttpClient.layer, { excludeTestServices: true })("greenarrow secrets", (it) => {
  it.scoped("encoded keys, refused keys, a missing job, a forbidden scope: no key anywhere", () =>
    Effect.gen(function*() {
      const sim = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 90 })
      const key = GreenArrowSimulator.defaultKeys[0]!
      const basic = sim.basicAuth(key)
      const encoded = basic.replace(/^Basic /, "")
      const wrongKey = "0000wrong-api-key-ffff"
      const wrongEncoded = Buffer.from(`1:${wrongKey}`).toString("base64")
      const make = (auth: GreenArrowClient.Auth) =>
        GreenArrowClient.make({ baseUrl: sim.url, auth, retryPolicy: RetryPolicy.immediate(1), pageSize: 25 }).pipe(Effect.orDie)
      const plain: GreenArrowClient.Auth = { _tag: "Key", organizationId: key.organizationId, apiKey: Redacted.make(key.apiKey) }
      const audit = yield* Capture.audit((errors) =>
        Effect.gen(function*() {
          const ok = yield* make(plain)
          const ids = yield* Capture.collect(ok.jobs()).pipe(Effect.orDie)
          expect(ids.length).toBeGreaterThan(0)
          const viaEncoded = yield* make({ _tag: "Encoded", encoded: Redacted.make(basic) })
          expect((yield* Capture.collect(viaEncoded.jobs()).pipe(Effect.orDie)).length).toBe(ids.length)
          yield* Capture.keep(errors, Stream.runDrain((yield* make({ ...plain, apiKey: Redacted.make(wrongKey) })).jobs()))
          yield* Capture.keep(errors, Stream.runDrain((yield* make({ _tag: "Encoded", encoded: Redacted.make(wrongEncoded) })).jobs()))
          yield* Capture.keep(errors, ok.getJob(999_999_999))
          // An organization admin may not list every organization.
          yield* Capture.keep(errors, ok.jobs({ scope: { _tag: "AllOrganizations" } }).pipe(Stream.runDrain))
        })
      )
      expect(audit.errors.map((e) => (e as ApiError.ApiError)._tag)).toEqual(["Unauthorized", "Unauthorized", "NotFound", "Forbidden"])
      expect(audit.spans.spans.some((s) => s.name.startsWith("greenarrow.") && s.attributes.has("url.full"))).toBe(true)
      const secrets = [key.apiKey, encoded, wrongKey, wrongEncoded]
      expect(Capture.findLeaks(secrets, audit.texts())).toEqual([])
    }))
})
