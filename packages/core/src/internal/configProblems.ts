/**
 * A `ConfigError` as a list of problems (`path: what is wrong`), for a CLI
 * or a log. Re-exported by `ClientOptions`.
 */
import type * as ConfigError from "effect/ConfigError"

/**
 * One problem of a configuration error.
 *
 * @since 0.2.0
 */
export interface Problem {
  /** The option or variable, dotted ("auth.apiKey", "GREENARROW_API_KEY"); "" when the error names none. */
  readonly path: string
  readonly message: string
}

/**
 * Every problem in a configuration error, in order, without repeats.
 *
 * @since 0.2.0
 */
export const problems = (error: ConfigError.ConfigError): ReadonlyArray<Problem> => {
  const out: Array<Problem> = []
  const visit = (e: ConfigError.ConfigError): void => {
    switch (e._op) {
      case "And":
      case "Or":
        visit(e.left)
        visit(e.right)
        return
      case "MissingData":
        out.push({ path: e.path.join("."), message: /^Expected .* to exist/.test(e.message) ? "is not set" : e.message })
        return
      default:
        out.push({ path: e.path.join("."), message: e.message })
    }
  }
  visit(error)
  return out.filter((p, i) => out.findIndex((q) => q.path === p.path && q.message === p.message) === i)
}

/**
 * A configuration error as one line: `PATH: what is wrong; OTHER: …`.
 *
 * @since 0.2.0
 */
export const format = (error: ConfigError.ConfigError): string =>
  problems(error).map((p) => (p.path === "" ? p.message : `${p.path}: ${p.message}`)).join("; ")
