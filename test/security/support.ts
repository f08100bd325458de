/**
 * Shared harness of the security suite: the two platform clients every test
 * runs with (fetch and undici), the calls of every registered provider a
 * hostile server can aim at (from the testkit's `Registry`: each call with
 * the request it targets and the secrets it involves), and an audit that
 * runs a scenario under recorders and lists every text a secret could leak
 * into — errors, logs at every level, spans.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import type { ApiError } from "@jobstream/core"
import { Capture, Harness, type Hostile, IcwsHarness, Registry, type Server, Tls } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"

export { errorTexts, eventually, findLeaks, guard } from "../reliability/support.js"

// ---------------------------------------------------------------------------
// The platform clients

export const clientKinds = ["fetch", "undici"] as const
export type ClientKind = typeof clientKinds[number]

/** `FetchHttpClient.layer` (follows redirects unless told not to) or `NodeHttpClient.layerUndici`. */
export const httpClient = (kind: ClientKind): Layer.Layer<HttpClient.HttpClient> =>
  kind === "fetch" ? FetchHttpClient.layer : NodeHttpClient.layerUndici

/** The undici client, trusting the testkit's self-signed certificate (for HTTPS simulators). */
export const tlsClient: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndiciWithoutDispatcher.pipe(
  Layer.provide(
    Layer.scoped(
      NodeHttpClient.Dispatcher,
      Effect.acquireRelease(
        Effect.sync(() => new Undici.Agent({ connect: { ca: Tls.selfSigned.cert } })),
        (agent) => Effect.promise(() => agent.destroy())
      )
    )
  )
)

// ---------------------------------------------------------------------------
// Audit

export type Audit<A> = Capture.Audit<A>

/** Runs a scenario under a logger (all levels) and a tracer that record everything. */
export const audited = Capture.audit

/** Runs a call, keeping its error for the audit; the error (or undefined) is returned too. */
export const attempt = <A, R>(errors: Array<unknown>, effect: Effect.Effect<A, ApiError.ApiError, R>) => Capture.keep(errors, effect)

/**
 * A secret in the forms a server may echo it in (raw, percent- and
 * form-encoded, base64, JSON-escaped): what the audit searches for.
 */
export const inAllForms = (secrets: ReadonlyArray<string>): ReadonlyArray<string> => [
  ...new Set(secrets.flatMap((s) => [
    s,
    encodeURIComponent(s),
    new URLSearchParams([["", s]]).toString().slice(1),
    Buffer.from(s, "utf8").toString("base64").replace(/=+$/, ""),
    JSON.stringify(s).slice(1, -1)
  ]).filter((s) => s.length >= 4))
]

/** Texts of what a (foreign) server received, for `findLeaks`. */
export const receivedTexts = (server: Server.RunningServer, received: typeof Hostile.received) =>
  received(server).map((text, i) => ({ where: `request #${i + 1} received by ${server.url}`, text }))

// ---------------------------------------------------------------------------
// The calls a hostile server can aim at

/** One call of one provider, and the request a fault aims at. */
export interface Target {
  readonly label: string
  readonly provider: string
  readonly method: "GET" | "POST" | "DELETE"
  /** The requests the hostile behaviour targets. */
  readonly match: (r: Server.SimRequest) => boolean
  readonly entry: Harness.Entry
  readonly call: Harness.Call
  /** Starts the provider's simulator (closed with the scope). */
  readonly start: (options?: SimOptions) => Effect.Effect<Running, never, Scope.Scope>
}

/** A target's simulator, running. */
export interface Running {
  readonly sim: Server.RunningServer
  /**
   * Runs the call with a fresh client (its session closed at the end) and
   * fails with its error. For a call that does not surface (a logout) the
   * call is a listing whose scope then closes: the logout's error is only logged.
   */
  readonly run: (knobs?: Knobs) => Effect.Effect<unknown, ApiError.ApiError, HttpClient.HttpClient>
  /** The secrets involved, known once the run is over (tokens issued, sessions opened, …). */
  readonly secrets: () => ReadonlyArray<string>
}

export interface SimOptions {
  readonly tls?: Tls.KeyPair
}

export interface Knobs {
  readonly baseUrl?: string
  readonly maxBodyBytes?: number
}

/** Every call of every registered provider. */
export const targets: ReadonlyArray<Target> = Registry.providers.flatMap((entry) =>
  entry.calls.map((call): Target => ({
    label: call.label,
    provider: entry.provider.name,
    method: call.method,
    match: call.match,
    entry,
    call,
    start: (options = {}) =>
      Effect.map(entry.start({ jobs: 30, tls: options.tls }), (running): Running => ({
        sim: running.server,
        run: (knobs) => Harness.send(running, call, knobs),
        secrets: running.secrets
      }))
  }))
)

/** Whether a target's error surfaces from `run` (not so for a logout, which fails after the call). */
export const surfaces = (target: Target): boolean => target.call.surfaces

/** The list call of each provider (the first one, with the default credentials). */
export const lists: ReadonlyArray<Target> = Registry.providers.flatMap((entry) =>
  targets.filter((t) => t.entry === entry && t.call.list).slice(0, 1)
)

/** A typed ICWS client of a simulator, with ICWS's own security tests' page size. */
export const icwsClient = (sim: Server.RunningServer, knobs: Knobs = {}) =>
  IcwsHarness.client(knobs.baseUrl ?? sim.url, { pageSize: 5, maxBodyBytes: knobs.maxBodyBytes })

export const icwsSecrets = IcwsHarness.secrets
