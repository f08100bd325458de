/**
 * Runs before every test file (vitest `setupFiles`).
 *
 * `layer(...)` from `@effect/vitest` gives its callback an `it` whose
 * `effect`, `scoped`, `prop`, `flakyTest` and `layer` are written onto the one
 * `it` object that `@effect/vitest` exports. When test files share a worker's
 * modules (`isolate: false`, see vitest.config.ts), a file that calls
 * `layer(FetchHttpClient.layer, { excludeTestServices: true })` would leave that
 * `it.effect` behind, and the next file's `it.effect` tests would run on the
 * real clock instead of the TestClock. The methods as they were before any
 * test file ran are stored once per worker and put back before each file.
 */
import { it } from "@effect/vitest"

const methods = ["effect", "scoped", "live", "scopedLive", "prop", "flakyTest", "layer"] as const

/** `it`'s methods as `@effect/vitest` made them. */
export type Pristine = Partial<Record<(typeof methods)[number], unknown>>

const key = Symbol.for("jobstream/test/pristine-it")
const store = globalThis as { [key]?: Pristine }

/** The methods stored by the first file of this worker (before any `layer(...)` ran). */
export const pristine: Pristine = store[key] ??= Object.fromEntries(methods.map((name) => [name, it[name]]))

/** Puts `it`'s methods back as they were before any test file ran. */
export const restoreIt = (): void => {
  Object.assign(it, pristine)
}

restoreIt()
