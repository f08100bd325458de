/**
 * XML decoding: fast-xml-parser turns the text into plain objects, then a
 * Schema gives them their type. A plain module: `parse` and `decode` with
 * the default settings, or `make(options)` for a codec of your own (the
 * scanner and the object reader are internal).
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
 * @module
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { XMLParser } from "fast-xml-parser"
import * as ApiError from "./ApiError.js"
import { checkWellFormed, resolveRoot } from "./internal/xmlScan.js"
import { ensureArray, type OrderedNode, toObject } from "./internal/xmlTree.js"

/**
 * How to parse one kind of document.
 *
 * @since 0.1.0
 */
export interface ParseOptions {
  /**
   * Dotted element paths, from the root, whose elements always form an
   * array. A path may start with `*` to stand for the root element whatever
   * its name (`"*.bulkJob"`).
   */
  readonly arrayPaths?: ReadonlyArray<string>
}

/**
 * Where the document came from, for the error.
 *
 * @since 0.1.0
 */
export interface DecodeContext extends ApiError.Where {
  readonly status?: number | undefined
  /** The request's redaction (`RawResponse.redact`), applied to the excerpt and issue of an error. */
  readonly redact?: ((text: string) => string) | undefined
}

/**
 * A codec: what `make` builds (the module's `parse` and `decode` are the default one's).
 *
 * @since 0.2.0
 */
export interface Codec {
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

/**
 * The old name of {@link Codec}.
 *
 * @deprecated renamed `Codec` in 0.2, when `XmlCodec` became a plain module.
 *
 * @since 0.1.0
 */
export type Service = Codec

/**
 * Tuning of the parser.
 *
 * @since 0.1.0
 */
export interface Options {
  /** Validate the whole document before parsing (catches truncation and mismatched tags). Default true. */
  readonly validate?: boolean
  /** Deepest element nesting accepted. Default 64. */
  readonly maxDepth?: number
}

const forbidden = /<!DOCTYPE|<!ENTITY/i

/**
 * Length of the excerpt quoted in decode errors.
 *
 * @since 0.1.0
 */
export const excerptLength = ApiError.excerptLength

/**
 * Builds the codec (pure; no resources).
 *
 * @since 0.1.0
 */
export const make = (options: Options = {}): Codec => {
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

const defaultCodec = make()

/**
 * Parses XML text into plain objects (strings for every leaf), with the
 * default settings.
 *
 * @since 0.2.0
 */
export const parse: Codec["parse"] = defaultCodec.parse

/**
 * Parses XML text and decodes it with a Schema, with the default settings;
 * every failure is a `DecodeError`.
 *
 * @since 0.2.0
 */
export const decode: Codec["decode"] = defaultCodec.decode
