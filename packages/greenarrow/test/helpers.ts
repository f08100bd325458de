/**
 * What the GreenArrow client tests share: the simulator's keys, a client on
 * a fresh simulator, and small readers of streams and request logs.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { GreenArrowSimulator } from "@jobstream/testkit"
import { Effect, Redacted, Stream } from "effect"

export type SimOptions = GreenArrowSimulator.GreenArrowSimOptions
export type Sim = GreenArrowSimulator.GreenArrowServer

export const [orgAdmin1, orgAdmin2, sysAdmin] = GreenArrowSimulator.defaultKeys as [
  GreenArrowSimulator.GreenArrowSimKey,
  GreenArrowSimulator.GreenArrowSimKey,
  GreenArrowSimulator.GreenArrowSimKey
]

export const keyAuth = (k: GreenArrowSimulator.GreenArrowSimKey): GreenArrowClient.Auth => ({
  _tag: "Key",
  organizationId: k.organizationId,
  apiKey: Redacted.make(k.apiKey)
})

/** Runs `f` with a fresh simulator and a client on it; both go away with the scope. */
export const withClient = <A, E>(
  sim: SimOptions,
  client: Partial<GreenArrowClient.Options>,
  f: (c: GreenArrowClient.Service, s: Sim) => Effect.Effect<A, E>
) =>
  Effect.gen(function*() {
    const s = yield* GreenArrowSimulator.makeGreenArrow(sim)
    const c = yield* GreenArrowClient.make({
      baseUrl: s.url,
      auth: keyAuth(orgAdmin1),
      retryPolicy: RetryPolicy.none,
      timeout: "2 seconds",
      ...client
    })
    return yield* f(c, s)
  }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))

export const collect = <A, E>(stream: Stream.Stream<A, E>) => Effect.map(Stream.runCollect(stream), (c) => Array.from(c))
export const ids = (jobs: ReadonlyArray<{ readonly id: number }>) => jobs.map((j) => j.id)
export const ofOrg = (s: Sim, org: number) => s.jobs.filter((j) => j.organization_id === org)
export const listRequests = (s: Sim) => s.requests.filter((r) => r.path.startsWith("/ga/api/v2/"))
