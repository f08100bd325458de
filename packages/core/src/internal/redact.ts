/**
 * Hiding the secrets of a request in anything derived from its response.
 *
 * A {@link Redactor} holds the secret values of one call: the provider's
 * declared secrets (API key, password, client secret, session id, …), the
 * values of its secret headers and query parameters, and the cookies the
 * server set. `redact` replaces each of them with `<redacted>` in a text,
 * in every form a server may echo it back in: as is, percent-encoded (with
 * `%20` or `+` for spaces, either hex case), JSON-escaped (also with `\/`
 * and `\uXXXX`, and escaped twice), HTML/XML-escaped and base64 (standard,
 * URL-safe, with or without padding).
 *
 * A text already cut by `ApiError.truncate` (it ends with "…") may end with
 * the first characters of a secret: those are replaced too, from 4 on.
 *
 * Values shorter than {@link minSecretLength} characters are not searched
 * for: they would match ordinary words, and replacing them would garble the
 * text without hiding anything worth hiding.
 *
 * @internal
 */
import * as Encoding from "effect/Encoding"

/** What a secret is replaced with. */
export const placeholder = "<redacted>"

/** Shorter values are not treated as secrets (see the module doc). */
export const minSecretLength = 4

/** The secrets of one call, growing as the call learns more of them. */
export interface Redactor {
  /** Adds a secret value. */
  readonly add: (value: string) => void
  /** Adds the secrets a header's value holds (the whole value, a scheme's credentials, Basic's parts, cookie values). */
  readonly addHeader: (name: string, value: string) => void
  /** The text with every known secret, in every form, replaced by `<redacted>`. */
  readonly redact: (text: string) => string
  /** How many distinct values it holds. */
  readonly size: () => number
  /** The values it holds. */
  readonly values: () => ReadonlyArray<string>
  /** A copy holding the same secrets, to which further additions do not flow back. */
  readonly fork: () => Redactor
}

/**
 * Compiled patterns by secret set, shared by the redactors of one transport
 * (its calls carry the same few secrets over and over). It lives as long as
 * the transport: secrets are not kept anywhere global.
 */
export type Cache = Map<string, Compiled>

/** The forms of a set of secrets (longest first) and the pattern matching any of them. */
interface Compiled {
  readonly forms: ReadonlyArray<string>
  readonly pattern: RegExp
}

const maxPatterns = 64

/** Builds a redactor holding `initial`, compiling through `cache` when given. */
export const make = (initial: Iterable<string> = [], cache?: Cache): Redactor => {
  const values = new Set<string>()
  let current: Compiled | undefined
  let dirty = true

  const add = (value: string): void => {
    if (typeof value !== "string") return
    const trimmed = value.trim()
    for (const v of trimmed === value ? [value] : [value, trimmed]) {
      if (v.length >= minSecretLength && !values.has(v)) {
        values.add(v)
        dirty = true
      }
    }
  }

  const addHeader = (name: string, value: string): void => {
    add(value)
    const lower = name.toLowerCase()
    if (lower === "cookie" || lower === "set-cookie") {
      const pairs = lower === "cookie" ? value.split(";") : [value.split(";")[0] ?? ""]
      for (const pair of pairs) {
        const eq = pair.indexOf("=")
        if (eq >= 0) add(pair.slice(eq + 1).trim())
      }
      return
    }
    // "<scheme> <credentials>": the credentials alone, and for Basic what they encode.
    const match = /^\s*(\S+)\s+(\S+)\s*$/.exec(value)
    if (match === null) return
    add(match[2]!)
    if (match[1]!.toLowerCase() === "basic") {
      const decoded = decodeBase64(match[2]!)
      if (decoded !== undefined) {
        add(decoded)
        const colon = decoded.indexOf(":")
        if (colon >= 0) {
          add(decoded.slice(0, colon))
          add(decoded.slice(colon + 1))
        }
      }
    }
  }

  const compiled = (): Compiled | undefined => {
    if (dirty) {
      dirty = false
      current = values.size === 0 ? undefined : compile([...values], cache)
    }
    return current
  }

  const redact = (text: string): string => {
    const c = compiled()
    if (c === undefined || text === "") return text
    c.pattern.lastIndex = 0
    const redacted = text.replace(c.pattern, placeholder)
    return redacted.endsWith(cutMark) ? withoutCutSecret(redacted, c.forms) : redacted
  }

  const self: Redactor = {
    add,
    addHeader,
    redact,
    size: () => values.size,
    values: () => [...values],
    fork: () => make(values, cache)
  }
  for (const value of initial) add(value)
  return self
}

// ---------------------------------------------------------------------------

const compile = (values: ReadonlyArray<string>, cache: Cache | undefined): Compiled => {
  const key = values.join("\u0000")
  const cached = cache?.get(key)
  if (cached !== undefined) return cached
  const all = new Set<string>()
  for (const value of values) for (const form of formsOf(value)) all.add(form)
  const forms = [...all].sort((a, b) => b.length - a.length)
  const compiled: Compiled = { forms, pattern: new RegExp(forms.map(escapeRegExp).join("|"), "g") }
  if (cache !== undefined) {
    if (cache.size >= maxPatterns) cache.clear()
    cache.set(key, compiled)
  }
  return compiled
}

/** How `ApiError.truncate` marks a cut text. */
const cutMark = "…"

/**
 * A text cut (by `ApiError.truncate`) before it was redacted may end with the
 * beginning of a secret: that beginning (4 characters or more) is replaced too.
 */
const withoutCutSecret = (text: string, forms: ReadonlyArray<string>): string => {
  const body = text.slice(0, -cutMark.length)
  for (const form of forms) {
    for (let k = Math.min(form.length - 1, body.length); k >= minSecretLength; k--) {
      if (body.endsWith(form.slice(0, k))) return `${body.slice(0, body.length - k)}${placeholder}${cutMark}`
    }
  }
  return text
}

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")

const decodeBase64 = (s: string): string | undefined => {
  const result = Encoding.decodeBase64String(s)
  return result._tag === "Right" ? result.right : undefined
}

// encodeURIComponent throws on a lone surrogate; such a value has no percent form.
const safely = (f: () => string): string | undefined => {
  try {
    return f()
  } catch {
    return undefined
  }
}

const lowerHex = (s: string): string => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())

const jsonEscape = (s: string): string => JSON.stringify(s).slice(1, -1)

const jsonEscapeAll = (s: string): string =>
  jsonEscape(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

const htmlEscape = (s: string, apostrophe: string): string =>
  s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, apostrophe)

/** The forms in which a server may echo `value`. */
export const formsOf = (value: string): ReadonlyArray<string> => {
  const forms = new Set<string>([value])
  const percent = safely(() => encodeURIComponent(value))
  const encoded = [
    percent,
    percent?.replace(/%20/g, "+"),
    safely(() => new URLSearchParams([["", value]]).toString().slice(1)),
    safely(() => encodeURI(value))
  ]
  for (const e of encoded) {
    if (e === undefined) continue
    forms.add(e)
    forms.add(lowerHex(e))
  }
  const json = jsonEscape(value)
  forms.add(json)
  forms.add(json.replace(/\//g, "\\/"))
  forms.add(jsonEscapeAll(value))
  forms.add(jsonEscape(json))
  for (const apostrophe of ["&#39;", "&#x27;", "&apos;"]) forms.add(htmlEscape(value, apostrophe))
  const base64 = Encoding.encodeBase64(value)
  const unpadded = base64.replace(/=+$/, "")
  forms.add(base64)
  forms.add(unpadded)
  forms.add(unpadded.replace(/\+/g, "-").replace(/\//g, "_"))
  return [...forms].filter((f) => f.length >= minSecretLength)
}

/**
 * A URL as it may appear in errors, logs and spans: no user info, no
 * fragment, the values of `secretParams` (lower-cased names) replaced, every
 * known secret replaced wherever it is (a session id in the path, under any
 * prefix), and the rest percent-decoded for reading.
 */
export const redactUrl = (url: string, redactor: Redactor, secretParams: ReadonlySet<string>): string => {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return "<invalid url>"
  }
  const params: Array<string> = []
  for (const [key, value] of parsed.searchParams) {
    params.push(`${printable(key)}=${secretParams.has(key.toLowerCase()) ? placeholder : printable(value)}`)
  }
  const shown = `${parsed.protocol}//${parsed.host}${readable(parsed.pathname)}${params.length > 0 ? `?${params.join("&")}` : ""}`
  return redactor.redact(shown)
}

const control = /[\u0000-\u001f\u007f]/

// Percent-decoded when that gives printable text; as sent otherwise.
const readable = (s: string): string => {
  const decoded = safely(() => decodeURIComponent(s))
  return decoded === undefined || control.test(decoded) ? s : decoded
}

// A decoded query key or value, re-encoded if it holds control characters.
const printable = (s: string): string => control.test(s) ? (safely(() => encodeURIComponent(s)) ?? "?") : s
