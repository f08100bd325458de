/**
 * GreenArrow Studio as a `Provider` descriptor (see `Provider` in
 * @jobstream/core): for code that works with every configured provider
 * without naming one.
 *
 * @since 0.2.0
 * @module
 */
import { Provider } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as GreenArrowClient from "./GreenArrowClient.js"
import * as GreenArrowJob from "./GreenArrowJob.js"

const v = GreenArrowClient.variables

/**
 * A client seen through the operations every provider offers (what `open`
 * returns; also for a client built by hand, e.g. in tests).
 *
 * @since 0.2.0
 */
export const handle = (client: GreenArrowClient.Service): Provider.Handle => ({
  provider: GreenArrowJob.provider,
  jobs: client.normalizedJobs(),
  getJob: (id) => Effect.map(client.getJob(id), GreenArrowJob.toJob),
  jobsFrom: (from) => Stream.map(client.jobsFrom(from), (p) => ({ ...p, item: GreenArrowJob.toJob(p.item) }))
})

/**
 * The descriptor.
 *
 * @since 0.2.0
 */
export const provider: Provider.Provider = Provider.make({
  name: GreenArrowJob.provider,
  title: "GreenArrow Studio",
  variables: [
    { name: v.baseUrl, secret: false, description: "Studio base URL, e.g. https://studio.example.com" },
    { name: v.apiKey, secret: true, description: "API key: as Studio shows it (encoded), or a plain key with the organization id" },
    { name: v.organizationId, secret: false, description: "organization id (needed with a plain key)" },
    { name: v.perPage, secret: false, description: "page size, 1..2000 (default 2000)" },
    { name: v.pagination, secret: false, description: "token (default) or pages" },
    { name: v.timeout, secret: false, description: "per-attempt timeout, e.g. 10 seconds" }
  ],
  urls: [{ flag: "url", variable: v.baseUrl, description: "GreenArrow Studio base URL" }],
  requirement: `${v.baseUrl} and ${v.apiKey} (and ${v.organizationId} for a plain key)`,
  missing: (isSet) => [v.baseUrl, v.apiKey].filter((name) => !isSet(name)),
  capabilities: { cancel: false, watch: false },
  open: (overrides) =>
    Provider.openLayer(
      overrides,
      GreenArrowClient.layerConfig(Provider.withOptions(GreenArrowClient.config, overrides)),
      GreenArrowClient.GreenArrowClient,
      handle
    )
})
