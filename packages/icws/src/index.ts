/**
 * @jobstream/icws — ICWS (PureConnect / CIC) data-extractor jobs over a managed session.
 *
 * @since 0.1.0
 * @module @jobstream/icws
 */
export * as IcwsClient from "./IcwsClient.js"
export * as IcwsJob from "./IcwsJob.js"
export * as IcwsProvider from "./IcwsProvider.js"
export * as IcwsQuery from "./IcwsQuery.js"
export * as IcwsSession from "./IcwsSession.js"
