/**
 * @jobstream/insideview — InsideView Bulk Jobs List client.
 *
 * @since 0.1.0
 */
export * as BulkJob from "./BulkJob.js"
export * as InsideViewClient from "./InsideViewClient.js"
export * as JobsQuery from "./JobsQuery.js"
export * as InsideViewProvider from "./InsideViewProvider.js"
