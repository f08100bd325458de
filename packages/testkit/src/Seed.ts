/**
 * Deterministic randomness for simulators and fixtures.
 *
 * Everything here is driven by an explicit seed so that a simulator run can be
 * replayed exactly. The generator is mulberry32: tiny, fast and good enough
 * for test data (it is not meant for anything security related).
 *
 * @since 0.1.0
 * @module
 */

/**
 * A source of floats in [0, 1).
 *
 * @since 0.1.0
 */
export type Rng = () => number

/**
 * Builds a deterministic PRNG (mulberry32) from a 32-bit seed. Returns floats
 * in [0, 1). Two generators built from the same seed yield the same sequence.
 *
 * @since 0.1.0
 */
export const rng = (seed: number): Rng => {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Picks one element uniformly. Throws a RangeError on an empty array.
 *
 * @since 0.1.0
 */
export const pick = <A>(r: Rng, xs: ReadonlyArray<A>): A => {
  if (xs.length === 0) {
    throw new RangeError("Seed.pick: cannot pick from an empty array")
  }
  const index = Math.min(xs.length - 1, Math.floor(r() * xs.length))
  return xs[index] as A
}

/**
 * Uniform integer between `min` and `max`, both inclusive.
 *
 * @since 0.1.0
 */
export const int = (r: Rng, min: number, max: number): number => {
  const lo = Math.ceil(Math.min(min, max))
  const hi = Math.floor(Math.max(min, max))
  if (hi < lo) {
    throw new RangeError(`Seed.int: no integer between ${min} and ${max}`)
  }
  return lo + Math.min(hi - lo, Math.floor(r() * (hi - lo + 1)))
}

const defaultAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

/**
 * A random identifier of `length` characters drawn from `alphabet`
 * (lowercase letters and digits by default), e.g. "8qe5luge0udlcqtrjraq".
 *
 * @since 0.1.0
 */
export const id = (r: Rng, length: number, alphabet: string = defaultAlphabet): string => {
  if (alphabet.length === 0) {
    throw new RangeError("Seed.id: alphabet must not be empty")
  }
  let out = ""
  for (let i = 0; i < length; i++) {
    out += alphabet.charAt(Math.min(alphabet.length - 1, Math.floor(r() * alphabet.length)))
  }
  return out
}

/**
 * Derives a well-mixed 32-bit seed from a base seed and an index (murmur3
 * style finaliser), so neighbouring indices get unrelated streams.
 *
 * @since 0.1.0
 */
export const derive = (seed: number, index: number): number => {
  let h = (seed >>> 0) ^ Math.imul((index + 1) >>> 0, 0x9e3779b9)
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}

/**
 * Builds `count` items. Item `i` gets its own generator derived from
 * `(seed, i)` only, so it never depends on how many items are built:
 * `dataset(10, s, f)[i]` equals `dataset(1000, s, f)[i]`.
 *
 * @since 0.1.0
 */
export const dataset = <A>(
  count: number,
  seed: number,
  make: (index: number, r: Rng) => A
): ReadonlyArray<A> => {
  const out: Array<A> = []
  for (let i = 0; i < count; i++) {
    out.push(make(i, rng(derive(seed, i))))
  }
  return out
}
