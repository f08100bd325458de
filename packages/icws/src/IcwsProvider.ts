/**
 * ICWS as a `Provider` descriptor (see `Provider` in @jobstream/core): for
 * code that works with every configured provider without naming one. The
 * session opened by `open` is logged out when its scope closes.
 *
 * @since 0.2.0
 * @module
 */
import { Provider } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as IcwsClient from "./IcwsClient.js"
import * as IcwsJob from "./IcwsJob.js"
import * as IcwsSession from "./IcwsSession.js"

const v = IcwsSession.variables

const isRecord = Schema.is(IcwsJob.JobRecord)

/**
 * A client seen through the operations every provider offers (what `open`
 * returns; also for a client built by hand, e.g. in tests).
 *
 * @since 0.2.0
 */
export const handle = (client: IcwsClient.Service): Provider.Handle => ({
  provider: IcwsJob.provider,
  jobs: client.normalizedJobs(),
  getJob: (id) => Effect.map(client.getJob(id), IcwsJob.toJob),
  jobsFrom: (from) => Stream.map(client.jobsFrom(from), (p) => ({ ...p, item: IcwsJob.toJob(p.item) })),
  cancelJob: client.cancelJob,
  watchJob: (id, schedule) => Stream.map(client.watchJob(id, schedule), (jobStatus) => IcwsJob.toJob({ jobStatus }))
})

/**
 * The descriptor.
 *
 * @since 0.2.0
 */
export const provider: Provider.Provider = Provider.make({
  name: IcwsJob.provider,
  title: "ICWS",
  variables: [
    { name: v.baseUrl, secret: false, description: "server base URL, e.g. http://cic1:8018" },
    { name: v.user, secret: false, description: "IC user ID" },
    { name: v.password, secret: true, description: "IC password" },
    { name: v.applicationName, secret: false, description: "applicationName of the connection (default jobstream)" },
    { name: v.language, secret: false, description: "Accept-Language of the session (default en-us)" },
    { name: v.logoutTimeout, secret: false, description: "bound on the logout when the session closes (default 10 seconds)" }
  ],
  urls: [{ flag: "url", variable: v.baseUrl, description: "ICWS server base URL, e.g. http://cic1:8018" }],
  requirement: `${v.baseUrl}, ${v.user} and ${v.password}`,
  missing: (isSet) => [v.baseUrl, v.user, v.password].filter((name) => !isSet(name)),
  capabilities: { cancel: true, watch: true },
  // A failed job says why in its errorInfo.
  detail: (job) => (isRecord(job.raw) ? job.raw.jobStatus?.errorInfo : undefined),
  open: (overrides) =>
    Provider.openLayer(
      overrides,
      IcwsClient.layerConfig(Provider.withOptions(IcwsClient.config, overrides)),
      IcwsClient.IcwsClient,
      handle
    )
})
