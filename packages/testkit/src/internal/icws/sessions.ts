/**
 * The ICWS simulator's sessions: the connection endpoint (503 with
 * alternates, credentials, the session id, CSRF token and cookies it hands
 * out), the checks of every session call, cookie rotation, expiry and
 * logout. Internal to `IcwsSimulator`.
 */
import type { IcwsOptions, IcwsSessionRecord } from "../../IcwsSimulator.js"
import * as Seed from "../../Seed.js"
import type { SimRequest, SimResponse } from "../../Server.js"
import { error, icws, missingProperty, objectBody, parseCookies, unauthorized, unparsable } from "./wire.js"

/** The sessions of a simulator. */
export interface Sessions {
  /** `POST /icws/connection`. */
  readonly connect: (req: SimRequest) => SimResponse
  /** The session of a call, or the 401 it gets (unknown or expired session, wrong CSRF token or cookie). */
  readonly authenticate: (req: SimRequest, sessionId: string) => IcwsSessionRecord | SimResponse
  /** Adds rotated cookies to a session's response when a rotation is pending (or due). */
  readonly withCookies: (session: IcwsSessionRecord, response: SimResponse) => SimResponse
  /** `DELETE …/connection`. */
  readonly logout: (sessionId: string) => void
  readonly created: () => ReadonlyArray<IcwsSessionRecord>
  readonly deleted: () => ReadonlyArray<string>
  readonly active: () => ReadonlyArray<IcwsSessionRecord>
  readonly rotations: () => number
  readonly expireAll: () => void
  readonly rotateAll: () => void
  readonly setAlternates: (hosts: ReadonlyArray<string> | undefined) => void
}

/** The session store of a simulator. */
export const sessions = (options: IcwsOptions, r: Seed.Rng): Sessions => {
  const users = options.users ?? { agent: "s3cret-pw" }
  const serverName = options.serverName ?? "cic-primary"
  const rotateEvery = options.rotateCookiesEvery ?? 0
  const prefix = (options.pathPrefix ?? "").replace(/\/+$/, "")
  const live = new Map<string, IcwsSessionRecord>()
  const created: Array<IcwsSessionRecord> = []
  const deleted: Array<string> = []
  const answered = new Map<string, number>()
  let alternates: ReadonlyArray<string> | undefined = options.alternateHostList
  let rotations = 0

  const cookieHeaders = (session: IcwsSessionRecord): Array<string> =>
    [...session.cookies].map(([name, value]) => `${name}=${value}; Path=${prefix}/icws; HttpOnly`)

  const open = (user: string): SimResponse => {
    const sessionId = String(Seed.int(r, 100_000_000, 999_999_999))
    const session: IcwsSessionRecord = {
      sessionId,
      csrfToken: Seed.id(r, 40, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
      cookies: new Map([
        [`icws_${sessionId}`, Seed.id(r, 32, "0123456789abcdef")],
        ["ININ-ICWS-Node", serverName]
      ]),
      userId: user,
      createdAt: Date.now(),
      expired: false,
      rotatePending: false
    }
    live.set(sessionId, session)
    created.push(session)
    const response: Record<string, unknown> = {
      __type: "urn:inin.com:connection:connectionResponse",
      userID: user,
      userDisplayName: user === "agent" ? "Agent Smith" : user,
      icServer: serverName,
      alternateHostList: [],
      version: { majorVersion: 20, minorVersion: 3, su: 0, codebase: "2020 R3" }
    }
    if (options.tokensInHeadersOnly !== true) {
      response["sessionId"] = sessionId
      response["csrfToken"] = session.csrfToken
    }
    return icws(201, response, {
      "ININ-ICWS-Session-ID": sessionId,
      "ININ-ICWS-CSRF-Token": session.csrfToken,
      "Set-Cookie": cookieHeaders(session)
    })
  }

  const connect = (req: SimRequest): SimResponse => {
    if (alternates !== undefined) {
      return icws(503, {
        __type: "urn:inin.com:connection:alternateHosts",
        errorId: "error.server.notAcceptingConnections",
        message: "The server is not accepting connections.",
        alternateHostList: alternates
      })
    }
    if ((req.headers["accept-language"] ?? "") === "") {
      return error(400, "error.request.missingHeader", "The Accept-Language header is required.")
    }
    const body = objectBody(req.body, true)
    if (body === undefined) return unparsable
    if (body["__type"] !== "urn:inin.com:connection:icAuthConnectionRequestSettings") {
      return error(400, "error.request.invalidRepresentation.invalidType", "Unsupported connection request type.")
    }
    for (const property of ["applicationName", "userID", "password"]) {
      if (typeof body[property] !== "string" || body[property] === "") return missingProperty(property)
    }
    const user = body["userID"] as string
    if (users[user] === undefined || users[user] !== body["password"]) {
      return error(400, "error.request.connection.authenticationFailure", "The authentication process failed.")
    }
    return open(user)
  }

  const authenticate = (req: SimRequest, sessionId: string): IcwsSessionRecord | SimResponse => {
    const session = live.get(sessionId)
    if (session === undefined) return unauthorized("The session is not valid.")
    if (session.expired) {
      live.delete(sessionId)
      return unauthorized("The session has expired.")
    }
    if (req.headers["inin-icws-csrf-token"] !== session.csrfToken) {
      return unauthorized("The CSRF token is missing or invalid.")
    }
    const sent = parseCookies(req.headers["cookie"])
    const sessionCookie = `icws_${sessionId}`
    if (sent.get(sessionCookie) !== session.cookies.get(sessionCookie)) {
      return unauthorized("The session cookie is missing or invalid.")
    }
    return session
  }

  const withCookies = (session: IcwsSessionRecord, response: SimResponse): SimResponse => {
    const count = (answered.get(session.sessionId) ?? 0) + 1
    answered.set(session.sessionId, count)
    if (rotateEvery > 0 && count % rotateEvery === 0) session.rotatePending = true
    if (!session.rotatePending) return response
    session.rotatePending = false
    rotations++
    session.cookies.set(`icws_${session.sessionId}`, Seed.id(r, 32, "0123456789abcdef"))
    return { ...response, headers: { ...response.headers, "Set-Cookie": cookieHeaders(session) } }
  }

  return {
    connect,
    authenticate,
    withCookies,
    logout: (sessionId) => {
      live.delete(sessionId)
      deleted.push(sessionId)
    },
    created: () => created.slice(),
    deleted: () => deleted.slice(),
    active: () => [...live.values()].filter((s) => !s.expired),
    rotations: () => rotations,
    expireAll: () => {
      for (const s of live.values()) s.expired = true
    },
    rotateAll: () => {
      for (const s of live.values()) s.rotatePending = true
    },
    setAlternates: (hosts) => {
      alternates = hosts
    }
  }
}
