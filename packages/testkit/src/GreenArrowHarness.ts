/**
 * GreenArrow Studio's descriptor paired with its simulator (see `Harness`),
 * and a typed client of the simulator for GreenArrow's own tests.
 *
 * @since 0.2.0
 * @module
 */
import { RetryPolicy } from "@jobstream/core"
import { GreenArrowClient, GreenArrowProvider } from "@jobstream/greenarrow"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as GreenArrowSimulator from "./GreenArrowSimulator.js"
import * as Harness from "./Harness.js"
import type * as Server from "./Server.js"
import * as SimulatorEnv from "./SimulatorEnv.js"

/**
 * The key clients use: the system administrator's, which sees every
 * organization's jobs (so the listing is the whole dataset).
 *
 * @since 0.2.0
 */
export const key = GreenArrowSimulator.defaultKeys[2]!

/** A key the simulator refuses (`Knobs.wrongCredentials`). */
const wrongKey = "0000wrong-api-key-ffff"

const defaultPageSize = 100

/**
 * The list requests (every API request is one).
 *
 * @since 0.2.0
 */
export const isList = (r: Server.SimRequest): boolean => r.path.startsWith("/ga/api/v2/")

/**
 * A typed client of a simulator at `url`, configured by the knobs.
 *
 * @since 0.2.0
 */
export const client = (url: string, knobs: Harness.Knobs = {}) =>
  GreenArrowClient.make({
    baseUrl: url,
    auth: {
      _tag: "Key",
      organizationId: key.organizationId,
      apiKey: Redacted.make(knobs.wrongCredentials === true ? wrongKey : key.apiKey)
    },
    retryPolicy: knobs.retryPolicy ?? RetryPolicy.none,
    timeout: knobs.timeout ?? "10 seconds",
    pageSize: knobs.pageSize ?? defaultPageSize,
    maxBodyBytes: knobs.maxBodyBytes
  }).pipe(Effect.orDie) // the knobs are valid: a ConfigError would be a bug in the test

/** A key in the forms it goes over the wire: itself, `<org>:<key>` and that in base64. */
const forms = (organizationId: number, apiKey: string) => [
  apiKey,
  `${organizationId}:${apiKey}`,
  Buffer.from(`${organizationId}:${apiKey}`).toString("base64")
]

const connect = (url: string, knobs?: Harness.Knobs) =>
  Effect.map(client(url, knobs), (c): Harness.Client => ({
    ...GreenArrowProvider.handle(c),
    send: () => c.page(undefined, { _tag: "First" })
  }))

/**
 * The entry.
 *
 * @since 0.2.0
 */
export const entry: Harness.Entry = {
  provider: GreenArrowProvider.provider,
  start: (options) =>
    Effect.map(
      GreenArrowSimulator.makeGreenArrow(Harness.simulatorOptions(entry, options)),
      (server): Harness.Running => ({
        entry,
        server,
        env: SimulatorEnv.forSimulators({ greenArrow: server, greenArrowKey: key }),
        expectedIds: () => server.jobs.map((j) => String(j.id)),
        lifecycle: {
          path: ["scheduled", "importing", "finished"],
          set: (id, state) => {
            const job = server.jobs.find((j) => String(j.id) === id)
            if (job === undefined) throw new Error(`no GreenArrow job ${id}`)
            server.upsertJobs([{ ...job, state, paused: false, state2: null }])
          }
        },
        client: (knobs) => connect(knobs?.baseUrl ?? server.url, knobs),
        secrets: () => [
          ...GreenArrowSimulator.defaultKeys.flatMap((k) => forms(k.organizationId, k.apiKey)),
          ...forms(key.organizationId, wrongKey)
        ]
      })
    ),
  connect,
  isList,
  isSession: () => false,
  defaultJobs: 200,
  volume: 3_000,
  defaultPageSize,
  maxPageSize: 2000,
  sessions: false,
  pagination: "cursor",
  variants: [{ name: "key", format: "json", relogins: 0 }],
  calls: [{ label: "greenarrow list (GET, Basic authorization)", method: "GET", match: isList, list: true, surfaces: true }],
  page: (ids) =>
    JSON.stringify({
      success: true,
      error_code: null,
      error_message: null,
      per_page: defaultPageSize,
      num_records: ids.length,
      num_pages: 1,
      next_page_token: null,
      data: ids.map((id) => ({ id: Number(id), state: "finished" }))
    })
}
