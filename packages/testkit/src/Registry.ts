/**
 * Every provider's descriptor paired with its simulator: the list the
 * generic test suites, the demo and the CLI tests iterate over. A provider
 * registered here is covered by the shared fault matrix, chaos, secret,
 * pagination and security suites with no other change.
 *
 * @since 0.2.0
 * @module
 */
import * as GreenArrowHarness from "./GreenArrowHarness.js"
import type * as Harness from "./Harness.js"
import * as IcwsHarness from "./IcwsHarness.js"
import * as InsideViewHarness from "./InsideViewHarness.js"

/**
 * The entries, in the order listings and tables show them.
 *
 * @since 0.2.0
 */
export const providers: ReadonlyArray<Harness.Entry> = [
  InsideViewHarness.entry,
  GreenArrowHarness.entry,
  IcwsHarness.entry
]

/**
 * The entry of a provider, by name; throws when none is registered (a test
 * naming a provider it cannot run is a bug in the test).
 *
 * @since 0.2.0
 */
export const get = (name: string): Harness.Entry => {
  const entry = providers.find((e) => e.provider.name === name)
  if (entry === undefined) throw new Error(`no simulator is registered for the provider ${JSON.stringify(name)}`)
  return entry
}
