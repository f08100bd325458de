/**
 * One-line descriptions of what is wrong with a value, shared by the query
 * validation of every provider (which reports `InvalidRequest` problems) and
 * by the option checks of `ClientOptions` (which report `ConfigError`s).
 *
 * Each check returns `undefined` when the value is fine, or a sentence that
 * quotes the value and says what is allowed: `500 is above the maximum 50`,
 * `"week" is not one of "day", "month", "year"`. Secret values are never
 * passed to these checks (see `ClientOptions.secret`).
 *
 * @since 0.1.0
 * @module
 */

/** Whether a value is a plain object (not null, not an array, not a Date). */
export const isRecord = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u) && !(u instanceof Date)

/**
 * A value as a message quotes it: strings in double quotes (cut at 60
 * characters), numbers, booleans, null and undefined as written, Dates as ISO
 * text, anything else by its kind.
 *
 * @since 0.2.0
 */
export const quote = (value: unknown): string => {
  switch (typeof value) {
    case "string":
      return JSON.stringify(value.length <= 60 ? value : `${value.slice(0, 60)}…`)
    case "number":
    case "boolean":
    case "bigint":
      return String(value)
    case "undefined":
      return "undefined"
    case "function":
      return "a function"
    case "symbol":
      return "a symbol"
    default:
      if (value === null) return "null"
      if (value instanceof Date) return Number.isNaN(value.getTime()) ? "an invalid Date" : `Date ${value.toISOString()}`
      if (Array.isArray(value)) return value.length === 0 ? "an empty list" : `a list of ${value.length}`
      return "an object"
  }
}

/**
 * Bounds of an integer check.
 *
 * @since 0.2.0
 */
export interface Range {
  readonly min?: number
  readonly max?: number
}

/**
 * A whole number within the range.
 *
 * @since 0.2.0
 */
export const integer = (value: unknown, range: Range = {}): string | undefined => {
  if (typeof value !== "number") {
    return typeof value === "string" && /^\s*-?\d+\s*$/.test(value)
      ? `${quote(value)} is text; give the number ${value.trim()}`
      : `${quote(value)} is not a number`
  }
  if (!Number.isFinite(value)) return `${value} is not a finite number`
  if (!Number.isInteger(value)) return `${value} is not a whole number`
  if (range.min !== undefined && value < range.min) return `${value} is below the minimum ${range.min}`
  if (range.max !== undefined && value > range.max) return `${value} is above the maximum ${range.max}`
  return undefined
}

/**
 * One of a fixed set of values.
 *
 * @since 0.2.0
 */
export const oneOf = (value: unknown, allowed: ReadonlyArray<string | number>): string | undefined =>
  allowed.includes(value as string | number) ? undefined : `${quote(value)} is not one of ${allowed.map(quote).join(", ")}`

/**
 * A string with something other than whitespace in it.
 *
 * @since 0.2.0
 */
export const nonBlank = (value: unknown): string | undefined => {
  if (typeof value !== "string") return `${quote(value)} is not a string`
  return value.trim() === "" ? (value === "" ? "must not be empty" : "must not be blank (only whitespace)") : undefined
}

/**
 * The known name closest to `key` (same letters in another case, or at most two edits away).
 *
 * @since 0.2.0
 */
export const closest = (key: string, known: ReadonlyArray<string>): string | undefined => {
  const lower = key.toLowerCase()
  const sameCase = known.find((k) => k.toLowerCase() === lower || k.toLowerCase().replace(/_/g, "") === lower.replace(/_/g, ""))
  if (sameCase !== undefined) return sameCase
  let best: { readonly name: string; readonly distance: number } | undefined
  for (const name of known) {
    const distance = editDistance(lower, name.toLowerCase())
    if (distance <= 2 && (best === undefined || distance < best.distance)) best = { name, distance }
  }
  return best?.name
}

/**
 * Keys of `input` that are not in `known`, each with a one-line message (and a suggestion when one is close).
 *
 * @since 0.2.0
 */
export const unknownKeys = (
  input: Record<string, unknown>,
  known: ReadonlyArray<string>
): ReadonlyArray<{ readonly key: string; readonly message: string }> =>
  Object.keys(input).filter((key) => !known.includes(key)).map((key) => {
    const near = closest(key, known)
    return {
      key,
      message: near === undefined
        ? `is not a known parameter (known: ${known.join(", ")})`
        : `is not a known parameter; did you mean ${near}?`
    }
  })

const editDistance = (a: string, b: string): number => {
  if (Math.abs(a.length - b.length) > 2) return 3
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}
