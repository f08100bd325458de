/**
 * What a transport knows to be secret, and what follows from it for one
 * request: the redactor of its call (declared values, secret headers —
 * Basic credentials and cookie values included —, secret query parameters,
 * user info of the URL), the URL as it may be shown, and whether the request
 * carries a secret at all (then the platform's own span is switched off).
 *
 * @internal
 */
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Redacted from "effect/Redacted"
import * as Redact from "./redact.js"
import { fullUrl } from "./request.js"

/** A secret value, plain or `Redacted`. */
export type Secret = string | Redacted.Redacted<string>

/** Anything else than a string (a misconfigured secret) is skipped here; the provider reports it. */
export const reveal = (secret: Secret): string => {
  const value: unknown = Redacted.isRedacted(secret) ? Redacted.value(secret) : secret
  return typeof value === "string" ? value : ""
}

export interface Declared {
  readonly baseUrl: string
  /** Header names holding secrets (any case). */
  readonly headers: ReadonlyArray<string>
  /** Query parameter names holding secrets (any case). */
  readonly params: ReadonlyArray<string>
  /** Values secret on every call. */
  readonly values: ReadonlyArray<Secret>
}

/** The secrets of one transport. */
export const make = (declared: Declared) => {
  const headerNames = new Set(declared.headers.map((h) => h.toLowerCase()))
  const paramNames: ReadonlySet<string> = new Set(declared.params.map((p) => p.toLowerCase()))
  const cache: Redact.Cache = new Map()
  const fixed = Redact.make(declared.values.map(reveal), cache)
  const isSecretHeader = (name: string): boolean => headerNames.has(name.toLowerCase())
  const isSecretParam = (name: string): boolean => paramNames.has(name.toLowerCase())

  /** Every secret a request carries, with the call's own declared ones. */
  const redactorFor = (request: HttpClientRequest.HttpClientRequest, secrets: ReadonlyArray<Secret> = []) => {
    const redactor = fixed.fork()
    for (const secret of secrets) redactor.add(reveal(secret))
    for (const [name, value] of Object.entries(request.headers)) if (isSecretHeader(name)) redactor.addHeader(name, value)
    for (const [key, value] of request.urlParams) if (isSecretParam(key)) redactor.add(value)
    // Secrets inside the URL string itself (a query written into it, user info): parsed only when
    // it can hold any, which most requests cannot (their query is in urlParams, read above).
    const inUrl = request.url.includes("@") || declared.baseUrl.includes("@") ||
      (paramNames.size > 0 && (request.url.includes("?") || declared.baseUrl.includes("?")))
    if (!inUrl) return redactor
    try {
      const url = new URL(fullUrl(request, declared.baseUrl))
      for (const [key, value] of url.searchParams) if (isSecretParam(key)) redactor.add(value)
      // Credentials in the URL itself are secrets too (they are never shown with it).
      for (const part of [url.username, url.password]) {
        redactor.add(part)
        redactor.add(Encoding.decodeUriComponent(part).pipe(Either.getOrElse(() => part)))
      }
    } catch {
      // An unreadable URL fails later, as an InvalidRequest.
    }
    return redactor
  }

  /** Whether the platform's span must be off for this request (it would keep its URL and headers raw). */
  const carriesSecret = (request: HttpClientRequest.HttpClientRequest, redactor: Redact.Redactor): boolean =>
    redactor.size() > 0 || Object.keys(request.headers).some(isSecretHeader) ||
    request.urlParams.some(([key]) => isSecretParam(key))

  /** The request's URL as errors, logs and spans show it. */
  const shownUrl = (request: HttpClientRequest.HttpClientRequest, redactor: Redact.Redactor): string =>
    Redact.redactUrl(fullUrl(request, declared.baseUrl), redactor, paramNames)

  /** A redactor of the fixed secrets and `secrets`. */
  const redactorWith = (secrets: ReadonlyArray<Secret>) => Redact.make([...fixed.values(), ...secrets.map(reveal)], cache)

  return {
    isSecretHeader,
    redactorFor,
    carriesSecret,
    shownUrl,
    redactUrl: (url: string, secrets: ReadonlyArray<Secret> = []) => Redact.redactUrl(url, redactorWith(secrets), paramNames),
    redact: (text: string, secrets: ReadonlyArray<Secret> = []) => redactorWith(secrets).redact(text)
  }
}
