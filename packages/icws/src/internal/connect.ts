/**
 * The ICWS login: `POST /icws/connection`, with failover to the alternate
 * hosts a 503 names. Never retried on the same host (each attempt may open a
 * session).
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ApiError, type HttpTransport, RetryPolicy } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as IcwsJob from "../IcwsJob.js"
import { CookieJar, inCall } from "./cookies.js"
import {
  AlternateHosts,
  ConnectionResponse,
  connectionRequestType,
  type Credential,
  decodeConnectBody,
  header,
  resolveAlternate
} from "./wire.js"

/** What a login needs. */
export interface ConnectOptions {
  readonly transport: HttpTransport.Service
  /** The primary server, without trailing slash (checked as an http(s) URL by the options). */
  readonly primary: string
  readonly user: string
  readonly password: Redacted.Redacted<string>
  readonly applicationName: string
  readonly language: string
  readonly maxAlternates: number
}

type ConnectOutcome =
  | { readonly _tag: "Connected"; readonly credential: Credential }
  | { readonly _tag: "Alternates"; readonly hosts: ReadonlyArray<string>; readonly error: ApiError.ApiError }

// Failures after which another host may still work.
const worthAnotherHost = (error: ApiError.ApiError): boolean =>
  error._tag === "ServerError" || error._tag === "TransportError" || error._tag === "Timeout"

/** The login effect: a new session on the primary or an alternate host. */
export const makeConnect = (options: ConnectOptions): Effect.Effect<Credential, ApiError.ApiError> => {
  const { primary, transport } = options
  // Alternate hosts keep the configured scheme (never https → http).
  const scheme = /^https:/i.test(primary) ? "https:" : "http:"

  const connectOnce = (base: string): Effect.Effect<ConnectOutcome, ApiError.ApiError> => {
    const jar = new CookieJar()
    const body = JSON.stringify({
      __type: connectionRequestType,
      applicationName: options.applicationName,
      userID: options.user,
      password: Redacted.value(options.password)
    })
    const request = HttpClientRequest.post(`${base}/icws/connection`).pipe(
      HttpClientRequest.setHeader("Accept-Language", options.language),
      HttpClientRequest.accept(IcwsJob.mediaType),
      HttpClientRequest.bodyText(body, `${IcwsJob.mediaType};charset=utf-8`)
    )
    return inCall(jar).run(transport.execute<ConnectOutcome>({
      operation: "connect",
      login: true,
      request,
      idempotent: false,
      retryPolicy: RetryPolicy.none,
      accept: (status) => (status >= 200 && status < 300) || status === 503,
      decode: (raw, where) => {
        if (raw.status === 503) {
          // This error leaves as a value, not through the transport's error channel: redacted here.
          const redact = (text: string | undefined) => text === undefined ? undefined : (raw.redact ?? String)(text)
          return Effect.map(decodeConnectBody(AlternateHosts, raw, where), (answer) => ({
            _tag: "Alternates" as const,
            hosts: answer?.alternateHostList ?? [],
            error: ApiError.fromStatus(where, 503, {
              providerCode: redact(answer?.errorId ?? undefined),
              providerMessage: redact(answer?.message ?? undefined)
            })
          }))
        }
        return Effect.flatMap(decodeConnectBody(ConnectionResponse, raw, where), (answer) => {
          const sessionId = answer?.sessionId ?? header(raw, "inin-icws-session-id")
          const csrfToken = answer?.csrfToken ?? header(raw, "inin-icws-csrf-token")
          if (sessionId === undefined || sessionId === "" || csrfToken === undefined || csrfToken === "") {
            return Effect.fail(
              ApiError.DecodeError.fromBody(where, raw, {
                format: "schema",
                issue:
                  "the connection answer has no sessionId/csrfToken in its body nor ININ-ICWS-Session-ID/ININ-ICWS-CSRF-Token headers",
                sensitive: true
              })
            )
          }
          return Effect.succeed({
            _tag: "Connected" as const,
            credential: { sessionId, csrfToken: Redacted.make(csrfToken), cookies: jar, baseUrl: base, userId: answer?.userID }
          })
        })
      }
    }))
  }

  return Effect.gen(function*() {
    const tried = new Set<string>()
    const queue: Array<string> = [primary]
    let alternatesUsed = 0
    let lastError: ApiError.ApiError | undefined
    while (queue.length > 0) {
      const host = queue.shift()!
      if (tried.has(host)) continue
      if (host !== primary) {
        if (alternatesUsed >= options.maxAlternates) break
        alternatesUsed++
        yield* Effect.logInfo("ICWS: trying an alternate host").pipe(
          Effect.annotateLogs({ host: transport.redact(host) })
        )
      }
      tried.add(host)
      const outcome = yield* Effect.either(connectOnce(host))
      if (Either.isLeft(outcome)) {
        // The primary's failure (or a final one like bad credentials) ends the login.
        if (host === primary || !worthAnotherHost(outcome.left)) return yield* outcome.left
        lastError = outcome.left
        continue
      }
      const value = outcome.right
      if (value._tag === "Connected") {
        yield* Effect.logDebug("ICWS session connected").pipe(Effect.annotateLogs({ host: transport.redact(host) }))
        return value.credential
      }
      lastError = value.error
      for (const entry of value.hosts) {
        const resolved = resolveAlternate(host, entry, scheme)
        if (resolved === undefined) {
          yield* Effect.logWarning(
            "ICWS: an alternate host was ignored (unreadable, or not on the configured scheme: https is never left for http)"
          ).pipe(Effect.annotateLogs({ entry: ApiError.truncate(transport.redact(entry), 200) }))
        } else if (!tried.has(resolved) && !queue.includes(resolved)) queue.push(resolved)
      }
    }
    return yield* (lastError ??
      new ApiError.InvalidRequest({ provider: IcwsJob.provider, operation: "connect", issue: "no host to connect to" }))
  })
}
