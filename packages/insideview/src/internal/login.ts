/**
 * The InsideView login: client credentials exchanged for an access token at
 * the token endpoint.
 *
 * The endpoint is documented with query parameters, but a secret in a URL
 * ends up in proxy and server logs, and the endpoint's own 415 "Content-Type
 * mandatory" error says it reads a body. So the credentials go, by default,
 * in an `application/x-www-form-urlencoded` body; when the server answers 400
 * or 415 to that, the login is tried once more with the documented query
 * parameters, and whichever form worked is used from then on. `credentialsIn`
 * pins either form.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { ApiError, type HttpTransport, Session } from "@jobstream/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import type { Auth } from "../InsideViewClient.js"
import * as Codec from "./codec.js"
import type { Authorizer } from "./listing.js"

/** Where the login sends the client credentials. */
export type CredentialsIn = "auto" | "body" | "query"

/** The token endpoint's path under the login host. */
export const tokenPath = "/Auth/login/v1/token.json"

/**
 * The token endpoint URL: `tokenUrl` as given, else `{authBaseUrl}/Auth/login/v1/token.json`.
 * An `authBaseUrl` that already is a token URL (ends with `/Auth/login/v1/token`
 * or `…/token.json`) is used as is rather than getting the path twice.
 */
export const resolveTokenUrl = (options: { readonly tokenUrl?: string | undefined; readonly authBaseUrl: string }): string => {
  if (options.tokenUrl !== undefined) return options.tokenUrl.trim()
  const base = options.authBaseUrl.trim().replace(/\/+$/, "")
  return /\/Auth\/login\/v1\/token(\.json)?$/i.test(base) ? base : `${base}${tokenPath}`
}

/** What a login gives. */
export interface Credential {
  readonly token: Redacted.Redacted<string>
  readonly expiresAt: number | undefined
}

/** Everything a login needs. */
export interface LoginOptions {
  readonly transport: HttpTransport.Service
  readonly tokenUrl: string
  readonly clientId: string
  readonly clientSecret: Redacted.Redacted<string>
  readonly credentialsIn: CredentialsIn
}

// Answers to the form body that mean "send them some other way".
const refusesBody = (error: ApiError.ApiError): boolean => error.status === 400 || error.status === 415

/** Builds the login effect; it remembers, across calls, which form the server accepted. */
export const makeLogin = (options: LoginOptions): Effect.Effect<Credential, ApiError.ApiError> => {
  const { clientId, clientSecret, credentialsIn, tokenUrl, transport } = options
  // Learned in "auto" mode from the first successful login.
  let learned: "body" | "query" | undefined

  const request = (form: "body" | "query") => {
    const params = { clientId, clientSecret: Redacted.value(clientSecret), grantType: "cred" }
    const post = HttpClientRequest.post(tokenUrl).pipe(HttpClientRequest.acceptJson)
    return form === "body"
      ? HttpClientRequest.bodyUrlParams(post, params)
      : HttpClientRequest.setUrlParams(post, params)
  }

  const send = (form: "body" | "query") =>
    transport.execute({
      operation: "login",
      login: true,
      request: request(form),
      // Asking for another token has no side effect worth protecting.
      idempotent: true,
      decode: Codec.decodeToken
    })

  const exchange = Effect.gen(function*() {
    const first = credentialsIn === "auto" ? (learned ?? "body") : credentialsIn
    const result = yield* Effect.either(send(first))
    if (Either.isRight(result)) {
      if (credentialsIn === "auto") learned = first
      return result.right
    }
    const error = result.left
    if (credentialsIn !== "auto" || learned !== undefined || first !== "body" || !refusesBody(error)) {
      return yield* Effect.fail(error)
    }
    yield* Effect.logInfo("insideview: the token endpoint refused credentials in a form body; using query parameters").pipe(
      Effect.annotateLogs({ status: error.status ?? "none" })
    )
    const details = yield* send("query")
    learned = "query"
    return details
  })

  return Effect.flatMap(exchange, (details) => {
    const expiresAt = Codec.parseExpirationTime(details.expirationTime)
    const credential: Credential = { token: Redacted.make(details.accessToken), expiresAt }
    return expiresAt === undefined
      ? Effect.as(
        Effect.logWarning("insideview: token expirationTime missing or unreadable; relying on 401 to renew").pipe(
          // From the server: shown redacted (it could repeat the client secret) and short.
          Effect.annotateLogs({
            expirationTime: details.expirationTime === undefined
              ? "<absent>"
              : ApiError.truncate(transport.redact(details.expirationTime), 100)
          })
        ),
        credential
      )
      : Effect.succeed(credential)
  })
}

/** What {@link authorize} needs. */
export interface AuthorizeOptions {
  readonly transport: HttpTransport.Service
  readonly auth: Auth
  readonly tokenUrl: string
  readonly credentialsIn: CredentialsIn
  readonly tokenRefreshMargin: Duration.Duration
  readonly maxRelogins: number
}

/**
 * How requests get their token: a fixed one as it is, or client credentials
 * through a login `Session` living in the current scope (single flight,
 * refreshed ahead of `expirationTime`, re-login after a 401). `logins`
 * counts the logins started.
 */
export const authorize = (
  options: AuthorizeOptions
): Effect.Effect<{ readonly authorized: Authorizer; readonly logins: Effect.Effect<number> }, never, Scope.Scope> => {
  const auth = options.auth
  if (auth._tag === "Token") {
    const token = auth.accessToken
    return Effect.succeed({ authorized: (f) => f(token), logins: Effect.succeed(0) })
  }
  return Effect.map(
    Session.make<Credential, ApiError.ApiError, never>({
      acquire: makeLogin({ ...options, clientId: auth.clientId, clientSecret: auth.clientSecret }),
      expiresAt: (c) => c.expiresAt,
      refreshAhead: options.tokenRefreshMargin,
      maxRelogins: options.maxRelogins
    }),
    (session) => ({ authorized: (f) => session.withCredential((c) => f(c.token)), logins: session.acquisitions })
  )
}
