/**
 * @jobstream/insideview — InsideView Bulk Jobs List client.
 *
 * @since 0.1.0
 * @module @jobstream/insideview
 */
export * as InsideViewClient from "./InsideViewClient.js"
export * as InsideViewJob from "./InsideViewJob.js"
export * as InsideViewProvider from "./InsideViewProvider.js"
export * as InsideViewQuery from "./InsideViewQuery.js"
export * as InsideViewUsage from "./InsideViewUsage.js"

/**
 * The old name of {@link InsideViewJob}.
 *
 * @deprecated renamed to `InsideViewJob` in 0.2.
 * @since 0.1.0
 */
export * as BulkJob from "./InsideViewJob.js"

/**
 * The old name of {@link InsideViewQuery}.
 *
 * @deprecated renamed to `InsideViewQuery` in 0.2.
 * @since 0.1.0
 */
export * as JobsQuery from "./InsideViewQuery.js"
