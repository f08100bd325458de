/**
 * The shared pieces of a provider's one-pass page decoder: a decoder that
 * reads a parsed page field by field and builds the same values its Schemas
 * would, without the Schema machinery, and that hands anything it is not
 * certain of back to the Schemas. The provider keeps the field rules; these
 * are the three notions every such decoder needs.
 *
 * @since 0.2.0
 * @module
 */

import * as Effect from "effect/Effect"

const has = Object.prototype.hasOwnProperty

/**
 * The answer "not sure: let the Schema decide". A fast decoder returns it
 * (or passes it up) instead of guessing.
 *
 * @since 0.2.0
 */
export const unsure: unique symbol = Symbol.for("@jobstream/core/FastDecode/unsure")

/**
 * The type of {@link unsure}.
 *
 * @since 0.2.0
 */
export type Unsure = typeof unsure

/**
 * Whether a parsed value is an object whose fields can be read (not null,
 * not an array).
 *
 * @since 0.2.0
 */
export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u)

/**
 * A field as a Schema struct reads it: `undefined` when the key is absent,
 * the value when it is an own property, and {@link unsure} in the corner
 * cases where an optional and a required field would be read differently
 * (a key inherited from a prototype, or an own key holding `undefined`).
 *
 * @since 0.2.0
 */
export const field = (record: Record<string, unknown>, key: string): unknown => {
  const value = record[key]
  if (value === undefined) return has.call(record, key) ? unsure : undefined
  return has.call(record, key) ? value : unsure
}

/**
 * A JSON body through a fast decoder, with the Schemas behind it: the text
 * is parsed once and given to `fast`; when it does not parse, or `fast`
 * answers `undefined` (not sure), `schemas()` decides — and gives the value
 * or the precise error.
 *
 * @since 0.2.0
 */
export const json = <A, E>(
  text: string,
  fast: (json: unknown) => A | undefined,
  schemas: () => Effect.Effect<A, E>
): Effect.Effect<A, E> => {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    return schemas()
  }
  const value = fast(parsed)
  return value !== undefined ? Effect.succeed(value) : schemas()
}
