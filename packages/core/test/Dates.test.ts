/**
 * `Dates.isoMillis` (the number-only check the fast decoders use) against
 * `Dates.checkIsoDateTime` (the reference, which also says why): the same
 * instant for every text one accepts, a refusal for every text the other
 * refuses, under every option.
 */
import { describe, expect, it } from "@effect/vitest"
import { Dates } from "@jobstream/core"
import { FastCheck as fc } from "effect"
import * as Either from "effect/Either"

const two = (lo: number, hi: number) => fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, "0"))
const zone = fc.oneof(
  fc.constantFrom("", "Z", "z", "+00:00", "-04:00", "+0200", "+05", "+24:00", "-23:60", "+1", "+12:5", "UTC"),
  fc.tuple(fc.constantFrom("+", "-"), two(0, 30), fc.constantFrom(":", ""), two(0, 70)).map((p) => p.join(""))
)
const isoLike = fc.tuple(
  fc.integer({ min: 0, max: 9999 }).map((y) => String(y).padStart(4, "0")),
  two(0, 13),
  two(0, 32),
  fc.constantFrom("T", "t", " ", "_"),
  two(0, 25),
  two(0, 61),
  fc.oneof(fc.constant(""), two(0, 61).map((s) => `:${s}`)),
  fc.oneof(fc.constant(""), fc.constantFrom(".5", ",123", ".123456789", ".", ".1234567890")),
  zone,
  fc.constantFrom("", " ", "\t", "x")
).map(([y, mo, d, t, h, mi, s, f, z, pad]) => `${pad === "x" ? "" : pad}${y}-${mo}-${d}${t}${h}:${mi}${s}${s === "" ? "" : f}${z}${pad === "x" ? "x" : pad}`)
const dateLike = fc.tuple(fc.integer({ min: 0, max: 9999 }), two(0, 13), two(0, 32), fc.constantFrom("", " ", "x")).map(
  ([y, m, d, pad]) => `${pad}${String(y).padStart(4, "0")}-${m}-${d}${pad}`
)
const text = fc.oneof(isoLike, dateLike, fc.string({ maxLength: 30 }))

const options: ReadonlyArray<Dates.IsoOptions> = [
  { zone: "required" },
  { zone: "utc-if-absent" },
  { zone: "required", dateOnly: true },
  { zone: "utc-if-absent", dateOnly: true }
]

describe("Dates.isoMillis", () => {
  it("agrees with checkIsoDateTime on generated texts, under every option", () => {
    let accepted = 0
    fc.assert(
      fc.property(text, (t) => {
        for (const o of options) {
          const reference = Dates.checkIsoDateTime(t, o)
          const millis = Dates.isoMillis(t, o)
          if (Either.isRight(reference)) {
            accepted++
            expect(millis).toBe(reference.right.getTime())
          } else {
            expect(millis).toBeNaN()
          }
        }
      }),
      { seed: 19, numRuns: 5000 }
    )
    // Many generated texts are real dates, so both sides of the agreement are exercised.
    expect(accepted).toBeGreaterThan(1000)
  })

  it("reads the documented forms", () => {
    expect(Dates.isoMillis("2016-09-15T03:36:05.000-07:00", { zone: "required" })).toBe(Date.UTC(2016, 8, 15, 10, 36, 5))
    expect(Dates.isoMillis("2015-09-08", { zone: "utc-if-absent", dateOnly: true })).toBe(Date.UTC(2015, 8, 8))
    expect(Dates.isoMillis("2014-02-30", { zone: "utc-if-absent", dateOnly: true })).toBeNaN()
    expect(Dates.isoMillis("2024-05-01T13:37:00", { zone: "required" })).toBeNaN()
  })
})
