/**
 * The providers the CLI knows: one descriptor per provider package. Adding a
 * provider to the CLI is adding its descriptor here; every flag, message and
 * command is derived from the list.
 *
 * @since 0.2.0
 * @module
 */
import type { Provider } from "@jobstream/core"
import { GreenArrowProvider } from "@jobstream/greenarrow"
import { IcwsProvider } from "@jobstream/icws"
import { InsideViewProvider } from "@jobstream/insideview"

/**
 * The descriptors, in the order help texts and summaries list them.
 *
 * @since 0.2.0
 */
export const providers: ReadonlyArray<Provider.Provider> = [
  InsideViewProvider.provider,
  GreenArrowProvider.provider,
  IcwsProvider.provider
]

/**
 * Their names.
 *
 * @since 0.2.0
 */
export const names: ReadonlyArray<string> = providers.map((p) => p.name)
