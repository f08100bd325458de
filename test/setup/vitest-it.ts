/**
 * Runs before every test file (vitest `setupFiles`).
 *
 * `layer(...)` from `@effect/vitest` gives its callback an `it` whose
 * `effect`, `scoped`, `prop`, `flakyTest` and `layer` are written onto the one
 * `it` object that `@effect/vitest` exports. When test files share a worker's
 * modules (`isolate: false`, which the fast project uses so that effect and the
 * sources load once per worker rather than once per file), a file that calls
 * `layer(FetchHttpClient.layer, { excludeTestServices: true })` would leave that
 * `it.effect` behind, and the next file's `it.effect` tests would run on the
 * real clock instead of the TestClock. This file stores the methods as they are
 * before any test file ran, and puts them back before each file.
 */
import { it } from "@effect/vitest"

const methods = ["effect", "scoped", "live", "scopedLive", "prop", "flakyTest", "layer"] as const
type Saved = Partial<Record<(typeof methods)[number], unknown>>

const key = Symbol.for("jobstream/test/pristine-it")
const store = globalThis as { [key]?: Saved }
const pristine: Saved = store[key] ??= Object.fromEntries(methods.map((name) => [name, it[name]]))
Object.assign(it, pristine)
