/**
 * One attempt of a call: send (following the redirects the policy allows),
 * read the body within the limit, judge the status, and hand back the result
 * or an error with the request's secrets replaced — all under the attempt's
 * span, its timeout (`internal/timer`), and a scope whose closing aborts
 * whatever was not read.
 *
 * @internal
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as HttpTraceContext from "@effect/platform/HttpTraceContext"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as FiberRef from "effect/FiberRef"
import { constTrue } from "effect/Function"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Tracer from "effect/Tracer"
import * as ApiError from "../ApiError.js"
import type { Call, RawResponse } from "../HttpTransport.js"
import * as Body from "./body.js"
import * as Errors from "./errors.js"
import type { Redactor } from "./redact.js"
import * as Redirect from "./redirect.js"
import * as Request from "./request.js"
import * as Timer from "./timer.js"

/** What the attempts of one transport share. */
export interface Settings {
  readonly http: HttpClient.HttpClient.With<HttpClientError.HttpClientError | Request.HeaderRejected, Scope.Scope>
  readonly provider: string
  readonly baseUrl: string
  readonly maxBodyBytes: number
  /** A `FetchHttpClient.RequestInit` found when the transport was built. */
  readonly requestInit: globalThis.RequestInit | undefined
  readonly readers: Errors.Readers<RawResponse>
  /** Whether a header name holds a secret (for requests whose secret headers are added late, by `transformClient`). */
  readonly isSecretHeader: (name: string) => boolean
  readonly onResponse: ((raw: RawResponse) => Effect.Effect<void>) | undefined
}

/** The request with the base URL in front, unless its URL is absolute. */
export const absolute = (request: HttpClientRequest.HttpClientRequest, baseUrl: string) =>
  Request.isAbsolute(request.url) ? request : HttpClientRequest.prependUrl(request, baseUrl)

/** Bounds a whole call (retries and waits included). */
export const withDeadline = <A>(
  program: Effect.Effect<A, ApiError.ApiError>,
  where: ApiError.Where,
  deadline: Duration.Duration
): Effect.Effect<A, ApiError.ApiError> =>
  Effect.timeoutFail(program, {
    duration: deadline,
    onTimeout: () => new ApiError.Timeout({ ...where, timeoutMillis: Duration.toMillis(deadline), scope: "deadline" })
  })

const urlOf = (request: HttpClientRequest.HttpClientRequest, baseUrl: string): URL | undefined => {
  try {
    const url = new URL(Request.fullUrl(request, baseUrl))
    url.hash = ""
    return url
  } catch {
    return undefined
  }
}

/** The attempt runner of one transport. */
export const make = (settings: Settings) => {
  const { baseUrl, http, provider } = settings

  // The RequestInit of every request: the one found when the transport was built (and any in
  // context at the call, merged when there is one), with redirects never followed.
  const manual: globalThis.RequestInit = { ...settings.requestInit, redirect: "manual" }

  // One request on the wire: no redirect following by the platform client (fetch is told
  // "manual"; undici and node:http never follow), no platform span when the call carries a
  // secret (it would keep the raw URL and, on failure, the raw headers), trace context
  // propagated from the transport's own span. What it needs from the fiber (its span, the
  // propagation setting, a RequestInit in context) is read in one step, not one effect each.
  const send = (request: HttpClientRequest.HttpClientRequest, redactor: Redactor, carriesSecret: boolean) =>
    Effect.withFiberRuntime<
      HttpClientResponse.HttpClientResponse,
      HttpClientError.HttpClientError | Request.HeaderRejected,
      Scope.Scope
    >((fiber) => {
      const context = fiber.getFiberRef(FiberRef.currentContext)
      const parent = Context.getOption(context, Tracer.ParentSpan)
      const propagate = fiber.getFiberRef(HttpClient.currentTracerPropagation)
      const init = Option.getOrUndefined(Context.getOption(context, FetchHttpClient.RequestInit))
      const traced = propagate && Option.isSome(parent) && parent.value._tag === "Span"
        ? HttpClientRequest.setHeaders(request, HttpTraceContext.toHeaders(parent.value))
        : request
      return http.execute(traced).pipe(
        Effect.provideService(
          FetchHttpClient.RequestInit,
          init === undefined ? manual : { ...settings.requestInit, ...init, redirect: "manual" }
        ),
        Effect.locally(Request.currentRedactor, redactor),
        // The predicate sees the request as finally sent: a secret header added late switches the span off too.
        Effect.locallyWith(
          HttpClient.currentTracerDisabledWhen,
          (before) =>
            carriesSecret
              ? constTrue
              : (sent: HttpClientRequest.HttpClientRequest) =>
                Object.keys(sent.headers).some(settings.isSecretHeader) || before(sent)
        )
      )
    })

  const toApiError = (where: ApiError.Where) =>
  (error: HttpClientError.HttpClientError | Request.HeaderRejected): ApiError.ApiError =>
    error._tag === "HeaderRejected" ? Request.toInvalidRequest(error, where) : Errors.fromClientError(error, where)

  const learnCookies = (response: HttpClientResponse.HttpClientResponse, redactor: Redactor) => {
    for (const cookie of Object.values(response.cookies.cookies)) {
      redactor.add(cookie.value)
      redactor.add(cookie.valueEncoded)
    }
  }

  // Sends the request and follows what the redirect policy allows. Each hop has its own
  // scope: a redirect's body is never read, and closing its scope releases the socket.
  const follow = (
    request: HttpClientRequest.HttpClientRequest,
    where: ApiError.Where,
    redactor: Redactor,
    carriesSecret: boolean,
    requests: Scope.Scope
  ): Effect.Effect<HttpClientResponse.HttpClientResponse, ApiError.ApiError> =>
    Effect.gen(function*() {
      let current = absolute(request, baseUrl)
      // The URLs visited, known only once there is a redirect (most requests have none).
      let visited: Set<string> | undefined
      for (let hops = 0;; hops++) {
        const hop = yield* Scope.fork(requests, ExecutionStrategy.sequential)
        const response = yield* send(current, redactor, carriesSecret).pipe(
          Scope.extend(hop),
          Effect.mapError(toApiError(where))
        )
        learnCookies(response, redactor)
        if (!Redirect.redirectStatuses.has(response.status)) return response
        yield* Scope.close(hop, Exit.void)
        const from = urlOf(current, baseUrl)
        if (visited === undefined) visited = new Set(from === undefined ? [] : [from.href])
        const location = Option.getOrUndefined(Headers.get(response.headers, "location"))
        const decision = from === undefined
          ? { _tag: "Refuse" as const, location: "<invalid>", reason: "not-followed" as const }
          : Redirect.decide(from, location, current.method, visited, hops)
        if (decision._tag === "Refuse") {
          return yield* new ApiError.Redirected({
            ...where,
            status: response.status,
            location: redactor.redact(decision.location),
            reason: decision.reason
          })
        }
        yield* Effect.logDebug("jobstream: following a same-origin redirect").pipe(
          Effect.annotateLogs({ provider, operation: where.operation, status: response.status, hop: hops + 1 })
        )
        visited.add(decision.url)
        // From a URL object the platform takes the query as the request's parameters (replacing the old ones).
        current = HttpClientRequest.setUrl(current, new URL(decision.url))
      }
    })

  const judge = <A>(call: Call<A>, raw: RawResponse, where: ApiError.Where, redactor: Redactor, now: number) => {
    const accept = call.accept ?? ((s: number) => s >= 200 && s < 300)
    if (accept(raw.status)) return call.decode(raw, where)
    return Effect.fail(Errors.fromResponse(raw, where, settings.readers, redactor, now))
  }

  /**
   * One attempt, under its own span and timeout; its errors carry none of the call's secrets.
   * `observe` hears the status of the response the attempt got, before it is judged (the metrics).
   */
  const attempt = <A>(
    call: Call<A>,
    where: ApiError.Where,
    redactor: Redactor,
    carriesSecret: boolean,
    timeout: Duration.Duration,
    observe?: (status: number) => void
  ): Effect.Effect<A, ApiError.ApiError> =>
    Timer.abortAfter(
      timeout,
      () => new ApiError.Timeout({ ...where, timeoutMillis: Duration.toMillis(timeout), scope: "attempt" }),
      (requests) =>
        Effect.flatMap(follow(call.request, where, redactor, carriesSecret, requests), (response) => {
          // The platform builds a new Headers object on every `response.headers`: read once.
          const headers = response.headers
          return Effect.map(Body.read(response, where, settings.maxBodyBytes, headers), (body): RawResponse => {
            observe?.(response.status)
            return { status: response.status, headers, cookies: response.cookies, body, redact: redactor.redact }
          })
        })
    ).pipe(
      Effect.tap((raw) =>
        Effect.zipRight(
          Effect.annotateCurrentSpan("http.response.status_code", raw.status),
          settings.onResponse === undefined ? Effect.void : settings.onResponse(raw)
        )
      ),
      Effect.flatMap((raw) => Effect.flatMap(Clock.currentTimeMillis, (now) => judge(call, raw, where, redactor, now))),
      Effect.mapError((error) => Errors.redactError(error, redactor)),
      Effect.tapError((error) =>
        Effect.logDebug("jobstream request attempt failed").pipe(
          Effect.annotateLogs({ provider, operation: call.operation, error: error._tag, url: where.url })
        )
      ),
      Effect.withSpan(`http.client ${where.method}`, {
        kind: "client",
        captureStackTrace: false,
        attributes: { "http.request.method": where.method, "url.full": where.url, "jobstream.provider": provider }
      })
    )

  return { attempt }
}
