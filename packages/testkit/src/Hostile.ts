/**
 * Servers that misbehave the way real proxies and APIs do, for security
 * tests: faults that redirect (anywhere, with any status, with or without a
 * usable `Location`), faults that echo the request back (headers, URL, body;
 * into JSON, XML, HTML or text bodies and into response headers; in every
 * encoding a server might use), and a "foreign origin" server that records
 * everything it receives. Endless and lying-length bodies are
 * `Faults.endless`.
 *
 * ```ts
 * const foreign = yield* Hostile.makeForeign()
 * sim.setFaults([{ fault: Hostile.redirect(307, `${foreign.url}/steal`) }])
 * // … run the client, then:
 * expect(Hostile.received(foreign)).toEqual([])        // nothing reached it
 * ```
 *
 * @since 0.1.0
 * @module
 */
import type { Effect, Scope } from "effect"
import type { Fault } from "./Faults.js"
import { respond } from "./Faults.js"
import type { LoggedRequest, RunningServer, SimRequest, SimResponse } from "./Server.js"
import { json, make } from "./Server.js"

// ---------------------------------------------------------------------------
// Redirects

/**
 * A redirect: `status` (301, 302, 303, 307, 308, …) with `location` as the
 * `Location` header — a string (absolute, relative or garbage), a function of
 * the request, or `undefined` for no `Location` at all.
 *
 * @since 0.2.0
 */
export const redirect = (
  status: number,
  location: string | ((req: SimRequest) => string | undefined) | undefined,
  headers: Record<string, string> = {}
): Fault =>
  respond((req) => {
    const target = typeof location === "function" ? location(req) : location
    return {
      status,
      headers: { "Content-Type": "text/plain; charset=utf-8", ...headers, ...(target === undefined ? {} : { Location: target }) },
      body: `moved${target === undefined ? "" : ` to ${target}`}`
    }
  })

// ---------------------------------------------------------------------------
// Echoes

/**
 * How an echoed value is encoded before it goes into the body.
 *
 * @since 0.2.0
 */
export type EchoForm = "raw" | "percent" | "form" | "base64" | "json-escaped"

/**
 * Every form.
 *
 * @since 0.2.0
 */
export const echoForms: ReadonlyArray<EchoForm> = ["raw", "percent", "form", "base64", "json-escaped"]

/**
 * The body format of an echo.
 *
 * @since 0.2.0
 */
export type EchoFormat = "json" | "xml" | "html" | "text"

/**
 * What an echoing server sends back: status, body format, which values of
 * the request, in which encodings, and extra headers.
 *
 * @since 0.2.0
 */
export interface EchoOptions {
  /** Default 400. */
  readonly status?: number
  /** Default "json". */
  readonly format?: EchoFormat
  /** Overrides the Content-Type that goes with `format`. */
  readonly contentType?: string
  /** What is echoed. Default: every header ("name: value"), the URL as received, each query value and the body. */
  readonly values?: (req: SimRequest) => ReadonlyArray<string | undefined>
  /** The encodings each value is echoed in. Default: all of them. */
  readonly forms?: ReadonlyArray<EchoForm>
  /** Extra response headers, possibly built from the request (an echo into a header). */
  readonly headers?: Record<string, string> | ((req: SimRequest) => Record<string, string>)
}

/**
 * What an echo sends back by default: everything the request carried.
 *
 * @since 0.2.0
 */
export const everything = (req: SimRequest): ReadonlyArray<string> => [
  ...Object.entries(req.headers).map(([name, value]) => `${name}: ${value}`),
  req.url.pathname + req.url.search,
  ...[...req.query.values()],
  req.body
]

const encode = (value: string, form: EchoForm): string => {
  switch (form) {
    case "raw":
      return value
    case "percent":
      return encodeURIComponent(value)
    case "form":
      return new URLSearchParams([["", value]]).toString().slice(1)
    case "base64":
      return Buffer.from(value, "utf8").toString("base64")
    case "json-escaped":
      return JSON.stringify(value).slice(1, -1)
  }
}

const escapeMarkup = (s: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;")

/**
 * The text an echo puts in its body (each value in each form, one per line).
 *
 * @since 0.2.0
 */
export const dump = (req: SimRequest, options: EchoOptions = {}): string => {
  const values = (options.values ?? everything)(req).filter((v): v is string => v !== undefined && v !== "")
  const forms = options.forms ?? echoForms
  return values.flatMap((value) => forms.map((form) => encode(value, form))).join("\n")
}

const contentTypes: Record<EchoFormat, string> = {
  json: "application/json; charset=utf-8",
  xml: "application/xml; charset=utf-8",
  html: "text/html; charset=utf-8",
  text: "text/plain; charset=utf-8"
}

/**
 * An answer that repeats the request, as a debugging proxy or a careless API
 * does. In JSON the text goes into every field the supported providers read
 * an error from (`message`, `error_message`, `error_code`, `errorId`,
 * `errorNumber`); in XML into `<errorNumber>` and `<message>`; in HTML into a
 * `<pre>`; in text as the body itself.
 *
 * @since 0.2.0
 */
export const echo = (options: EchoOptions = {}): Fault =>
  respond((req): SimResponse => {
    const text = dump(req, options)
    const format = options.format ?? "json"
    const extra = typeof options.headers === "function" ? options.headers(req) : options.headers ?? {}
    const body = format === "json"
      ? JSON.stringify({
        success: false,
        error_code: text,
        error_message: text,
        errorId: text,
        errorNumber: text,
        message: text
      })
      : format === "xml"
      ? `<error><errorNumber>${escapeMarkup(text)}</errorNumber><message>${escapeMarkup(text)}</message></error>`
      : format === "html"
      ? `<html><head><title>Error</title></head><body><h1>Request rejected</h1><pre>${escapeMarkup(text)}</pre></body></html>`
      : text
    return {
      status: options.status ?? 400,
      headers: { "Content-Type": options.contentType ?? contentTypes[format], ...extra },
      body
    }
  })

// ---------------------------------------------------------------------------
// The foreign origin

/**
 * A second server, standing for another origin: it records every request it
 * receives (method, URL, headers, body) and answers 200 with an empty JSON
 * object. Closed with the scope.
 *
 * @since 0.2.0
 */
export const makeForeign = (options: { readonly tls?: { readonly key: string; readonly cert: string } } = {}): Effect.Effect<RunningServer, never, Scope.Scope> =>
  make({ handler: () => json(200, {}), ...(options.tls === undefined ? {} : { tls: options.tls }) })

/**
 * Everything a server received, one text per request (request line, headers, body), to search for secrets.
 *
 * @since 0.2.0
 */
export const received = (server: RunningServer): ReadonlyArray<string> =>
  server.requests.map((r: LoggedRequest) =>
    [
      `${r.method} ${r.url.pathname}${r.url.search}`,
      ...Object.entries(r.headers).map(([name, value]) => `${name}: ${value}`),
      r.body
    ].join("\n")
  )

