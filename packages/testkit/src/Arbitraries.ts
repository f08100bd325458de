/**
 * fast-check arbitraries for checking that a validator accepts exactly a
 * documented domain: every generated value carries a label saying whether
 * the documentation allows it, and a property compares the validator's
 * verdict with the label.
 *
 * ```ts
 * const page = Arbitraries.labeled({
 *   page: fc.oneof(Arbitraries.absent, Arbitraries.valid(fc.integer({ min: 1 })), Arbitraries.invalid(fc.constant(0)))
 * })
 * it.prop("validate accepts exactly the domain", [page], ([{ ok, value }]) => {
 *   expect(Either.isRight(validate(value))).toBe(ok)
 * })
 * ```
 *
 * @since 0.2.0
 * @module
 */
import { FastCheck as fc } from "effect"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"

/**
 * A value and whether it is in the documented domain.
 *
 * @since 0.2.0
 */
export type Labeled<A> = readonly [value: A, valid: boolean]

/**
 * Values the documentation allows.
 *
 * @since 0.2.0
 */
export const valid = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<Labeled<A>> => arb.map((v) => [v, true] as const)

/**
 * Values the documentation does not allow.
 *
 * @since 0.2.0
 */
export const invalid = <A>(arb: fc.Arbitrary<A>): fc.Arbitrary<Labeled<A>> => arb.map((v) => [v, false] as const)

/**
 * A field left out (always allowed).
 *
 * @since 0.2.0
 */
export const absent: fc.Arbitrary<Labeled<undefined>> = fc.constant([undefined, true] as const)

/**
 * A key the documentation does not know, usually absent.
 *
 * @since 0.2.0
 */
export const unknownKey: fc.Arbitrary<Labeled<unknown>> = fc.oneof(
  { weight: 5, arbitrary: absent },
  { weight: 1, arbitrary: invalid(fc.constantFrom("x", 1, true)) }
)

/**
 * An object from labelled fields (absent ones left out) and whether all of them were valid.
 *
 * @since 0.2.0
 */
export const labeled = (
  fields: Record<string, fc.Arbitrary<Labeled<unknown>>>
): fc.Arbitrary<{ readonly value: Record<string, unknown>; readonly ok: boolean }> =>
  fc.record(fields).map((entries) => {
    const value: Record<string, unknown> = {}
    let ok = true
    for (const [key, [v, isValid]] of Object.entries(entries)) {
      if (v !== undefined) value[key] = v
      ok = ok && isValid
    }
    return { value, ok }
  })

const minDate = Date.UTC(1000, 0, 1)
const maxDate = Date.UTC(9999, 11, 31, 23, 59, 59, 999)

/**
 * Dates wire formats can write and read back: years 1000–9999, whole milliseconds.
 *
 * @since 0.2.0
 */
export const wireDate: fc.Arbitrary<Date> = fc.date({ min: new Date(minDate), max: new Date(maxDate), noInvalidDate: true })

/**
 * A generated date kept inside the 4-digit-year domain of the wire formats
 * (an invalid one becomes the epoch).
 *
 * @since 0.2.0
 */
export const clampDate = (d: Date): Date => {
  const t = d.getTime()
  if (Number.isNaN(t)) return new Date(0)
  return new Date(Math.min(maxDate, Math.max(minDate, t)))
}

/**
 * What a client made of one labelled sample.
 *
 * @since 0.2.0
 */
export interface Verdict {
  readonly value: unknown
  /** Whether the documentation allows the value. */
  readonly ok: boolean
  /** Whether the client refused it (an `InvalidRequest`). */
  readonly refused: boolean
  /** The error's tag, or "ok". */
  readonly outcome: string
  /** Whether a request went out for it. */
  readonly sent: boolean
}

/**
 * Runs each labelled sample through a client call, noting the client's
 * verdict and whether anything was sent (`sent` counts the requests so
 * far): a client that checks a domain refuses exactly the samples labelled
 * invalid, and sends nothing for them.
 *
 * @since 0.2.0
 */
export const verdicts = <E>(
  samples: ReadonlyArray<{ readonly value: unknown; readonly ok: boolean }>,
  call: (value: unknown) => Effect.Effect<unknown, E>,
  sent: () => number
): Effect.Effect<ReadonlyArray<Verdict>> =>
  Effect.forEach(samples, ({ ok, value }) =>
    Effect.gen(function*() {
      const before = sent()
      const exit = yield* Effect.exit(call(value))
      const error: unknown = Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined
      const tag = (error as { readonly _tag?: unknown } | undefined)?._tag
      const outcome = Exit.isSuccess(exit) ? "ok" : typeof tag === "string" ? tag : exit.cause._tag
      return { value, ok, refused: outcome === "InvalidRequest", outcome, sent: sent() > before }
    }))

/**
 * The verdicts that contradict the labels, one line each (empty: the client
 * refused exactly the invalid samples, and sent nothing for them). With
 * `strict`, a valid sample must also have succeeded.
 *
 * @since 0.2.0
 */
export const misjudged = (verdicts: ReadonlyArray<Verdict>, options: { readonly strict?: boolean } = {}): ReadonlyArray<string> =>
  verdicts.flatMap((v) => {
    const wrong = v.refused === v.ok || (v.refused && v.sent) || (options.strict === true && v.ok && v.outcome !== "ok")
    return wrong ? [`${JSON.stringify(v.value)}: ${v.ok ? "valid" : "invalid"} → ${v.outcome}${v.sent ? " (sent)" : ""}`] : []
  })

/**
 * Whether the samples held both valid and invalid values (so a check over them means something).
 *
 * @since 0.2.0
 */
export const mixed = (verdicts: ReadonlyArray<Verdict>): boolean => verdicts.some((v) => v.ok) && verdicts.some((v) => !v.ok)
