/**
 * From fast-xml-parser's ordered output to plain objects: repeated elements
 * become arrays, declared array paths always are arrays, flat records are
 * read by a linear reader, entities are limited to the XML built-ins.
 * Internal to `XmlCodec`.
 */

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** fast-xml-parser's ordered form: each node is `{ tagName: children }` or `{ "#text": text }`. */
export type OrderedNode = Record<string, unknown>

export interface Reader {
  /** Declared array paths (relative to the document root). */
  readonly arrays: ReadonlySet<string>
  /** Parses a record whose raw content the flat reader could not take. */
  readonly fallback: (raw: string, path: string) => Record<string, unknown> | string
}

// `__proto__` must never be assigned with brackets (fast-xml-parser already
// refuses the element; this is the second line of defence).
const safeKey = (key: string): string => (key === "__proto__" ? `#${key}` : key)

const assign = (target: Record<string, unknown>, key: string, value: unknown, alwaysArray: boolean): void => {
  const existing = target[key]
  if (existing === undefined) target[key] = alwaysArray ? [value] : value
  else if (Array.isArray(existing) && (alwaysArray || repeated.has(existing))) existing.push(value)
  else {
    const list = [existing, value]
    repeated.add(list)
    target[key] = list
  }
}
// Arrays created because an element repeated (as opposed to a value that
// happens to be an array); weakly held so nothing leaks between documents.
const repeated = new WeakSet<Array<unknown>>()

export const toObject = (nodes: Array<OrderedNode>, path: string, reader: Reader): Record<string, unknown> | string => {
  let text: string | undefined
  let out: Record<string, unknown> | undefined
  for (const node of nodes) {
    for (const rawKey in node) {
      if (rawKey === ":@") continue
      const value = node[rawKey]
      if (rawKey === "#text") {
        text = text === undefined ? String(value) : text + String(value)
        continue
      }
      const key = safeKey(rawKey)
      const childPath = path === "" ? key : `${path}.${key}`
      const isArray = reader.arrays.has(childPath)
      let child: unknown
      if (isArray) {
        // A stop node: its raw content arrives as one text child.
        const children = value as Array<OrderedNode>
        const raw = children.length === 0 ? "" : String(children[0]!["#text"] ?? "")
        child = readRecord(raw, childPath, reader)
      } else {
        child = toObject(value as Array<OrderedNode>, childPath, reader)
      }
      if (out === undefined) out = {}
      assign(out, key, child, isArray)
    }
  }
  if (out !== undefined) return out
  if (text === undefined) return ""
  return text.includes("&") ? unescape(text) : text
}

/**
 * Reads the raw content of a record element. Flat content — a sequence of
 * `<name>text</name>` or `<name/>` children, or plain text — is read in one
 * linear pass; anything else goes to the fallback (fast-xml-parser).
 */
const readRecord = (raw: string, path: string, reader: Reader): Record<string, unknown> | string => {
  const len = raw.length
  let i = skipSpace(raw, 0)
  if (i === len) return ""
  if (raw.charCodeAt(i) !== 60) {
    // Plain text (an array of leaves): no markup allowed.
    return raw.includes("<") ? reader.fallback(raw, path) : decodeText(raw.trim())
  }
  const out: Record<string, unknown> = {}
  while (i < len) {
    if (raw.charCodeAt(i) !== 60) return reader.fallback(raw, path)
    const next = raw.charCodeAt(i + 1)
    if (next === 33 || next === 63 || next === 47) return reader.fallback(raw, path) // <! <? </
    const end = raw.indexOf(">", i)
    if (end === -1) return reader.fallback(raw, path)
    const selfClosing = raw.charCodeAt(end - 1) === 47
    let nameEnd = i + 1
    const stop = selfClosing ? end - 1 : end
    while (nameEnd < stop) {
      const c = raw.charCodeAt(nameEnd)
      if (c === 32 || c === 9 || c === 10 || c === 13) break
      nameEnd++
    }
    const tag = raw.slice(i + 1, nameEnd)
    // Refused like fast-xml-parser refuses them elsewhere in the document.
    if (tag === "__proto__") {
      throw new Error(`reserved element name "${tag}" (prototype pollution)`)
    }
    const name = tag
    const childPath = path + "." + name
    const isArray = reader.arrays.has(childPath)
    if (isArray && !selfClosing) return reader.fallback(raw, path)
    if (selfClosing) {
      assign(out, name, "", isArray)
      i = skipSpace(raw, end + 1)
      continue
    }
    const close = raw.indexOf("<", end + 1)
    if (close === -1 || raw.charCodeAt(close + 1) !== 47) return reader.fallback(raw, path)
    // The next tag must be this element's closing tag: `</name>`.
    const closeEnd = close + 2 + tag.length
    if (!raw.startsWith(tag, close + 2) || raw.charCodeAt(closeEnd) !== 62) return reader.fallback(raw, path)
    assign(out, name, decodeText(raw.slice(end + 1, close).trim()), false)
    i = skipSpace(raw, closeEnd + 1)
  }
  return out
}

const skipSpace = (s: string, from: number): number => {
  let i = from
  while (i < s.length) {
    const c = s.charCodeAt(i)
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break
    i++
  }
  return i
}

const decodeText = (text: string): string => (text.includes("&") ? unescape(text) : text)

const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'" }

// Only the five XML built-ins and numeric references are decoded; any other
// reference stays literal text (nothing is ever looked up or expanded).
const unescape = (text: string): string =>
  text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return safeCodePoint(parseInt(ref.slice(2), 16), whole)
    if (ref.startsWith("#")) return safeCodePoint(parseInt(ref.slice(1), 10), whole)
    return named[ref] ?? whole
  })

const safeCodePoint = (n: number, fallback: string): string =>
  Number.isFinite(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : fallback

// Makes sure the value at `path` is an array: missing or empty → [], a
// scalar or object → [it]. Parents that are empty elements become objects.
export const ensureArray = (root: Record<string, unknown>, path: ReadonlyArray<string>): void => {
  let node: Record<string, unknown> = root
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!
    const next = node[key]
    if (Array.isArray(next)) {
      // An array in the middle of a path: normalise below each element.
      for (let j = 0; j < next.length; j++) {
        const item = next[j]
        const obj = isRecord(item) ? item : {}
        next[j] = obj
        ensureArray(obj, path.slice(i + 1))
      }
      return
    }
    if (!isRecord(next)) {
      if (next === undefined && i === 0) return // the root itself is absent: leave it to the schema
      const obj: Record<string, unknown> = {}
      node[key] = obj
      node = obj
    } else {
      node = next
    }
  }
  const last = path[path.length - 1]!
  const value = node[last]
  if (value === undefined || value === "") node[last] = []
  else if (!Array.isArray(value)) node[last] = [value]
}
