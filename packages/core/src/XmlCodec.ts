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
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { XMLParser, XMLValidator } from "fast-xml-parser"
import * as ApiError from "./ApiError.js"

/** How to parse one kind of document. */
export interface ParseOptions {
  /** Dotted element paths, from the root, whose elements always form an array. */
  readonly arrayPaths?: ReadonlyArray<string>
}

/** Where the document came from, for the error. */
export interface DecodeContext extends ApiError.Context {
  readonly status?: number | undefined
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
export const excerptLength = 200

/** Builds the codec (pure; no resources). */
export const make = (options: Options = {}): Service => {
  const validate = options.validate ?? true
  const maxDepth = options.maxDepth ?? 64
  const parsers = new Map<string, XMLParser>()

  const parserFor = (arrayPaths: ReadonlyArray<string>): XMLParser => {
    const key = arrayPaths.join("\n")
    const cached = parsers.get(key)
    if (cached !== undefined) return cached
    const paths = new Set(arrayPaths)
    const parser = new XMLParser({
      ignoreAttributes: true,
      ignoreDeclaration: true,
      ignorePiTags: true,
      parseTagValue: false,
      parseAttributeValue: false,
      trimValues: true,
      processEntities: false,
      htmlEntities: false,
      maxNestedTags: maxDepth,
      isArray: paths.size === 0 ? () => false : (_tag, jpath) => typeof jpath === "string" && paths.has(jpath)
    })
    parsers.set(key, parser)
    return parser
  }

  const parse = (text: string, parseOptions: ParseOptions = {}): Either.Either<unknown, string> => {
    if (forbidden.test(text)) return Either.left("DOCTYPE/ENTITY declarations are not accepted")
    if (text.trim() === "") return Either.left("the body is empty")
    if (validate) {
      const verdict = XMLValidator.validate(text)
      if (verdict !== true) {
        return Either.left(`malformed XML at line ${verdict.err.line}, column ${verdict.err.col}: ${verdict.err.msg}`)
      }
    }
    const arrayPaths = parseOptions.arrayPaths ?? []
    let parsed: unknown
    try {
      parsed = parserFor(arrayPaths).parse(text)
    } catch (cause) {
      return Either.left(`malformed XML: ${cause instanceof Error ? cause.message : String(cause)}`)
    }
    if (!isRecord(parsed) || Object.keys(parsed).length === 0) return Either.left("no root element")
    decodeEntities(parsed)
    for (const path of arrayPaths) ensureArray(parsed, path.split("."))
    return Either.right(parsed)
  }

  const decode = <A, I>(
    schema: Schema.Schema<A, I, never>,
    text: string,
    context: DecodeContext,
    parseOptions?: ParseOptions
  ): Effect.Effect<A, ApiError.DecodeError> => {
    const parsed = parse(text, parseOptions)
    if (Either.isLeft(parsed)) {
      return Effect.fail(decodeError(context, "xml", parsed.left, text))
    }
    const decoded = Schema.decodeUnknownEither(schema, { errors: "first" })(parsed.right)
    if (Either.isLeft(decoded)) {
      return Effect.fail(
        decodeError(context, "schema", ParseResult.TreeFormatter.formatErrorSync(decoded.left), text)
      )
    }
    return Effect.succeed(decoded.right)
  }

  return { parse, decode }
}

/** A codec with the default options. */
export const layer: Layer.Layer<XmlCodec> = Layer.succeed(XmlCodec, make())

/** A codec with custom options. */
export const layerWith = (options: Options): Layer.Layer<XmlCodec> => Layer.succeed(XmlCodec, make(options))

/** Builds a `DecodeError` with a short excerpt of the body. */
export const decodeError = (
  context: DecodeContext,
  format: "json" | "xml" | "schema" | "body",
  issue: string,
  body: string
): ApiError.DecodeError =>
  new ApiError.DecodeError({
    provider: context.provider,
    operation: context.operation,
    method: context.method,
    url: context.url,
    ...(context.status === undefined ? {} : { status: context.status }),
    format,
    issue: ApiError.truncate(issue, 1000),
    excerpt: ApiError.truncate(body.slice(0, excerptLength + 1), excerptLength)
  })

const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

// With entity processing off in the parser, the five XML built-ins (and
// numeric references) are decoded here, only in leaf strings, and only when a
// `&` is present, which keeps the common case free of extra work.
const decodeEntities = (value: unknown): unknown => {
  if (typeof value === "string") return value.includes("&") ? unescape(value) : value
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = decodeEntities(value[i])
    return value
  }
  if (isRecord(value)) {
    for (const key of Object.keys(value)) value[key] = decodeEntities(value[key])
  }
  return value
}

const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: "\"", apos: "'" }

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
