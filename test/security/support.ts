/**
 * Shared harness of the security suite: the two platform clients every test
 * runs with (fetch and undici), the calls of each provider a hostile server
 * can aim at (each with the request it targets and the secrets it involves),
 * and an audit that runs a scenario under recorders and lists every text a
 * secret could leak into — errors, logs at every level, spans.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Undici from "@effect/platform-node/Undici"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { IcwsClient } from "@jobstream/icws"
import { InsideViewClient } from "@jobstream/insideview"
import {
  GreenArrowSimulator,
  type Hostile,
  IcwsSimulator,
  InsideViewSimulator,
  type Server,
  Tls
} from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import {
  errorTexts,
  greenArrowKey,
  icws,
  insideView,
  isGreenArrowList,
  isIcwsList,
  isInsideViewList,
  recordLogs,
  recordSpans
} from "../reliability/support.js"

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

export interface Audit<A> {
  readonly result: A
  readonly errors: ReadonlyArray<unknown>
  readonly logs: ReturnType<typeof recordLogs>
  readonly spans: ReturnType<typeof recordSpans>
  /** Every text a secret could leak into: errors (four renderings), log lines, span names/attributes/exits. */
  readonly texts: () => Array<{ readonly where: string; readonly text: string }>
}

/** Runs a scenario under a logger (all levels) and a tracer that record everything. */
export const audited = <A, R>(
  scenario: (errors: Array<unknown>) => Effect.Effect<A, never, R>
): Effect.Effect<Audit<A>, never, R> =>
  Effect.gen(function*() {
    const logs = recordLogs()
    const spans = recordSpans()
    const errors: Array<unknown> = []
    const result = yield* scenario(errors).pipe(Effect.provide(Layer.merge(logs.layer, spans.layer)))
    const texts = () => [
      ...errors.flatMap(errorTexts),
      ...logs.records.map((r, i) => ({ where: `log #${i} (${r.level})`, text: r.text })),
      ...spans.texts(),
      ...spans.exitJsonTexts()
    ]
    return { result, errors, logs, spans, texts }
  })

/** Runs a call, keeping its error for the audit; the error (or undefined) is returned too. */
export const attempt = <A, R>(errors: Array<unknown>, effect: Effect.Effect<A, ApiError.ApiError, R>) =>
  Effect.catchAll(Effect.as(effect, undefined), (error) =>
    Effect.sync(() => {
      errors.push(error)
      return error
    }))

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

export type ProviderName = "insideview" | "greenarrow" | "icws"

/** One call of one provider, and the request a fault aims at. */
export interface Target {
  readonly label: string
  readonly provider: ProviderName
  readonly method: "GET" | "POST" | "DELETE"
  /** The requests the hostile behaviour targets. */
  readonly match: (r: Server.SimRequest) => boolean
  /** Starts the provider's simulator (closed with the scope). */
  readonly start: (options?: SimOptions) => Effect.Effect<Running, never, Scope.Scope>
}

/** A target's simulator, running. */
export interface Running {
  readonly sim: Server.RunningServer
  /**
   * Runs the call with a fresh client (its session closed at the end) and
   * fails with its error. For the ICWS logout the call is a listing whose
   * scope then closes: the logout's error is only logged.
   */
  readonly run: (knobs?: Knobs) => Effect.Effect<unknown, ApiError.ApiError, HttpClient.HttpClient>
  /** The secrets involved, known once the run is over (tokens issued, sessions opened, …). */
  readonly secrets: () => ReadonlyArray<string>
}

export interface SimOptions {
  readonly tls?: Tls.KeyPair
  readonly pathPrefix?: string
}

export interface Knobs {
  readonly baseUrl?: string
  readonly maxBodyBytes?: number
}

const none = RetryPolicy.none

const insideViewClient = (sim: Server.RunningServer, auth: "token" | "credentials", knobs: Knobs = {}) =>
  InsideViewClient.make({
    baseUrl: knobs.baseUrl ?? sim.url,
    authBaseUrl: knobs.baseUrl ?? sim.url,
    auth: auth === "token"
      ? InsideViewClient.Auth.token(Redacted.make(insideView.fixedToken))
      : InsideViewClient.Auth.credentials(insideView.clientId, Redacted.make(insideView.clientSecret)),
    retryPolicy: none,
    timeout: "10 seconds",
    resultsPerPage: 10,
    ...(knobs.maxBodyBytes === undefined ? {} : { maxBodyBytes: knobs.maxBodyBytes })
  }).pipe(Effect.orDie)

const insideViewSecrets = (sim: InsideViewSimulator.InsideViewServer) => [
  insideView.clientSecret,
  insideView.fixedToken,
  ...sim.issuedTokens
]

const greenArrowClient = (sim: Server.RunningServer, knobs: Knobs = {}) =>
  GreenArrowClient.make({
    baseUrl: knobs.baseUrl ?? sim.url,
    auth: { _tag: "Key", organizationId: greenArrowKey.organizationId, apiKey: Redacted.make(greenArrowKey.apiKey) },
    retryPolicy: none,
    timeout: "10 seconds",
    perPage: 10,
    ...(knobs.maxBodyBytes === undefined ? {} : { maxBodyBytes: knobs.maxBodyBytes })
  }).pipe(Effect.orDie)

const basic = Buffer.from(`${greenArrowKey.organizationId}:${greenArrowKey.apiKey}`).toString("base64")
const greenArrowSecrets = () => [greenArrowKey.apiKey, basic, `${greenArrowKey.organizationId}:${greenArrowKey.apiKey}`]

export const icwsClient = (sim: Server.RunningServer, knobs: Knobs = {}) =>
  IcwsClient.make({
    baseUrl: knobs.baseUrl ?? sim.url,
    user: icws.user,
    password: Redacted.make(icws.password),
    retryPolicy: none,
    timeout: "10 seconds",
    pageSize: 5,
    ...(knobs.maxBodyBytes === undefined ? {} : { maxBodyBytes: knobs.maxBodyBytes })
  }).pipe(Effect.orDie)

/** Every secret of the ICWS sessions opened so far: password, session ids, CSRF tokens, cookie values. */
export const icwsSecrets = (sim: IcwsSimulator.IcwsServer) => [
  icws.password,
  ...sim.createdSessions.flatMap((s) => [s.sessionId, s.csrfToken, ...s.cookies.values()])
]

const insideViewTarget = (
  call: (c: InsideViewClient.Service) => Effect.Effect<unknown, ApiError.ApiError>,
  auth: "token" | "credentials"
) =>
(options: SimOptions = {}) =>
  Effect.map(InsideViewSimulator.makeInsideView({ jobs: 30, ...(options.tls === undefined ? {} : { tls: options.tls }) }), (sim): Running => ({
    sim,
    run: (knobs) => Effect.scoped(Effect.flatMap(insideViewClient(sim, auth, knobs), call)),
    secrets: () => insideViewSecrets(sim)
  }))

const greenArrowTarget = (options: SimOptions = {}) =>
  Effect.map(GreenArrowSimulator.makeGreenArrow({ jobs: 30, ...(options.tls === undefined ? {} : { tls: options.tls }) }), (sim): Running => ({
    sim,
    run: (knobs) => Effect.flatMap(greenArrowClient(sim, knobs), (c) => c.page(undefined, { _tag: "First" })),
    secrets: greenArrowSecrets
  }))

const icwsTarget = (call: (c: IcwsClient.Service, sim: IcwsSimulator.IcwsServer) => Effect.Effect<unknown, ApiError.ApiError>) =>
(options: SimOptions = {}) =>
  Effect.map(IcwsSimulator.makeIcws({ jobs: 12, ...options }), (sim): Running => ({
    sim,
    run: (knobs) => Effect.scoped(Effect.flatMap(icwsClient(sim, knobs), (c) => call(c, sim))),
    secrets: () => icwsSecrets(sim)
  }))

const isIcwsConnect = (r: Server.SimRequest) => r.method === "POST" && r.path.endsWith("/icws/connection")
const isIcwsSubmit = (r: Server.SimRequest) => r.method === "POST" && r.path.endsWith("/data-extractor/jobs")
const isIcwsCancel = (r: Server.SimRequest) => r.method === "DELETE" && r.path.includes("/data-extractor/jobs/")
const isIcwsLogout = (r: Server.SimRequest) => r.method === "DELETE" && /\/icws\/[^/]+\/connection$/.test(r.path)

export const targets: ReadonlyArray<Target> = [
  {
    label: "insideview login (POST, clientSecret in the form body)",
    provider: "insideview",
    method: "POST",
    match: (r) => r.path.startsWith("/Auth/login/"),
    start: insideViewTarget((c) => c.listJobs(), "credentials")
  },
  {
    label: "insideview list (GET, fixed accessToken header)",
    provider: "insideview",
    method: "GET",
    match: isInsideViewList,
    start: insideViewTarget((c) => c.listJobs(), "token")
  },
  {
    label: "insideview list (GET, accessToken from a login)",
    provider: "insideview",
    method: "GET",
    match: isInsideViewList,
    start: insideViewTarget((c) => c.listJobs(), "credentials")
  },
  {
    label: "greenarrow list (GET, Basic authorization)",
    provider: "greenarrow",
    method: "GET",
    match: isGreenArrowList,
    start: greenArrowTarget
  },
  {
    label: "icws connect (POST, password in the body)",
    provider: "icws",
    method: "POST",
    match: isIcwsConnect,
    start: icwsTarget((c) => c.getJob("job-x"))
  },
  {
    label: "icws list (GET, session id in the path, CSRF and cookies in headers)",
    provider: "icws",
    method: "GET",
    match: isIcwsList,
    start: icwsTarget((c) => Stream.runDrain(Stream.take(c.jobs(), 3)))
  },
  {
    label: "icws submit (POST in the session)",
    provider: "icws",
    method: "POST",
    match: isIcwsSubmit,
    start: icwsTarget((c) => c.submitJob({ name: "audit", submittedUserId: icws.user }))
  },
  {
    label: "icws cancel (DELETE in the session)",
    provider: "icws",
    method: "DELETE",
    match: isIcwsCancel,
    start: icwsTarget((c, sim) => c.cancelJob(sim.jobs[0]!.status.id))
  },
  {
    label: "icws logout (DELETE when the scope closes)",
    provider: "icws",
    method: "DELETE",
    match: isIcwsLogout,
    start: icwsTarget((c) => Stream.runDrain(Stream.take(c.jobs(), 2)))
  }
]

/** Whether a target's error surfaces from `run` (not so for the logout, which fails after the call). */
export const surfaces = (target: Target): boolean => !target.label.startsWith("icws logout")
