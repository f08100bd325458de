/**
 * Secrets never leave the clients, for every registered provider: succeeding
 * and failing calls (every variant; 500, reset, malformed body, timeout,
 * 401 and 403 on the list; a job that does not exist; credentials the server
 * refuses) run under a logger that records every line at every level and a
 * tracer that records every span (ours and the platform HttpClient's, with
 * all their attributes); no secret the provider involves — configured
 * credentials, and what the server issued — may appear in any error text,
 * log line or span. Each provider's own package adds the cases only it has
 * (token expiry, cookie rotation, …).
 */
import { expect, layer } from "@effect/vitest"
import { RetryPolicy } from "@jobstream/core"
import { Capture, Faults, Harness } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { collect, entries, findLeaks, ids, live, onList } from "./support.js"

const listFaults: ReadonlyArray<readonly [Faults.Fault, string]> = [
  [Faults.status(500), "ServerError"],
  [Faults.reset, "TransportError"],
  [Faults.body("{oops"), "DecodeError"],
  [Faults.hang, "Timeout"],
  [Faults.status(401), "Unauthorized"],
  [Faults.status(403), "Forbidden"]
]

/** Every call of the scenario, under recorders; the secrets known at the end. */
const scenario = (entry: Harness.Entry) =>
  Effect.gen(function*() {
    const running = yield* entry.start({ jobs: 90 })
    const knobs = { retryPolicy: RetryPolicy.immediate(1), pageSize: Math.min(20, entry.maxPageSize) }
    const audit = yield* Capture.audit((errors) =>
      Effect.gen(function*() {
        // Success, in every variant: every page (after a login, where there is one).
        for (const variant of entry.variants) {
          const got = yield* collect(ids(running, { ...knobs, variant: variant.name })).pipe(Effect.orDie)
          expect(got).toEqual(running.expectedIds())
        }
        // Failures of the list, each with a fresh client.
        for (const [fault] of listFaults) {
          running.server.setFaults(onList(entry, [{ fault }]))
          yield* Capture.keep(errors, Stream.runDrain(Harness.jobs(running, { ...knobs, timeout: "100 millis" })))
        }
        running.server.setFaults([])
        // A job that does not exist, and credentials the server refuses.
        yield* Capture.keep(errors, Effect.scoped(Effect.flatMap(running.client(knobs), (c) => c.getJob("999999999"))))
        yield* Capture.keep(errors, Stream.runDrain(Harness.jobs(running, { ...knobs, wrongCredentials: true })))
      })
    )
    const tags = audit.errors.map((e) => (e as { readonly _tag?: unknown })._tag)
    expect(tags.slice(0, listFaults.length + 1)).toEqual([...listFaults.map(([, tag]) => tag), "NotFound"])
    expect(tags).toHaveLength(listFaults.length + 2)
    // The recorders did see the traffic (so an empty audit cannot pass by accident).
    const name = entry.provider.name
    expect(audit.spans.spans.some((s) => s.name.startsWith(`${name}.`))).toBe(true)
    expect(audit.spans.spans.some((s) => s.attributes.has("http.response.status_code"))).toBe(true)
    expect(audit.spans.spans.some((s) => s.exit !== undefined && s.exit._tag === "Failure")).toBe(true)
    // No span keeps a request's headers.
    expect(audit.spans.spans.some((s) => [...s.attributes.keys()].some((k) => k.startsWith("http.request.header.")))).toBe(false)
    const secrets = running.secrets()
    expect(secrets.length).toBeGreaterThan(0)
    return { audit, secrets }
  })

layer(live, { excludeTestServices: true })("secrets", (it) => {
  for (const entry of entries) {
    const name = entry.provider.name
    it.scoped(`${name}: no secret in errors (message, String, JSON), logs (all levels) or spans (names, attributes, events, Cause.pretty and JSON of exits)`, () =>
      Effect.gen(function*() {
        const { audit, secrets } = yield* scenario(entry)
        expect(findLeaks(secrets, audit.texts())).toEqual([])
      }))
  }
})
