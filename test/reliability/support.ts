/**
 * Shared harness of the reliability suite: one uniform way to start a
 * provider's simulator, build that provider's client over real HTTP, stream
 * its job ids and count the requests the simulator saw; plus recorders for
 * logs and spans, a TCP proxy that watches sockets, and a real-time guard.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as net from "node:net"
import { type ApiError, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { IcwsClient, IcwsJob } from "@jobstream/icws"
import { InsideViewClient } from "@jobstream/insideview"
import { type Faults, GreenArrowSimulator, IcwsSimulator, InsideViewSimulator, type Server } from "@jobstream/testkit"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import type * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Tracer from "effect/Tracer"

export const providers = ["insideview", "greenarrow", "icws"] as const
export type ProviderName = typeof providers[number]

/** Real HTTP for every test. */
export const live = FetchHttpClient.layer

// ---------------------------------------------------------------------------
// Known credentials of the simulators

export const insideView = { clientId: "sim-client", clientSecret: "sim-secret", fixedToken: "sim-fixed-token" } as const
export const greenArrowKey = GreenArrowSimulator.defaultKeys[0]!
export const greenArrowSysAdmin = GreenArrowSimulator.defaultKeys[2]!
export const icws = { user: "agent", password: "s3cret-pw" } as const

// ---------------------------------------------------------------------------
// Harness

/** What a test may vary about a client. */
export interface Knobs {
  readonly retryPolicy: RetryPolicy.RetryPolicy
  /** Per-attempt timeout. Default 10 s (never reached unless a test means it). */
  readonly timeout?: Duration.DurationInput
  /** Items per page. Defaults: insideview 50, greenarrow 100, icws 10. */
  readonly pageSize?: number
  /** Pages in flight for numbered pagination (insideview). Default 4. */
  readonly concurrency?: number
  /** insideview: log in with client credentials (default) or use the fixed token. */
  readonly insideViewAuth?: "credentials" | "token"
  /** insideview response format. Default "json". */
  readonly format?: "json" | "xml"
  /** Talk to this URL instead of the simulator's own (e.g. a proxy in front of it). */
  readonly baseUrl?: string
}

export interface SimSettings {
  readonly jobs?: number
  readonly seed?: number
  readonly faults?: ReadonlyArray<Faults.FaultRule>
}

export interface Keyed {
  readonly id: string
  readonly record: unknown
}

export interface Harness {
  readonly name: ProviderName
  readonly server: Server.RunningServer
  /** Every job id the simulator holds, in the order the stream must yield them. */
  readonly expectedIds: () => ReadonlyArray<string>
  /** The list requests (the ones faults are aimed at). */
  readonly isList: (request: Server.SimRequest) => boolean
  /** The stream of job ids of a fresh client (its resources live as long as the stream). */
  readonly ids: (knobs: Knobs) => Stream.Stream<string, ApiError.ApiError, HttpClient.HttpClient>
  /** The decoded records themselves, with their ids. */
  readonly records: (knobs: Knobs) => Stream.Stream<Keyed, ApiError.ApiError, HttpClient.HttpClient>
  /** The default page size of `ids`. */
  readonly defaultPageSize: number
}

export const listCount = (h: Harness): number => h.server.requests.filter(h.isList).length

/** Restricts fault rules to a provider's list requests (logins and logouts stay clean). */
export const onList = (h: { readonly isList: (r: Server.SimRequest) => boolean }, rules: ReadonlyArray<Faults.FaultRule>) =>
  rules.map((rule) => ({ ...rule, match: h.isList }))

export const isInsideViewList = (r: Server.SimRequest) => r.path === "/api/v1/admin/jobs"
export const isGreenArrowList = (r: Server.SimRequest) => r.path.startsWith("/ga/api/v2/")
export const isIcwsList = (r: Server.SimRequest) => r.method === "GET" && r.path.endsWith("/data-extractor/jobs")

export const insideViewClient = (server: Server.RunningServer, knobs: Knobs) =>
  InsideViewClient.make({
    baseUrl: knobs.baseUrl ?? server.url,
    authBaseUrl: knobs.baseUrl ?? server.url,
    auth: knobs.insideViewAuth === "token"
      ? InsideViewClient.Auth.token(Redacted.make(insideView.fixedToken))
      : InsideViewClient.Auth.credentials(insideView.clientId, Redacted.make(insideView.clientSecret)),
    retryPolicy: knobs.retryPolicy,
    timeout: knobs.timeout ?? "10 seconds",
    resultsPerPage: knobs.pageSize ?? 50,
    concurrency: knobs.concurrency ?? 4,
    format: knobs.format ?? "json"
  }).pipe(Effect.orDie) // valid options are a precondition of these tests

export const greenArrowClient = (server: Server.RunningServer, knobs: Knobs) =>
  GreenArrowClient.make({
    baseUrl: knobs.baseUrl ?? server.url,
    auth: { _tag: "Key", organizationId: greenArrowSysAdmin.organizationId, apiKey: Redacted.make(greenArrowSysAdmin.apiKey) },
    retryPolicy: knobs.retryPolicy,
    timeout: knobs.timeout ?? "10 seconds",
    perPage: knobs.pageSize ?? 100
  }).pipe(Effect.orDie) // valid options are a precondition of these tests

export const icwsClient = (server: Server.RunningServer, knobs: Knobs) =>
  IcwsClient.make({
    baseUrl: knobs.baseUrl ?? server.url,
    user: icws.user,
    password: Redacted.make(icws.password),
    retryPolicy: knobs.retryPolicy,
    timeout: knobs.timeout ?? "10 seconds",
    pageSize: knobs.pageSize ?? 10
  }).pipe(Effect.orDie) // valid options are a precondition of these tests

const scoped = <C, A>(
  make: Effect.Effect<C, never, HttpClient.HttpClient | Scope.Scope>,
  stream: (client: C) => Stream.Stream<A, ApiError.ApiError>
): Stream.Stream<A, ApiError.ApiError, HttpClient.HttpClient> => Stream.unwrapScoped(Effect.map(make, stream))

/** Starts a provider's simulator (closed with the scope) and wraps it. */
export const harness = (name: ProviderName, sim: SimSettings = {}): Effect.Effect<Harness, never, Scope.Scope> =>
  Effect.gen(function*() {
    const common = {
      ...(sim.seed !== undefined ? { seed: sim.seed } : {}),
      ...(sim.faults !== undefined ? { faults: sim.faults } : {})
    }
    switch (name) {
      case "insideview": {
        const server = yield* InsideViewSimulator.makeInsideView({ jobs: sim.jobs ?? 200, ...common })
        return {
          name,
          server,
          defaultPageSize: 50,
          expectedIds: () => server.jobs.map((j) => j.jobId),
          isList: isInsideViewList,
          ids: (knobs) => scoped(insideViewClient(server, knobs), (c) => Stream.map(c.jobs(), (j) => j.jobId)),
          records: (knobs) =>
            scoped(insideViewClient(server, knobs), (c) => Stream.map(c.jobs(), (j) => ({ id: j.jobId, record: j })))
        }
      }
      case "greenarrow": {
        const server = yield* GreenArrowSimulator.makeGreenArrow({ jobs: sim.jobs ?? 200, ...common })
        return {
          name,
          server,
          defaultPageSize: 100,
          expectedIds: () => server.jobs.map((j) => String(j.id)),
          isList: isGreenArrowList,
          ids: (knobs) => scoped(greenArrowClient(server, knobs), (c) => Stream.map(c.jobs(), (j) => String(j.id))),
          records: (knobs) =>
            scoped(greenArrowClient(server, knobs), (c) => Stream.map(c.jobs(), (j) => ({ id: String(j.id), record: j })))
        }
      }
      case "icws": {
        const server = yield* IcwsSimulator.makeIcws({ jobs: sim.jobs ?? 60, ...common })
        return {
          name,
          server,
          defaultPageSize: 10,
          expectedIds: () => [...server.jobs].reverse().map((j) => j.status.id),
          isList: isIcwsList,
          ids: (knobs) => scoped(icwsClient(server, knobs), (c) => Stream.map(c.jobs(), (j) => IcwsJob.recordId(j) ?? "")),
          records: (knobs) =>
            scoped(icwsClient(server, knobs), (c) => Stream.map(c.jobs(), (j) => ({ id: IcwsJob.recordId(j) ?? "", record: j })))
        }
      }
    }
  })

/** Collects a stream into an array. */
export const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray)

/** A fast, deterministic retry policy (no jitter, millisecond waits). */
export const quickPolicy = (maxRetries: number): RetryPolicy.RetryPolicy =>
  RetryPolicy.make({ base: "1 millis", maxDelay: "4 millis", jitter: false, maxRetries, maxRetryAfter: "1 second" })

// ---------------------------------------------------------------------------
// Real-time helpers (independent of TestClock)

/** Resolves after `millis` of real time. */
export const realSleep = (millis: number) =>
  Effect.async<void>((resume) => {
    const timer = setTimeout(() => resume(Effect.void), millis)
    return Effect.sync(() => clearTimeout(timer))
  })

/**
 * Runs `effect`, dying (so the test fails) when it has not finished after
 * `millis` of real time. Works under TestClock too. Not a duration assertion:
 * it only keeps a hang from passing or stalling the suite.
 */
export const guard = <A, E, R>(effect: Effect.Effect<A, E, R>, millis: number, what: string) =>
  Effect.raceFirst(
    effect,
    Effect.zipRight(realSleep(millis), Effect.dieMessage(`guard: ${what} did not finish within ${millis} ms`))
  )

/** Polls `check` on real time until it holds; dies after `millis`. */
export const eventually = (check: () => boolean, what: string, millis = 5000) =>
  guard(
    Effect.gen(function*() {
      while (!check()) yield* realSleep(2)
    }),
    millis,
    what
  )

// ---------------------------------------------------------------------------
// Log and span recorders

export interface LogRecord {
  readonly level: string
  readonly text: string
}

/** A logger that records every message, annotation, span name and cause at every level. */
export const recordLogs = () => {
  const records: Array<LogRecord> = []
  const logger = Logger.make((options) => {
    const parts: Array<string> = [
      safeString(options.message),
      safeJson(options.message),
      Logger.logfmtLogger.log(options),
      safeJson(Object.fromEntries(options.annotations))
    ]
    for (const [key, value] of options.annotations) parts.push(`${key}=${safeString(value)}`)
    if (!Cause.isEmpty(options.cause)) parts.push(Cause.pretty(options.cause, { renderErrorCause: true }))
    records.push({ level: options.logLevel.label, text: parts.join("\n") })
  })
  const layer = Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.All))
  return { records, layer }
}

export interface SpanRecord {
  readonly name: string
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> | undefined }>
  /** The exit, kept as the tracer received it. */
  exit: Exit.Exit<unknown, unknown> | undefined
  /** The exit as `Cause.pretty` renders it (what OpenTelemetry-style tracers record). */
  exitPretty: string | undefined
}

/** A tracer that records every span: name, all attributes (initial and added), events and the exit. */
export const recordSpans = () => {
  const spans: Array<SpanRecord> = []
  let counter = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const record: SpanRecord = { name, attributes: new Map(), events: [], exit: undefined, exitPretty: undefined }
      spans.push(record)
      counter++
      const spanId = `span${counter}`
      const traceId = Option.match(parent, { onNone: () => `trace${counter}`, onSome: (p) => p.traceId })
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      const allLinks: Array<Tracer.SpanLink> = [...links]
      for (const [key, value] of Object.entries(options?.attributes ?? {})) record.attributes.set(key, value)
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId,
        traceId,
        parent,
        context: context as Context.Context<never>,
        get status() {
          return status
        },
        attributes: record.attributes,
        links: allLinks,
        sampled: true,
        kind,
        end(endTime, exit) {
          status = { _tag: "Ended", startTime, endTime, exit }
          record.exit = exit
          record.exitPretty = exit._tag === "Success" ? "success" : Cause.pretty(exit.cause, { renderErrorCause: true })
        },
        attribute(key, value) {
          record.attributes.set(key, value)
        },
        event(eventName, _time, attributes) {
          record.events.push({ name: eventName, attributes })
        },
        addLinks(more) {
          allLinks.push(...more)
        }
      }
      return span
    },
    context: (f) => f()
  })
  const texts = (): Array<{ readonly where: string; readonly text: string }> =>
    spans.flatMap((s) => [
      { where: `span name ${s.name}`, text: s.name },
      ...[...s.attributes].flatMap(([key, value]) => [
        { where: `span ${s.name} attribute ${key}`, text: `${key}=${safeString(value)}` },
        { where: `span ${s.name} attribute ${key} (json)`, text: safeJson(value) }
      ]),
      ...s.events.map((e) => ({ where: `span ${s.name} event ${e.name}`, text: `${e.name} ${safeJson(e.attributes)}` })),
      ...(s.exitPretty === undefined ? [] : [{ where: `span ${s.name} exit (Cause.pretty)`, text: s.exitPretty }])
    ])
  /** The error each span ended with, as JSON (what an exporter serializing the exit would write). */
  const exitJsonTexts = (): Array<{ readonly where: string; readonly text: string }> =>
    spans.flatMap((s) =>
      s.exit === undefined || s.exit._tag === "Success"
        ? []
        : [{ where: `span ${s.name} exit error (JSON)`, text: safeJson(Cause.squash(s.exit.cause)) }]
    )
  return { spans, tracer, layer: Layer.setTracer(tracer), texts, exitJsonTexts }
}

export const safeString = (value: unknown): string => {
  try {
    return String(value)
  } catch {
    return "<unprintable>"
  }
}

export const safeJson = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? "undefined"
  } catch {
    return "<unserializable>"
  }
}

/** Every text an error can be seen through. */
export const errorTexts = (error: unknown): Array<{ readonly where: string; readonly text: string }> => [
  { where: "error.message", text: error instanceof Error ? error.message : safeString((error as { message?: unknown })?.message) },
  { where: "String(error)", text: safeString(error) },
  { where: "JSON.stringify(error)", text: safeJson(error) },
  { where: "Cause.pretty", text: Cause.pretty(Cause.fail(error), { renderErrorCause: true }) }
]

/** The places where any of `secrets` occurs in `texts`. */
export const findLeaks = (
  secrets: ReadonlyArray<string>,
  texts: ReadonlyArray<{ readonly where: string; readonly text: string }>
): Array<string> => {
  const out: Array<string> = []
  for (const secret of secrets) {
    if (secret.length < 4) throw new Error(`secret too short to search for: ${secret}`)
    for (const { text, where } of texts) {
      if (text.includes(secret)) out.push(`${JSON.stringify(secret)} in ${where}: ${text.slice(Math.max(0, text.indexOf(secret) - 400), text.indexOf(secret) + 100)}`)
    }
  }
  return out
}

// ---------------------------------------------------------------------------
// A TCP proxy that records connections, so tests can see sockets close

export interface Proxy {
  readonly url: string
  /** Connections accepted so far. */
  readonly accepted: number
  /** Connections currently open (client side). */
  readonly open: number
  /** Connections closed by either side. */
  readonly closed: number
  close(): Promise<void>
}

export const startProxy = (target: { readonly port: number }): Promise<Proxy> =>
  new Promise((resolve, reject) => {
    let accepted = 0
    let closed = 0
    const sockets = new Set<net.Socket>()
    const server = net.createServer((client) => {
      accepted++
      sockets.add(client)
      const upstream = net.connect(target.port, "127.0.0.1")
      sockets.add(upstream)
      client.pipe(upstream)
      upstream.pipe(client)
      let done = false
      const end = () => {
        if (!done) {
          done = true
          closed++
        }
        client.destroy()
        upstream.destroy()
      }
      client.on("close", () => {
        sockets.delete(client)
        end()
      })
      upstream.on("close", () => {
        sockets.delete(upstream)
        end()
      })
      client.on("error", end)
      upstream.on("error", end)
    })
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      resolve({
        url: `http://127.0.0.1:${port}`,
        get accepted() {
          return accepted
        },
        get open() {
          return accepted - closed
        },
        get closed() {
          return closed
        },
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy()
            server.close(() => done())
          })
      })
    })
  })

export const makeProxy = (target: { readonly port: number }) =>
  Effect.acquireRelease(Effect.promise(() => startProxy(target)), (proxy) => Effect.promise(() => proxy.close()))
