/**
 * Schema mismatches as short problems (`path: expected …, got …`), and
 * text shortening.
 */
import type * as ParseResult from "effect/ParseResult"
import { ArrayFormatter } from "effect/ParseResult"

/**
 * Shortens text to `max` characters, marking the cut.
 *
 * @since 0.1.0
 */
export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max)}…`

/**
 * One thing wrong with a request's input: the parameter, and what is wrong with it (never a secret value).
 *
 * @since 0.2.0
 */
export interface Problem {
  /** The parameter (or option) at fault, e.g. "resultsPerPage" or "jobStatuses[1]". */
  readonly parameter: string
  /** What is wrong and what is allowed, e.g. "500 is above the maximum 50". */
  readonly message: string
}

/** Most lines a Schema mismatch is described with; the rest are counted. */
const maxIssueLines = 5

/**
 * The problems of a Schema mismatch, one per offending path:
 * `{ parameter: "bulkJobs[3].createdDate", message: "expected …, got …" }`.
 * Alternatives at the same path are merged ("expected "a" or "b", got "c"").
 * Printing a mismatch quotes the offending value, which for a hostile body
 * (JSON nested a hundred thousand levels deep) can exhaust the stack; then
 * a single problem without the value is returned, so a bad body is always a
 * `DecodeError`, never a defect.
 *
 * @since 0.2.0
 */
export const problemsOf = (error: ParseResult.ParseError): ReadonlyArray<Problem> => {
  let issues: ReadonlyArray<ParseResult.ArrayFormatterIssue>
  try {
    issues = ArrayFormatter.formatErrorSync(error)
  } catch {
    return [{ parameter: "(root)", message: "does not match the expected shape (the value is too deeply nested to describe)" }]
  }
  const byPath = new Map<string, { expected: Array<string>; actual: string | undefined; other: Array<string> }>()
  for (const issue of issues) {
    const parameter = pathText(issue.path)
    const entry = byPath.get(parameter) ?? { expected: [], actual: undefined, other: [] }
    byPath.set(parameter, entry)
    const m = /^Expected ([\s\S]*), actual ([\s\S]*)$/.exec(issue.message)
    if (m === null) {
      if (!entry.other.includes(issue.message)) entry.other.push(issue.message)
    } else {
      if (!entry.expected.includes(m[1]!)) entry.expected.push(m[1]!)
      entry.actual = m[2]!
    }
  }
  return [...byPath].map(([parameter, e]) => {
    const parts = [...e.other]
    if (e.expected.length > 0) parts.push(`expected ${e.expected.join(" or ")}, got ${e.actual}`)
    return { parameter, message: truncate(parts.join("; "), 200) }
  })
}

/**
 * Describes a Schema mismatch in a few short lines (`path: expected …, got
 * …`, joined by "; "), never as the whole schema tree: at most five paths,
 * then how many more there are.
 *
 * @since 0.1.0
 */
export const formatParseError = (error: ParseResult.ParseError): string => {
  const problems = problemsOf(error)
  const shown = problems.slice(0, maxIssueLines).map((p) => `${p.parameter}: ${p.message}`)
  if (problems.length > maxIssueLines) shown.push(`and ${problems.length - maxIssueLines} more`)
  return shown.join("; ")
}

/** `["bulkJobs", 3, "createdDate"]` → `bulkJobs[3].createdDate`; the empty path is "(root)". */
const pathText = (path: ReadonlyArray<PropertyKey>): string => {
  if (path.length === 0) return "(root)"
  let out = ""
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`
    else if (typeof key === "symbol") out += `[${String(key)}]`
    else out += out === "" ? key : `.${key}`
  }
  return out
}
