/**
 * XML decoding behind a service: fast-xml-parser turns the text into plain
 * objects, then a Schema gives them their type.
 *
 * XML cannot tell a one-element list from a scalar, so callers declare their
 * array paths (`"bulkJobs.bulkJob"`): an element at such a path is always an
 * array, one element gives a one-item array, and a missing or empty parent
 * gives an empty one.
 *
 * Hardening: documents carrying a DOCTYPE or ENTITY declaration are refused
 * outright (none of the supported APIs uses them, and they are the vehicle of
 * entity-expansion bombs); entity processing is limited to the five XML
 * built-ins; nesting is bounded; the text is validated before it is parsed so
 * that a truncated or mismatched document is an error, never a partial result.
 * Every failure is a `DecodeError`.
 *
 * Speed: fast-xml-parser runs in its cheapest mode (ordered output, no path
 * strings, no value or entity processing) and treats the elements at declared
 * array paths as stop nodes; their raw content — typically a flat record of
 * `<field>text</field>` children — is read by a linear reader here, and
 * handed back to fast-xml-parser whenever it is not flat. The well-formedness
 * check is a linear scan rather than fast-xml-parser's validator, which costs
 * as much as parsing. Together that is about 2.5× the default parser's speed
 * (see the README's Performance section).
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import { XMLParser } from "fast-xml-parser"
import * as ApiError from "./ApiError.js"

/** How to parse one kind of document. */
export interface ParseOptions {
  /**
   * Dotted element paths, from the root, whose elements always form an
   * array. A path may start with `*` to stand for the root element whatever
   * its name (`"*.bulkJob"`).
   */
  readonly arrayPaths?: ReadonlyArray<string>
}

/** Where the document came from, for the error. */
export interface DecodeContext extends ApiError.Where {
  readonly status?: number | undefined
  /** The request's redaction (`RawResponse.redact`), applied to the excerpt and issue of an error. */
  readonly redact?: ((text: string) => string) | undefined
}

/** The service. */
export interface Service {
  /** Parses XML text into plain objects (strings for every leaf). */
  readonly parse: (text: string, options?: ParseOptions) => Either.Either<unknown, string>
  /** Parses XML text and decodes it with a Schema; every failure is a `DecodeError`. */
  readonly decode: <A, I>(
    schema: Schema.Schema<A, I, never>,
    text: string,
    context: DecodeContext,
    options?: ParseOptions
  ) => Effect.Effect<A, ApiError.DecodeError>
}

/** The XmlCodec service tag. */
export class XmlCodec extends Context.Tag("@jobstream/core/XmlCodec")<XmlCodec, Service>() {}

/** Tuning of the parser. */
export interface Options {
  /** Validate the whole document before parsing (catches truncation and mismatched tags). Default true. */
  readonly validate?: boolean
  /** Deepest element nesting accepted. Default 64. */
  readonly maxDepth?: number
}

const forbidden = /<!DOCTYPE|<!ENTITY/i

/** Length of the excerpt quoted in decode errors. */
export const excerptLength = ApiError.excerptLength

/** Builds the codec (pure; no resources). */
export const make = (options: Options = {}): Service => {
  const validate = options.validate ?? true
  const maxDepth = options.maxDepth ?? 64
  const parsers = new Map<string, XMLParser>()

  // fast-xml-parser in its cheapest configuration: ordered output (no
  // object-merging pass), no path strings, no value parsing, no entities.
  // Elements at declared array paths are "stop nodes": their raw content is
  // handed to the record reader below instead of being parsed element by element.
  const parserFor = (stopNodes: ReadonlyArray<string>): XMLParser => {
    const key = stopNodes.join("\n")
    const cached = parsers.get(key)
    if (cached !== undefined) return cached
    const parser = new XMLParser({
      preserveOrder: true,
      jPath: false,
      ignoreAttributes: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      processEntities: false,
      htmlEntities: false,
      maxNestedTags: maxDepth,
      stopNodes: [...stopNodes]
    })
    parsers.set(key, parser)
    return parser
  }

  const parse = (text: string, parseOptions: ParseOptions = {}): Either.Either<unknown, string> => {
    if (forbidden.test(text)) return Either.left("DOCTYPE/ENTITY declarations are not accepted")
    if (text.trim() === "") return Either.left("the body is empty")
    if (validate) {
      const problem = checkWellFormed(text, maxDepth)
      if (problem !== undefined) return Either.left(`malformed XML: ${problem}`)
    }
    const arrayPaths = resolveRoot(parseOptions.arrayPaths ?? [], text)
    try {
      const root = readDocument(text, arrayPaths)
      if (typeof root !== "object" || Object.keys(root).length === 0) return Either.left("no root element")
      for (const path of arrayPaths) ensureArray(root, path.split("."))
      return Either.right(root)
    } catch (cause) {
      return Either.left(`malformed XML: ${cause instanceof Error ? cause.message : String(cause)}`)
    }
  }

  // Parses a document (or a record's content wrapped in `<_>`), with `arrayPaths`
  // relative to its root.
  const readDocument = (text: string, arrayPaths: ReadonlyArray<string>): Record<string, unknown> | string => {
    const ordered = parserFor(arrayPaths).parse(text) as Array<OrderedNode>
    return toObject(ordered, "", {
      arrays: new Set(arrayPaths),
      // A record that is not flat (nested elements, comments, …) is parsed on
      // its own by fast-xml-parser, with the array paths that lie below it.
      fallback: (raw, path) => {
        const prefix = `${path}.`
        const below = arrayPaths.filter((p) => p.startsWith(prefix)).map((p) => `_.${p.slice(prefix.length)}`)
        const wrapped = readDocument(`<_>${raw}</_>`, below)
        return typeof wrapped === "object" ? (wrapped["_"] as Record<string, unknown> | string | undefined) ?? "" : wrapped
      }
    })
  }

  const decode = <A, I>(
    schema: Schema.Schema<A, I, never>,
    text: string,
    context: DecodeContext,
    parseOptions?: ParseOptions
  ): Effect.Effect<A, ApiError.DecodeError> => {
    const parsed = parse(text, parseOptions)
    const source = { status: context.status, body: text, redact: context.redact }
    if (Either.isLeft(parsed)) {
      return Effect.fail(ApiError.DecodeError.fromBody(context, source, { format: "xml", issue: parsed.left }))
    }
    const decoded = Schema.decodeUnknownEither(schema, { errors: "first" })(parsed.right)
    if (Either.isLeft(decoded)) {
      const issue = ApiError.formatParseError(decoded.left)
      return Effect.fail(ApiError.DecodeError.fromBody(context, source, { format: "schema", issue }))
    }
    return Effect.succeed(decoded.right)
  }

  return { parse, decode }
}

/** A codec with the default options. */
export const layer: Layer.Layer<XmlCodec> = Layer.succeed(XmlCodec, make())

/** A codec with custom options. */
export const layerWith = (options: Options): Layer.Layer<XmlCodec> => Layer.succeed(XmlCodec, make(options))

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/** The name of the document's root element (after any prolog), if it has one. */
export const rootName = (text: string): string | undefined => {
  let i = text.indexOf("<")
  while (i !== -1) {
    const next = text.charCodeAt(i + 1)
    if (next !== 63 && next !== 33) {
      let j = i + 1
      while (j < text.length) {
        const c = text.charCodeAt(j)
        if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47 || c === 62) break
        j++
      }
      return j > i + 1 ? text.slice(i + 1, j) : undefined
    }
    i = text.indexOf("<", i + 1)
  }
  return undefined
}

const resolveRoot = (paths: ReadonlyArray<string>, text: string): ReadonlyArray<string> => {
  if (!paths.some((p) => p.startsWith("*."))) return paths
  const root = rootName(text)
  return root === undefined ? paths : paths.map((p) => (p.startsWith("*.") ? `${root}${p.slice(1)}` : p))
}

// ---------------------------------------------------------------------------
// From fast-xml-parser's ordered output to plain objects

/** fast-xml-parser's ordered form: each node is `{ tagName: children }` or `{ "#text": text }`. */
type OrderedNode = Record<string, unknown>

interface Reader {
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

const toObject = (nodes: Array<OrderedNode>, path: string, reader: Reader): Record<string, unknown> | string => {
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

/**
 * A linear well-formedness check: every element closes, in order, under a
 * single root, with nothing but whitespace, comments or processing
 * instructions around it; nesting within `maxDepth`. It is what catches a
 * truncated or spliced document (fast-xml-parser itself is lenient), at a
 * fraction of the cost of a full validator.
 */
export const checkWellFormed = (s: string, maxDepth: number): string | undefined => {
  const stack: Array<string> = []
  let rootClosed = false
  let i = 0
  const len = s.length
  while (i < len) {
    const lt = s.indexOf("<", i)
    if (lt === -1) {
      if (s.slice(i).trim() !== "" && (stack.length === 0)) return "text outside the root element"
      break
    }
    if (stack.length === 0 && s.slice(i, lt).trim() !== "") return "text outside the root element"
    const second = s.charCodeAt(lt + 1)
    if (second === 33 && s.startsWith("<!--", lt)) {
      const e = s.indexOf("-->", lt + 4)
      if (e === -1) return "unterminated comment"
      i = e + 3
      continue
    }
    if (second === 33 && s.startsWith("<![CDATA[", lt)) {
      if (stack.length === 0) return "CDATA outside the root element"
      const e = s.indexOf("]]>", lt + 9)
      if (e === -1) return "unterminated CDATA section"
      i = e + 3
      continue
    }
    if (second === 63) {
      const e = s.indexOf("?>", lt + 2)
      if (e === -1) return "unterminated processing instruction"
      i = e + 2
      continue
    }
    // Find the end of the tag; only a tag with quotes (attributes) needs the
    // slower scan that skips quoted values.
    let j = s.indexOf(">", lt + 1)
    if (j === -1) return "the document ends inside a tag (truncated?)"
    const nextLt = s.indexOf("<", lt + 1)
    const tagText = s.slice(lt + 1, j)
    if (tagText.includes("\"") || tagText.includes("'")) {
      let quote = 0
      for (j = lt + 1; j < len; j++) {
        const c = s.charCodeAt(j)
        if (quote !== 0) {
          if (c === quote) quote = 0
        } else if (c === 34 || c === 39) quote = c
        else if (c === 62) break
        else if (c === 60) return `unexpected "<" inside a tag at offset ${j}`
      }
      if (j >= len) return "the document ends inside a tag (truncated?)"
    } else if (nextLt !== -1 && nextLt < j) {
      return `unexpected "<" inside a tag at offset ${nextLt}`
    }
    if (second === 47) {
      const name = s.slice(lt + 2, j).trim()
      const open = stack.pop()
      if (open === undefined) return `closing tag </${name}> without an opening tag`
      if (open !== name) return `</${name}> closes <${open}>`
      if (stack.length === 0) rootClosed = true
    } else {
      if (rootClosed) return "more than one root element"
      const selfClosing = s.charCodeAt(j - 1) === 47
      let k = lt + 1
      while (k < j) {
        const c = s.charCodeAt(k)
        if (c === 32 || c === 9 || c === 10 || c === 13 || c === 47) break
        k++
      }
      const name = s.slice(lt + 1, k)
      if (name === "") return `empty tag name at offset ${lt}`
      if (selfClosing) {
        if (stack.length === 0) rootClosed = true
      } else {
        stack.push(name)
        if (stack.length > maxDepth) return `nesting deeper than ${maxDepth}`
      }
    }
    i = j + 1
  }
  if (stack.length > 0) return `<${stack[stack.length - 1]}> is never closed (truncated?)`
  if (!rootClosed) return "no root element"
  return undefined
}

// Makes sure the value at `path` is an array: missing or empty → [], a
// scalar or object → [it]. Parents that are empty elements become objects.
const ensureArray = (root: Record<string, unknown>, path: ReadonlyArray<string>): void => {
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
