/**
 * InsideView as a `Provider` descriptor (see `Provider` in @jobstream/core):
 * for code that works with every configured provider without naming one.
 *
 * @since 0.2.0
 * @module
 */
import { Provider, RetryPolicy } from "@jobstream/core"
import * as Config from "effect/Config"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as InsideViewClient from "./InsideViewClient.js"
import * as InsideViewJob from "./InsideViewJob.js"
import * as InsideViewUsage from "./InsideViewUsage.js"

const v = InsideViewClient.variables

/**
 * A client seen through the operations every provider offers (what `open`
 * returns; also for a client built by hand, e.g. in tests).
 *
 * @since 0.2.0
 */
export const handle = (client: InsideViewClient.Service): Provider.Handle => ({
  provider: InsideViewJob.provider,
  jobs: client.normalizedJobs(),
  getJob: (id) => Effect.map(client.getJob(id), InsideViewJob.toJob),
  jobsFrom: (from) => Stream.map(client.jobsFrom(from), (p) => ({ ...p, item: InsideViewJob.toJob(p.item) })),
  usage: (period) => Effect.map(client.usage(period), (usage) => toUsage(usage, period))
})

/**
 * InsideView's usage answer in the shape every provider shares.
 *
 * @since 0.2.0
 */
export const toUsage = (usage: InsideViewUsage.Usage, period: Provider.UsagePeriod): Provider.Usage => {
  let allocated: number | undefined
  let consumed: number | undefined
  for (const row of usage.creditsForAccount) {
    if (row.allocatedCredits !== undefined) allocated = (allocated ?? 0) + row.allocatedCredits
    if (row.consumedCredits !== undefined) consumed = (consumed ?? 0) + row.consumedCredits
  }
  return {
    provider: InsideViewJob.provider,
    account: usage.accountId,
    period,
    transactions: usage.usageForAccount.map((row) => ({ api: row.api ?? "(unnamed)", date: row.date, count: row.transactions ?? 0 })),
    credits: allocated === undefined && consumed === undefined
      ? undefined
      : { allocated, consumed, remaining: InsideViewUsage.remainingCredits(usage) },
    raw: usage
  }
}

/**
 * The descriptor.
 *
 * @since 0.2.0
 */
export const provider: Provider.Provider = Provider.make({
  name: InsideViewJob.provider,
  title: "InsideView",
  variables: [
    { name: v.accessToken, secret: true, description: "a fixed access token (instead of client credentials)" },
    { name: v.clientId, secret: false, description: "client id, exchanged with the secret for a token" },
    { name: v.clientSecret, secret: true, description: "client secret" },
    { name: v.baseUrl, secret: false, description: "API base URL (default https://api.insideview.com)" },
    { name: v.authBaseUrl, secret: false, description: "login base URL (default https://login.insideview.com)" },
    { name: v.tokenUrl, secret: false, description: "full token URL (wins over the login base URL)" },
    { name: v.format, secret: false, description: "json (default) or xml" }
  ],
  urls: [
    { flag: "url", variable: v.baseUrl, description: "InsideView API base URL, e.g. https://api.insideview.com" },
    { flag: "auth-url", variable: v.authBaseUrl, description: "InsideView login base URL" }
  ],
  requirement: `${v.accessToken}, or ${v.clientId} and ${v.clientSecret}`,
  missing: (isSet) => {
    if (isSet(v.accessToken)) return []
    const id = isSet(v.clientId)
    const secret = isSet(v.clientSecret)
    if (id && secret) return []
    if (id) return [v.clientSecret]
    if (secret) return [v.clientId]
    return [`${v.accessToken} (or ${v.clientId} and ${v.clientSecret})`]
  },
  capabilities: { cancel: false, watch: false, usage: true },
  rateLimit: InsideViewClient.rateLimitDefaults,
  open: (overrides) =>
    Effect.flatMap(Provider.limiterFor(InsideViewClient.rateLimitDefaults, overrides), (rateLimit) =>
      Provider.openLayer(
        overrides,
        InsideViewClient.layerConfig(
          Config.map(
            // InsideView locks the whole account on a 429 without Retry-After: a retry count keeps failing fast on it.
            Provider.withOptions(InsideViewClient.config, overrides, (maxRetries) =>
              RetryPolicy.make({ maxRetries, rateLimitFallback: "fail" })),
            (options) => ({ ...options, rateLimit })
          )
        ),
        InsideViewClient.InsideViewClient,
        handle
      ))
})
