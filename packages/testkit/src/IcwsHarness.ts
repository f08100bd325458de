/**
 * ICWS's descriptor paired with its simulator (see `Harness`), and a typed
 * client of the simulator for ICWS's own tests.
 *
 * @since 0.2.0
 * @module
 */
import { RetryPolicy } from "@jobstream/core"
import { IcwsClient, IcwsProvider } from "@jobstream/icws"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Harness from "./Harness.js"
import * as IcwsSimulator from "./IcwsSimulator.js"
import type * as Server from "./Server.js"
import * as SimulatorEnv from "./SimulatorEnv.js"

/** A password the simulator refuses (`Knobs.wrongCredentials`). */
const wrongPassword = "wr0ng-pa55word-xyz"

const defaultPageSize = 10

/**
 * The list requests.
 *
 * @since 0.2.0
 */
export const isList = (r: Server.SimRequest): boolean => r.method === "GET" && r.path.endsWith("/data-extractor/jobs")

/**
 * The login (`POST /icws/connection`) and logout (`DELETE /icws/{sessionId}/connection`).
 *
 * @since 0.2.0
 */
export const isSession = (r: Server.SimRequest): boolean => r.path.endsWith("/connection")

/**
 * The login.
 *
 * @since 0.2.0
 */
export const isConnect = (r: Server.SimRequest): boolean => r.method === "POST" && r.path.endsWith("/icws/connection")

/**
 * The logout.
 *
 * @since 0.2.0
 */
export const isLogout = (r: Server.SimRequest): boolean => r.method === "DELETE" && /\/icws\/[^/]+\/connection$/.test(r.path)

const isSubmit = (r: Server.SimRequest) => r.method === "POST" && r.path.endsWith("/data-extractor/jobs")
const isCancel = (r: Server.SimRequest) => r.method === "DELETE" && r.path.includes("/data-extractor/jobs/")

/**
 * A typed client of a simulator at `url` (its session logged out when the
 * scope closes), configured by the knobs.
 *
 * @since 0.2.0
 */
export const client = (url: string, knobs: Harness.Knobs = {}) =>
  IcwsClient.make({
    baseUrl: url,
    user: SimulatorEnv.defaults.icwsUser,
    password: Redacted.make(knobs.wrongCredentials === true ? wrongPassword : SimulatorEnv.defaults.icwsPassword),
    retryPolicy: knobs.retryPolicy ?? RetryPolicy.none,
    timeout: knobs.timeout ?? "10 seconds",
    pageSize: knobs.pageSize ?? defaultPageSize,
    maxBodyBytes: knobs.maxBodyBytes
  }).pipe(Effect.orDie) // the knobs are valid: a ConfigError would be a bug in the test

/**
 * Every secret of the sessions a simulator opened so far: the password, the
 * session ids, CSRF tokens and cookie values.
 *
 * @since 0.2.0
 */
export const secrets = (server: IcwsSimulator.IcwsServer): ReadonlyArray<string> => [
  SimulatorEnv.defaults.icwsPassword,
  wrongPassword,
  ...server.createdSessions.flatMap((s) => [s.sessionId, s.csrfToken, ...s.cookies.values()])
]

const calls = {
  connect: { label: "icws connect (POST, password in the body)", method: "POST", match: isConnect, list: false, surfaces: true },
  list: {
    label: "icws list (GET, session id in the path, CSRF and cookies in headers)",
    method: "GET",
    match: isList,
    list: true,
    surfaces: true
  },
  submit: { label: "icws submit (POST in the session)", method: "POST", match: isSubmit, list: false, surfaces: true },
  cancel: { label: "icws cancel (DELETE in the session)", method: "DELETE", match: isCancel, list: false, surfaces: true },
  logout: { label: "icws logout (DELETE when the scope closes)", method: "DELETE", match: isLogout, list: false, surfaces: false }
} as const satisfies Record<string, Harness.Call>

/** A client; `cancelable` is the job the cancel call cancels. */
const connectTo = (url: string, knobs: Harness.Knobs | undefined, cancelable: () => string) =>
  Effect.map(client(url, knobs), (c): Harness.Client => ({
    ...IcwsProvider.handle(c),
    send: (call) => {
      switch (call.label) {
        case calls.connect.label:
          // The login comes first; the call after it does not matter.
          return c.getJob("job-x")
        case calls.submit.label:
          return c.submitJob({ name: "audit", submittedUserId: SimulatorEnv.defaults.icwsUser })
        case calls.cancel.label:
          return c.cancelJob(cancelable())
        case calls.logout.label:
          // The logout follows when the client's scope closes.
          return Stream.runDrain(Stream.take(c.jobs(), 2))
        default:
          return Stream.runDrain(Stream.take(c.jobs(), 3))
      }
    }
  }))

/**
 * The entry.
 *
 * @since 0.2.0
 */
export const entry: Harness.Entry = {
  provider: IcwsProvider.provider,
  start: (options) =>
    Effect.map(
      IcwsSimulator.makeIcws(Harness.simulatorOptions(entry, options)),
      (server): Harness.Running => ({
        entry,
        server,
        env: SimulatorEnv.forSimulators({ icws: server }),
        expectedIds: () => [...server.jobs].reverse().map((j) => j.status.id),
        lifecycle: {
          path: ["submitted", "queued", "started", "finished"],
          set: (id, state) => {
            if (!(state in IcwsSimulator.State) || !server.setJobState(id, state as keyof typeof IcwsSimulator.State)) {
              throw new Error(`no ICWS job ${id} or state ${state}`)
            }
          }
        },
        client: (knobs) => connectTo(knobs?.baseUrl ?? server.url, knobs, () => server.jobs[0]?.status.id ?? "job-x"),
        secrets: () => secrets(server),
        sessions: () => ({ opened: server.createdSessions.map((s) => s.sessionId), closed: server.deletedSessions })
      })
    ),
  connect: (url, knobs) => connectTo(url, knobs, () => "job-x"),
  isList,
  isSession,
  defaultJobs: 60,
  volume: 300,
  defaultPageSize,
  maxPageSize: 10_000,
  sessions: true,
  pagination: "cursor",
  variants: [{ name: "password", format: "json", relogins: 2 }],
  calls: Object.values(calls),
  page: (ids) =>
    JSON.stringify({
      jobList: ids.map((id) => ({
        jobStatus: { name: `job ${id}`, submittedUserId: "agent", id, submittedUserSiteId: 1, state: 5 }
      }))
    })
}
