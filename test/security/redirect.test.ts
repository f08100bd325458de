/**
 * Redirects never carry a credential to another origin. For every provider
 * call that carries a secret (InsideView's login POST and its token-bearing
 * list, GreenArrow's Basic-authenticated list, ICWS's connect POST with the
 * password and its session calls with the CSRF token, cookies and the
 * session id in the path), with fetch and with undici, a simulator that
 * redirects in every way a proxy or a hostile server can: the call ends in a
 * typed `Redirected` naming only the target's origin — or, for a same-origin
 * GET, the redirect is followed with the same credential — and a second
 * 127.0.0.1 server standing for the other origin receives nothing. No secret
 * appears in any error, log line or span.
 */
import { describe, expect, it } from "@effect/vitest"
import type { ApiError } from "@jobstream/core"
import { Faults, Hostile, type Server } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import {
  attempt,
  audited,
  clientKinds,
  findLeaks,
  httpClient,
  inAllForms,
  receivedTexts,
  surfaces,
  type Target,
  targets
} from "./support.js"

type Reason = ApiError.Redirected["reason"]

/** What the call should end with, and how many of the target's requests the simulator should see. */
type Outcome =
  | { readonly _tag: "Refused"; readonly reason: Reason; readonly location: "foreign" | "self" | "<missing>" | "<invalid>"; readonly requests: number }
  | { readonly _tag: "Followed"; readonly requests: number }

interface Scenario {
  readonly label: string
  readonly fault: (foreign: Server.RunningServer) => Faults.Fault
  /** How many times the fault fires (default: every time). */
  readonly times?: number
  /** The outcome for a GET, and for a POST or DELETE. */
  readonly get: Outcome
  readonly other: Outcome
}

const refused = (reason: Reason, location: "foreign" | "self" | "<missing>" | "<invalid>", requests = 1): Outcome => ({
  _tag: "Refused",
  reason,
  location,
  requests
})

/** The request's own URL with `hop` changed by `next` (relative, so the redirect stays on its origin). */
const hop = (next: (current: string | null) => string | undefined) => (req: Server.SimRequest) => {
  const url = new URL(req.url)
  const value = next(url.searchParams.get("hop"))
  if (value === undefined) return undefined
  url.searchParams.set("hop", value)
  return `${url.pathname}${url.search}`
}

const crossOrigin = [301, 302, 303, 307, 308].map((status): Scenario => ({
  label: `${status} to another origin (absolute Location)`,
  fault: (foreign) => Hostile.redirect(status, `${foreign.url}/steal?x=1`),
  get: refused("cross-origin", "foreign"),
  other: refused("cross-origin", "foreign")
}))

const scenarios: ReadonlyArray<Scenario> = [
  ...crossOrigin,
  {
    label: "302 to another origin, protocol-relative Location",
    fault: (foreign) => Hostile.redirect(302, `//127.0.0.1:${foreign.port}/steal`),
    get: refused("cross-origin", "foreign"),
    other: refused("cross-origin", "foreign")
  },
  {
    label: "307 to another origin whose URL repeats the whole request (headers, body)",
    fault: (foreign) =>
      Hostile.redirect(307, (req) => `${foreign.url}/steal?${new URLSearchParams({ copy: Hostile.dump(req, { forms: ["raw"] }) })}`),
    get: refused("cross-origin", "foreign"),
    other: refused("cross-origin", "foreign")
  },
  {
    label: "302 once to another URL of the same origin, relative Location",
    fault: () => Hostile.redirect(302, hop(() => "1")),
    times: 1,
    get: { _tag: "Followed", requests: 2 },
    other: refused("not-followed", "self")
  },
  {
    label: "303 once to another URL of the same origin, absolute Location",
    fault: () => Hostile.redirect(303, (req) => new URL(hop(() => "1")(req)!, req.url).href),
    times: 1,
    get: { _tag: "Followed", requests: 2 },
    other: refused("not-followed", "self")
  },
  {
    label: "307 to the very URL requested",
    fault: () => Hostile.redirect(307, (req) => `${req.url.pathname}${req.url.search}`),
    get: refused("loop", "self"),
    other: refused("not-followed", "self")
  },
  {
    label: "302 without a Location",
    fault: () => Hostile.redirect(302, undefined),
    get: refused("not-followed", "<missing>"),
    other: refused("not-followed", "<missing>")
  },
  {
    label: "301 with a garbage Location",
    fault: () => Hostile.redirect(301, "http://[::1"),
    get: refused("not-followed", "<invalid>"),
    other: refused("not-followed", "<invalid>")
  },
  {
    label: "308 loop between two URLs of the same origin",
    fault: () => Hostile.redirect(308, hop((h) => (h === "a" ? "b" : "a"))),
    get: refused("loop", "self", 3),
    other: refused("not-followed", "self")
  },
  {
    label: "302 chain of ever new same-origin URLs",
    fault: () => Hostile.redirect(302, hop((h) => String(Number(h ?? "0") + 1))),
    get: refused("too-many", "self", 6),
    other: refused("not-followed", "self")
  },
  {
    label: "307 same origin first, then another origin",
    fault: (foreign) =>
      Hostile.redirect(307, (req) => req.url.searchParams.has("hop") ? `${foreign.url}/steal` : hop(() => "1")(req)),
    get: refused("cross-origin", "foreign", 2),
    other: refused("not-followed", "self")
  }
]

const check = (target: Target, scenario: Scenario, error: unknown, sim: Server.RunningServer, foreign: Server.RunningServer) => {
  const outcome = target.method === "GET" ? scenario.get : scenario.other
  const what = `${target.label} / ${scenario.label}`
  expect(foreign.requestCount, `${what}: the other origin was reached`).toBe(0)
  const sent = sim.requests.filter(target.match)
  if (outcome._tag === "Followed") {
    // The redirected request, then the one it pointed at (marked `hop`), each
    // once. A listing that goes on may read its next page ahead (a cursor
    // walk's read-ahead races the consumer's `take`), so what follows the
    // followed request is not counted.
    const hops = sent.flatMap((r, i) => (r.url.searchParams.has("hop") ? [i] : []))
    expect(hops, `${what}: requests sent`).toEqual([outcome.requests - 1])
    expect(sent.length, `${what}: requests sent`).toBeLessThanOrEqual(outcome.requests + 1)
  } else {
    expect(sent.length, `${what}: requests sent`).toBe(outcome.requests)
  }
  if (!surfaces(target)) return
  if (outcome._tag === "Followed") {
    expect(error, what).toBeUndefined()
    return
  }
  const location = outcome.location === "foreign"
    ? new URL(foreign.url).origin
    : outcome.location === "self"
    ? new URL(sim.url).origin
    : outcome.location
  expect(error, what).toMatchObject({ _tag: "Redirected", reason: outcome.reason, location, provider: target.provider })
}

describe("redirects: no credential reaches another origin", () => {
  for (const target of targets) {
    for (const kind of clientKinds) {
      it.live(`${target.label} [${kind}]`, () =>
        Effect.gen(function*() {
          const { run, secrets: secretsOf, sim } = yield* target.start()
          const foreign = yield* Hostile.makeForeign()
          const audit = yield* audited((errors) =>
            Effect.gen(function*() {
              for (const scenario of scenarios) {
                sim.clearLog()
                sim.setFaults([{
                  fault: scenario.fault(foreign),
                  match: target.match,
                  ...(scenario.times === undefined ? {} : { times: scenario.times })
                }])
                const error = yield* attempt(errors, run())
                check(target, scenario, error, sim, foreign)
              }
              sim.setFaults([])
            })
          )
          if (!surfaces(target)) {
            // The logout fails after the call: its Redirected is logged, not raised.
            expect(audit.logs.records.some((r) => r.text.includes("Redirected"))).toBe(true)
          }
          const secrets = inAllForms(secretsOf())
          expect(secrets.length).toBeGreaterThan(0)
          expect(findLeaks(secrets, [...audit.texts(), ...receivedTexts(foreign, Hostile.received)])).toEqual([])
        }).pipe(Effect.scoped, Effect.provide(httpClient(kind))))
    }
  }
})
