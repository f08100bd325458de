/**
 * Fault injection for simulator servers.
 *
 * A `Fault` says what goes wrong with one response; a `FaultRule` says which
 * requests it hits. Rules are checked in order for every request and the first
 * rule that applies decides the fault (at most one fault per request).
 *
 * @since 0.1.0
 * @module
 */
import type { SimRequest, SimResponse } from "./Server.js"
import type { Rng } from "./Seed.js"

/**
 * What goes wrong with one response, by `_tag`; build one with the
 * constructors below (`status`, `reset`, `truncate`, …).
 *
 * @since 0.1.0
 */
export type Fault =
  /** Answer with this status (and optional headers / body) instead of the handler. */
  | { readonly _tag: "Status"; readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  /** Drop the connection without sending anything. */
  | { readonly _tag: "Reset" }
  /**
   * Let the real handler answer, announce the full Content-Length, send only
   * `fraction` (default 0.5) of the body bytes and then kill the socket.
   */
  | { readonly _tag: "Truncate"; readonly fraction?: number }
  /** A 502 with an HTML page, as a misbehaving reverse proxy would send. */
  | { readonly _tag: "Html502" }
  /** Extra latency before the real handler answers. */
  | { readonly _tag: "Delay"; readonly millis: number }
  /** Never answer; the request stays open until the client gives up or the server closes. */
  | { readonly _tag: "Hang" }
  /** Replace the response with the given content (handy for malformed payloads). */
  | { readonly _tag: "Body"; readonly status?: number; readonly contentType?: string; readonly body: string }
  /** Answer with what `respond` builds from the request (an echo of it, a redirect computed from it, …). */
  | {
    readonly _tag: "Respond"
    /** Builds the answer from the request. */
    readonly respond: (req: SimRequest) => SimResponse
  }
  /**
   * Send the status and headers, then body bytes without end (until the
   * client goes away or the server closes): with a `Content-Length` of
   * `contentLength` when given, chunked otherwise. `stats` counts what
   * happened, so a test can see the client abandon the body.
   */
  | {
    readonly _tag: "Endless"
    readonly status: number
    readonly contentType: string
    readonly contentLength: number | undefined
    readonly stats: EndlessStats
  }
  /**
   * Let the real handler act (a job is created, a session deleted), then drop
   * the connection without answering: the client cannot know it happened.
   */
  | { readonly _tag: "ResetAfterHandler" }
  /** Let the real handler act, then never answer. */
  | { readonly _tag: "HangAfterHandler" }

/**
 * What an `Endless` fault has done so far (updated by the server).
 *
 * @since 0.2.0
 */
export interface EndlessStats {
  /** Responses started. */
  started: number
  /** Responses whose connection closed (the client abandoned the body, or the server closed). */
  closed: number
  /** Body bytes written so far. */
  bytes: number
}

/**
 * Which requests get a fault: by request index, by chance, by a predicate,
 * at most `times` times; every condition given must hold.
 *
 * @since 0.1.0
 */
export interface FaultRule {
  /** The fault applied when this rule fires (unless `pick` chooses another). */
  readonly fault: Fault
  /**
   * 1-based indices over the server's global request counter. Every request
   * the server receives counts, including ones that end up faulted or that a
   * `match` predicate rejects.
   */
  readonly requests?: ReadonlyArray<number>
  /** Chance (0..1) of firing, drawn from the server's seeded generator. */
  readonly probability?: number
  /** Only requests for which this returns true are considered. */
  readonly match?: (req: SimRequest) => boolean
  /** Fire at most this many times (counted per rule, reset by `setFaults`). */
  readonly times?: number
  /**
   * Optional dynamic choice: called with the server's seeded generator once
   * the other conditions hold. The returned fault replaces `fault`; returning
   * `undefined` means the rule does not fire for this request. `chaos` uses
   * this to make one draw decide between several kinds.
   */
  readonly pick?: (r: Rng) => Fault | undefined
}

// ---------------------------------------------------------------------------
// Fault constructors

/**
 * Answers with `status` instead of the handler, with optional headers and body.
 *
 * @since 0.1.0
 */
export const status = (
  status: number,
  options?: { readonly headers?: Record<string, string>; readonly body?: string }
): Fault => ({
  _tag: "Status",
  status,
  ...(options?.headers !== undefined ? { headers: options.headers } : {}),
  ...(options?.body !== undefined ? { body: options.body } : {})
})

/**
 * A 429, with a Retry-After header when `retryAfter` is given.
 *
 * @since 0.1.0
 */
export const rateLimited = (retryAfter?: string | number, body?: string): Fault =>
  status(429, {
    ...(retryAfter !== undefined ? { headers: { "Retry-After": String(retryAfter) } } : {}),
    ...(body !== undefined ? { body } : {})
  })

/**
 * Drops the connection before anything is sent back.
 *
 * @since 0.1.0
 */
export const reset: Fault = { _tag: "Reset" }

/**
 * Sends the real response cut short: full Content-Length, `fraction` of the
 * bytes (default half), then the socket is destroyed.
 *
 * @since 0.1.0
 */
export const truncate = (fraction?: number): Fault =>
  fraction === undefined ? { _tag: "Truncate" } : { _tag: "Truncate", fraction }

/**
 * A 502 with an HTML body, as a broken reverse proxy answers.
 *
 * @since 0.1.0
 */
export const html502: Fault = { _tag: "Html502" }

/**
 * Waits `millis` before the real handler answers.
 *
 * @since 0.1.0
 */
export const delay = (millis: number): Fault => ({ _tag: "Delay", millis })

/**
 * Never answers; the request stays open until one side gives up.
 *
 * @since 0.1.0
 */
export const hang: Fault = { _tag: "Hang" }

/**
 * The handler acts, then the connection is reset (the client sees a failure after sending).
 *
 * @since 0.2.0
 */
export const resetAfterHandler: Fault = { _tag: "ResetAfterHandler" }

/**
 * The handler acts, then nothing is ever sent back.
 *
 * @since 0.2.0
 */
export const hangAfterHandler: Fault = { _tag: "HangAfterHandler" }

/**
 * Answers with the given body (status 200 unless `status` is given) in
 * place of the handler's, e.g. to serve a malformed payload.
 *
 * @since 0.1.0
 */
export const body = (
  body: string,
  options?: { readonly status?: number; readonly contentType?: string }
): Fault => ({
  _tag: "Body",
  body,
  ...(options?.status !== undefined ? { status: options.status } : {}),
  ...(options?.contentType !== undefined ? { contentType: options.contentType } : {})
})

/**
 * A response built from each request.
 *
 * @since 0.2.0
 */
export const respond = (respond: (req: SimRequest) => SimResponse): Fault => ({ _tag: "Respond", respond })

/**
 * A body that never ends (see the `Endless` fault): status 200 and JSON by
 * default, chunked unless `contentLength` is given. Read `fault.stats`.
 *
 * @since 0.2.0
 */
export const endless = (options?: {
  readonly status?: number
  readonly contentType?: string
  readonly contentLength?: number
}): Extract<Fault, { readonly _tag: "Endless" }> => ({
  _tag: "Endless",
  status: options?.status ?? 200,
  contentType: options?.contentType ?? "application/json; charset=utf-8",
  contentLength: options?.contentLength,
  stats: { started: 0, closed: 0, bytes: 0 }
})

// ---------------------------------------------------------------------------
// Rule constructors

/**
 * The listed requests (1-based, global counter) get `fault`.
 *
 * @since 0.1.0
 */
export const onRequests = (indices: ReadonlyArray<number>, fault: Fault): FaultRule => ({
  fault,
  requests: indices
})

/**
 * Each request gets `fault` with probability `p`.
 *
 * @since 0.1.0
 */
export const withProbability = (p: number, fault: Fault): FaultRule => ({
  fault,
  probability: p
})

/**
 * The share (0..1) of requests that get each kind of failure in {@link chaos}.
 *
 * @since 0.1.0
 */
export interface ChaosMix {
  /** Share of requests answered with a 500. */
  readonly serverError?: number
  /** Share of requests answered with a 429. */
  readonly rateLimited?: number
  /** Share of requests whose connection is reset. */
  readonly reset?: number
  /** Share of requests whose body is cut short. */
  readonly truncate?: number
  /** Retry-After value sent with the 429s. */
  readonly retryAfter?: string
}

/**
 * A mix of failure kinds decided by ONE random draw per request: the shares
 * are stacked into cumulative ranges, so a request gets at most one of them.
 * Shares that add up to more than 1 are effectively capped.
 *
 * @since 0.1.0
 */
export const chaos = (mix: ChaosMix): ReadonlyArray<FaultRule> => {
  const ranges: Array<{ readonly upTo: number; readonly fault: Fault }> = []
  let acc = 0
  const add = (share: number | undefined, fault: Fault) => {
    if (share !== undefined && share > 0) {
      acc += share
      ranges.push({ upTo: acc, fault })
    }
  }
  add(mix.serverError, status(500))
  add(mix.rateLimited, rateLimited(mix.retryAfter))
  add(mix.reset, reset)
  add(mix.truncate, truncate())
  const first = ranges[0]
  if (first === undefined) return []
  return [
    {
      fault: first.fault,
      pick: (r) => {
        const draw = r()
        for (const range of ranges) {
          if (draw < range.upTo) return range.fault
        }
        return undefined
      }
    }
  ]
}

// ---------------------------------------------------------------------------
// Evaluation

/**
 * Mutable bookkeeping for a rule set: how many times each rule fired. Create
 * one per rule set (the server does this in `setFaults`).
 *
 * @since 0.1.0
 */
export interface RuleState {
  readonly fired: Map<FaultRule, number>
}

/**
 * A fresh {@link RuleState}: no rule has fired yet.
 *
 * @since 0.1.0
 */
export const makeRuleState = (): RuleState => ({ fired: new Map() })

/**
 * Decides the fault for one request: walks `rules` in order and returns the
 * fault of the first rule that fires, or undefined. `req.index` is the
 * server's global (1-based) request number. Random draws come from `r`, so
 * the outcome is reproducible for a given seed and request order.
 *
 * @since 0.1.0
 */
export const select = (
  rules: ReadonlyArray<FaultRule>,
  req: SimRequest,
  r: Rng,
  state: RuleState = makeRuleState()
): Fault | undefined => {
  for (const rule of rules) {
    if (rule.match !== undefined && !rule.match(req)) continue
    const fired = state.fired.get(rule) ?? 0
    if (rule.times !== undefined && fired >= rule.times) continue
    if (rule.requests !== undefined && !rule.requests.includes(req.index)) continue
    if (rule.probability !== undefined && !(r() < rule.probability)) continue
    const fault = rule.pick !== undefined ? rule.pick(r) : rule.fault
    if (fault === undefined) continue
    state.fired.set(rule, fired + 1)
    return fault
  }
  return undefined
}
