/**
 * @jobstream/core — the shared machinery of the jobstream clients.
 *
 * @since 0.1.0
 * @module @jobstream/core
 */
export * as AllJobs from "./AllJobs.js"
export * as ApiError from "./ApiError.js"
export * as ClientOptions from "./ClientOptions.js"
export * as Dates from "./Dates.js"
export * as FastDecode from "./FastDecode.js"
export * as HttpTransport from "./HttpTransport.js"
export * as Job from "./Job.js"
export * as Metrics from "./Metrics.js"
export * as Outcome from "./Outcome.js"
export * as Paginate from "./Paginate.js"
export * as Provider from "./Provider.js"
export * as RateLimit from "./RateLimit.js"
export * as Resume from "./Resume.js"
export * as RetryPolicy from "./RetryPolicy.js"
export * as Session from "./Session.js"
export * as Validation from "./Validation.js"
export * as Watch from "./Watch.js"
export * as XmlCodec from "./XmlCodec.js"
