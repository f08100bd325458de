/**
 * @jobstream/greenarrow — a streaming, retrying client for the GreenArrow
 * Studio v2 Jobs API.
 *
 * @since 0.1.0
 * @module @jobstream/greenarrow
 */
export * as GreenArrowClient from "./GreenArrowClient.js"
export * as GreenArrowJob from "./GreenArrowJob.js"
export * as GreenArrowProvider from "./GreenArrowProvider.js"
export * as GreenArrowQuery from "./GreenArrowQuery.js"
