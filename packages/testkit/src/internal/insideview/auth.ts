/**
 * The InsideView simulator's authentication and throttling: the token
 * endpoint (credentials from the query and/or a form body, as configured),
 * the tokens it issued (expiry, uses, revocation) and the account-wide
 * lock-out after too many requests. Internal to `InsideViewSimulator`.
 */
import type { InsideViewOptions } from "../../InsideViewSimulator.js"
import * as Seed from "../../Seed.js"
import { json, xml } from "../../Server.js"
import type { SimRequest, SimResponse } from "../../Server.js"
import { formatExpirationTime, messages } from "./data.js"
import { errorResponse, escapeXml, xmlProlog } from "./wire.js"

/** What a list request's token is worth. */
export type TokenCheck = "ok" | "unauthorized" | "exhausted"

/** Issued and static tokens. */
export interface Tokens {
  /** Answers a request to the token endpoint. */
  readonly login: (req: SimRequest, asJson: boolean, diagnostic: string) => SimResponse
  /** Checks (and counts a use of) the token of a list request. */
  readonly check: (token: string | undefined) => TokenCheck
  readonly issued: () => ReadonlyArray<string>
  readonly logins: () => number
  readonly exhausted: () => number
  readonly revokeAll: () => void
  readonly expireIssued: () => void
}

/** The token store and endpoint of a simulator. */
export const tokens = (options: InsideViewOptions, idRng: Seed.Rng): Tokens => {
  const credentials = options.credentials ?? { clientId: "sim-client", clientSecret: "sim-secret" }
  const lifetimeMillis = (options.tokenLifetimeSeconds ?? 31_536_000) * 1000
  const maxUses = options.tokenMaxUses ?? Number.POSITIVE_INFINITY
  const paramsIn = options.loginParamsIn ?? "any"
  // token → expiry (epoch millis; Infinity for static tokens)
  const expiries = new Map<string, number>()
  // issued token → list requests it has been accepted for
  const uses = new Map<string, number>()
  const issued: Array<string> = []
  let logins = 0
  let exhausted = 0
  for (const t of options.staticTokens ?? ["sim-fixed-token"]) expiries.set(t, Number.POSITIVE_INFINITY)

  const login = (req: SimRequest, asJson: boolean, diagnostic: string): SimResponse => {
    const jsonToken = req.path.endsWith(".json") || asJson
    if (req.method !== "POST") return errorResponse(jsonToken, 405, messages.methodNotAllowed, diagnostic)
    // Parameters are read from the query string and/or a form body, as configured.
    const contentType = req.headers["content-type"] ?? ""
    const isForm = contentType.includes("x-www-form-urlencoded")
    if (paramsIn === "body" && contentType === "") {
      return errorResponse(jsonToken, 415, messages.contentTypeMissing, diagnostic)
    }
    const params = paramsIn === "body" ? new URLSearchParams() : new URLSearchParams(req.query)
    if (paramsIn !== "query" && req.body !== "" && isForm) {
      for (const [k, v] of new URLSearchParams(req.body)) params.set(k, v)
    }
    const clientId = params.get("clientId")
    const clientSecret = params.get("clientSecret")
    if (clientId === null || clientSecret === null || params.get("grantType") !== "cred") {
      return errorResponse(jsonToken, 400, messages.badRequest, diagnostic)
    }
    if (clientId !== credentials.clientId || clientSecret !== credentials.clientSecret) {
      return errorResponse(jsonToken, 401, messages.badCredentials, diagnostic)
    }
    const now = Date.now()
    const token = `${Seed.id(idRng, 28, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")}=.` +
      Buffer.from(JSON.stringify({ grantType: "cred", iat: String(Math.floor(now / 1000)), n: issued.length }))
        .toString("base64")
    const expiresAt = Math.floor((now + lifetimeMillis) / 1000) * 1000
    expiries.set(token, expiresAt)
    issued.push(token)
    logins++
    const details = { accessToken: token, tokenType: "bearer", expirationTime: formatExpirationTime(expiresAt) }
    if (jsonToken) return json(200, { accessTokenDetails: details })
    return xml(
      200,
      `${xmlProlog}<accessTokenDetails><accessToken>${escapeXml(token)}</accessToken>` +
        `<expirationTime>${details.expirationTime}</expirationTime><tokenType>bearer</tokenType></accessTokenDetails>`
    )
  }

  const check = (token: string | undefined): TokenCheck => {
    const expiry = token === undefined ? undefined : expiries.get(token)
    if (token === undefined || expiry === undefined || Date.now() >= expiry) return "unauthorized"
    if (expiry === Number.POSITIVE_INFINITY) return "ok"
    const used = (uses.get(token) ?? 0) + 1
    uses.set(token, used)
    if (used <= maxUses) return "ok"
    exhausted++
    return "exhausted"
  }

  return {
    login,
    check,
    issued: () => issued.slice(),
    logins: () => logins,
    exhausted: () => exhausted,
    revokeAll: () => expiries.clear(),
    expireIssued: () => {
      for (const t of issued) expiries.set(t, 0)
    }
  }
}

/** The account-wide throttle. */
export interface Throttle {
  /** Counts an authenticated request at `now`; the seconds left of a lock-out, or undefined when not locked. */
  readonly count: (now: number) => number | undefined
  readonly reset: () => void
}

/** Locks the account for a full window once more than `limit` requests came in one window. */
export const throttle = (options: InsideViewOptions["throttle"]): Throttle => {
  let windowStart: number | undefined
  let windowCount = 0
  let lockedUntil = 0
  const left = (now: number) => Math.max(1, Math.ceil((lockedUntil - now) / 1000))
  return {
    count: (now) => {
      if (options === undefined) return undefined
      if (now < lockedUntil) return left(now)
      const windowMillis = options.windowMillis ?? 300_000
      if (windowStart === undefined || now >= windowStart + windowMillis) {
        windowStart = now
        windowCount = 0
      }
      windowCount++
      if (windowCount <= options.limit) return undefined
      // Locked out until a full period has passed.
      lockedUntil = now + windowMillis
      windowStart = undefined
      return left(now)
    },
    reset: () => {
      windowStart = undefined
      windowCount = 0
      lockedUntil = 0
    }
  }
}
