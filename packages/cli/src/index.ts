/**
 * @jobstream/cli — the `jobstream` command (`list`, `get`, `cancel`, `watch`).
 * The executable is `bin.ts`; the command tree is exported for tests and embedding.
 *
 * @since 0.1.0
 * @module @jobstream/cli
 */
export * as Cli from "./Cli.js"
export * as Errors from "./Errors.js"
export * as Format from "./Format.js"
export * as Output from "./Output.js"
export * as Providers from "./Providers.js"
export * as Registry from "./Registry.js"
