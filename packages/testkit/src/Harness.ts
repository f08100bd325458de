/**
 * A provider descriptor paired with the simulator that stands in for it:
 * what generic test suites (the fault matrix, chaos, secrets, pagination,
 * security), the demo and the CLI tests need to exercise a provider without
 * naming it. Each provider has one {@link Entry} (`InsideViewHarness.entry`,
 * …) and `Registry.providers` lists them.
 *
 * ```ts
 * for (const entry of Registry.providers) {
 *   it.scoped(`${entry.provider.name}: every job, once, in order`, () =>
 *     Effect.gen(function*() {
 *       const running = yield* entry.start({ jobs: 120 })
 *       const ids = yield* Capture.collect(Harness.ids(running, { pageSize: 7 }))
 *       expect(ids).toEqual(running.expectedIds())
 *     }))
 * }
 * ```
 *
 * @since 0.2.0
 * @module
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { ApiError, Provider, RetryPolicy } from "@jobstream/core"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Faults from "./Faults.js"
import type * as Mutations from "./Mutations.js"
import type * as Server from "./Server.js"

/**
 * How to start a simulator; every field has a default fit for tests.
 *
 * @since 0.2.0
 */
export interface StartOptions {
  /** Jobs in the dataset. Default: the entry's `defaultJobs`. */
  readonly jobs?: number | undefined
  /** Dataset and fault seed. Default 1. */
  readonly seed?: number | undefined
  readonly faults?: ReadonlyArray<Faults.FaultRule> | undefined
  readonly latency?: Server.Latency | undefined
  /** Serve HTTPS with this key pair (e.g. `Tls.selfSigned`). */
  readonly tls?: { readonly key: string; readonly cert: string } | undefined
  /** Changes to the dataset during a walk (see `Mutations`). */
  readonly mutations?: ReadonlyArray<Mutations.Mutation> | undefined
}

/**
 * What a test may vary about a client, whatever the provider.
 *
 * @since 0.2.0
 */
export interface Knobs {
  /** Default `RetryPolicy.none`. */
  readonly retryPolicy?: RetryPolicy.RetryPolicy | undefined
  /** Per-attempt timeout. Default 10 seconds (never reached unless a test means it). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Jobs per page. Default: the entry's `defaultPageSize`. */
  readonly pageSize?: number | undefined
  /** Pages in flight, where the pagination allows it (numbered pages). Default 4. */
  readonly concurrency?: number | undefined
  /** One of the entry's `variants`, by name. Default: the first. */
  readonly variant?: string | undefined
  /** Talk to this URL instead of the simulator's own (e.g. a proxy in front of it). */
  readonly baseUrl?: string | undefined
  /** Most bytes of a response body the client reads. Default: the transport's. */
  readonly maxBodyBytes?: number | undefined
  /** Use credentials the simulator refuses (their values are among `secrets()`). Default false. */
  readonly wrongCredentials?: boolean | undefined
}

/**
 * A way a provider's client can be configured that changes what goes over
 * the wire (how it authenticates, which format it reads).
 *
 * @since 0.2.0
 */
export interface Variant {
  readonly name: string
  /** The body format of list answers. */
  readonly format: "json" | "xml"
  /** How many times a 401 on a list request makes the client log in again and retry (0: fixed credentials). */
  readonly relogins: number
}

/**
 * One kind of request a provider's client sends with a secret in it (a
 * login, a list page, a session call), and how to make the client send it:
 * what the security suites aim hostile answers at.
 *
 * @since 0.2.0
 */
export interface Call {
  readonly label: string
  readonly method: "GET" | "POST" | "DELETE"
  /** The requests of this kind, as the simulator logs them. */
  readonly match: (request: Server.SimRequest) => boolean
  /** Whether the request asks for a page of the job listing. */
  readonly list: boolean
  /**
   * Whether the call fails with this request's error; false for a request
   * made after the call (a logout when the scope closes), whose error is
   * only logged.
   */
  readonly surfaces: boolean
  /** The variant the client must use to send it. Default: the first. */
  readonly variant?: string | undefined
}

/**
 * A provider's client over a simulator: the descriptor's operations over
 * normalized jobs, plus a way to send each {@link Call}.
 *
 * @since 0.2.0
 */
export interface Client extends Provider.Handle {
  /** Sends the request `call` describes (and what must come before it); fails with the call's error. */
  readonly send: (call: Call) => Effect.Effect<unknown, ApiError.ApiError>
}

/**
 * A running simulator, with what tests know about it.
 *
 * @since 0.2.0
 */
export interface Running {
  readonly entry: Entry
  readonly server: Server.RunningServer
  /** The environment variables that point the provider (its descriptor, the CLI) at this simulator. */
  readonly env: Readonly<Record<string, string>>
  /** Every job id of the dataset, in the order the listing yields them. */
  readonly expectedIds: () => ReadonlyArray<string>
  /** A fresh client (its session, if any, closed with the scope). */
  readonly client: (knobs?: Knobs) => Effect.Effect<Client, never, HttpClient.HttpClient | Scope.Scope>
  /** Every secret involved so far: configured credentials and what the server issued (tokens, session ids, cookies). */
  readonly secrets: () => ReadonlyArray<string>
  /**
   * Moves jobs through their life on demand: `path` is a lifecycle in the
   * provider's status words, from a first state to a final one; `set` puts
   * one job (by id) in one of them.
   *
   * @since 0.2.0
   */
  readonly lifecycle: {
    /** Status words from a first state to a final one. */
    readonly path: ReadonlyArray<string>
    /** Puts the job with this id in this state (one of `path`); throws when there is no such job. */
    readonly set: (id: string, providerStatus: string) => void
  }
  /** Sessions opened and closed, by id, for providers whose client opens one. */
  readonly sessions?: (() => { readonly opened: ReadonlyArray<string>; readonly closed: ReadonlyArray<string> }) | undefined
}

/**
 * A provider descriptor and its simulator.
 *
 * @since 0.2.0
 */
export interface Entry {
  readonly provider: Provider.Provider
  /** Starts the simulator (closed with the scope). */
  readonly start: (options?: StartOptions) => Effect.Effect<Running, never, Scope.Scope>
  /** A client of a simulator at `url` with its default credentials (e.g. one started by another process). */
  readonly connect: (url: string, knobs?: Knobs) => Effect.Effect<Client, never, HttpClient.HttpClient | Scope.Scope>
  /** The list requests: the ones that carry a page of jobs (where faults are aimed). */
  readonly isList: (request: Server.SimRequest) => boolean
  /** The session requests around them (logins, logouts): neither lists nor calls on jobs. */
  readonly isSession: (request: Server.SimRequest) => boolean
  readonly defaultJobs: number
  /** A realistic listing size (the demo's). */
  readonly volume: number
  readonly defaultPageSize: number
  readonly maxPageSize: number
  /**
   * "numbered": pages by number, the total known from the first page, so
   * several pages may be in flight (`Knobs.concurrency`); "cursor": each
   * page names the next, one page at a time.
   */
  readonly pagination: "numbered" | "cursor"
  /** Whether the client opens a session that it closes (a logout) when its scope closes; then `Running.sessions` is set. */
  readonly sessions: boolean
  /** The ways the client can be configured; the first is the default. */
  readonly variants: ReadonlyArray<Variant>
  /** Every kind of request that carries a secret. */
  readonly calls: ReadonlyArray<Call>
  /** A complete listing (one page, JSON) holding jobs with these ids, as the API writes it. */
  readonly page: (ids: ReadonlyArray<string>) => string
}

/**
 * The simulator options of a start: the entry's default job count unless
 * told otherwise (what an entry's `start` passes to its simulator).
 *
 * @since 0.2.0
 */
export const simulatorOptions = (entry: Entry, options: StartOptions = {}) => ({
  jobs: options.jobs ?? entry.defaultJobs,
  seed: options.seed,
  faults: options.faults,
  latency: options.latency,
  tls: options.tls,
  mutations: options.mutations
})

/**
 * The ids of a fresh client's listing (the client lives as long as the stream).
 *
 * @since 0.2.0
 */
export const ids = (running: Running, knobs?: Knobs): Stream.Stream<string, ApiError.ApiError, HttpClient.HttpClient> =>
  jobs(running, knobs).pipe(Stream.map((job) => job.id))

/**
 * The normalized jobs of a fresh client's listing (the client lives as long as the stream).
 *
 * @since 0.2.0
 */
export const jobs = (running: Running, knobs?: Knobs) =>
  Stream.unwrapScoped(Effect.map(running.client(knobs), (client) => client.jobs))

/**
 * Sends one call with a fresh client, closed afterwards (so a logout happens).
 *
 * @since 0.2.0
 */
export const send = (running: Running, call: Call, knobs?: Knobs): Effect.Effect<unknown, ApiError.ApiError, HttpClient.HttpClient> =>
  Effect.scoped(Effect.flatMap(running.client({ ...knobs, variant: call.variant ?? knobs?.variant }), (c) => c.send(call)))

/**
 * The list requests the simulator has seen.
 *
 * @since 0.2.0
 */
export const listCount = (running: Running): number => running.server.requests.filter(running.entry.isList).length

/**
 * Aims fault rules at the entry's list requests only (logins and logouts stay clean).
 *
 * @since 0.2.0
 */
export const onList = (entry: Entry, rules: ReadonlyArray<Faults.FaultRule>): ReadonlyArray<Faults.FaultRule> =>
  rules.map((rule) => ({ ...rule, match: entry.isList }))

/**
 * The variant of these knobs.
 *
 * @since 0.2.0
 */
export const variant = (entry: Entry, knobs?: Knobs): Variant => {
  const name = knobs?.variant
  const found = name === undefined ? entry.variants[0] : entry.variants.find((v) => v.name === name)
  if (found === undefined) throw new Error(`${entry.provider.name} has no variant ${String(name)}`)
  return found
}

/**
 * Starts several simulators; `env` points every provider at its own.
 *
 * @since 0.2.0
 */
export const startAll = (
  entries: ReadonlyArray<Entry>,
  options: (entry: Entry) => StartOptions = () => ({})
): Effect.Effect<{ readonly running: ReadonlyArray<Running>; readonly env: Readonly<Record<string, string>> }, never, Scope.Scope> =>
  Effect.map(
    Effect.forEach(entries, (entry) => entry.start(options(entry)), { concurrency: "unbounded" }),
    (running) => ({ running, env: Object.assign({}, ...running.map((r) => r.env)) })
  )

/**
 * A running simulator as a service, for tests that share one (`it.layer`).
 *
 * @since 0.2.0
 */
export class Simulator extends Context.Tag("@jobstream/testkit/Harness/Simulator")<Simulator, Running>() {}

/**
 * An entry's simulator as a Layer: started when the layer is built, closed
 * with it. With `@effect/vitest`: `it.layer(Harness.layer(entry))("…", (it) => …)`.
 *
 * @since 0.2.0
 */
export const layer = (entry: Entry, options?: StartOptions): Layer.Layer<Simulator> =>
  Layer.scoped(Simulator, entry.start(options))
