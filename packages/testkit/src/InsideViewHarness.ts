/**
 * InsideView's descriptor paired with its simulator (see `Harness`), and a
 * typed client of the simulator for InsideView's own tests.
 *
 * @since 0.2.0
 * @module
 */
import { RetryPolicy } from "@jobstream/core"
import { InsideViewClient, InsideViewProvider } from "@jobstream/insideview"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Harness from "./Harness.js"
import * as InsideViewSimulator from "./InsideViewSimulator.js"
import type * as Server from "./Server.js"
import * as SimulatorEnv from "./SimulatorEnv.js"

/** A client secret and a token the simulator refuses (`Knobs.wrongCredentials`). */
const wrong = { clientSecret: "wrong-client-secret-9876", token: "wrong-fixed-token-5432" } as const

const variants: ReadonlyArray<Harness.Variant> = [
  // Client credentials: a 401 logs in again (maxRelogins, 2 by default).
  { name: "credentials", format: "json", relogins: 2 },
  { name: "token", format: "json", relogins: 0 },
  { name: "xml", format: "xml", relogins: 0 }
]

const defaultPageSize = 50

/**
 * The login requests.
 *
 * @since 0.2.0
 */
export const isLogin = (r: Server.SimRequest): boolean => r.path.startsWith("/Auth/login/")

/**
 * The list requests.
 *
 * @since 0.2.0
 */
export const isList = (r: Server.SimRequest): boolean => r.path === "/api/v1/admin/jobs"

/**
 * A typed client of a simulator at `url`, configured by the knobs ("token"
 * and "xml" variants use the fixed token; "credentials" logs in).
 *
 * @since 0.2.0
 */
export const client = (url: string, knobs: Harness.Knobs = {}) => {
  const variant = variants.find((v) => v.name === (knobs.variant ?? "credentials")) ?? variants[0]!
  const auth = variant.name === "credentials"
    ? InsideViewClient.Auth.credentials(
      SimulatorEnv.defaults.insideViewClientId,
      Redacted.make(knobs.wrongCredentials === true ? wrong.clientSecret : SimulatorEnv.defaults.insideViewClientSecret)
    )
    : InsideViewClient.Auth.token(
      Redacted.make(knobs.wrongCredentials === true ? wrong.token : SimulatorEnv.defaults.insideViewToken)
    )
  return InsideViewClient.make({
    baseUrl: url,
    authBaseUrl: url,
    auth,
    format: variant.format,
    retryPolicy: knobs.retryPolicy ?? RetryPolicy.none,
    timeout: knobs.timeout ?? "10 seconds",
    pageSize: knobs.pageSize ?? defaultPageSize,
    concurrency: knobs.concurrency ?? 4,
    maxBodyBytes: knobs.maxBodyBytes
  }).pipe(Effect.orDie) // the knobs are valid: a ConfigError would be a bug in the test
}

const calls: ReadonlyArray<Harness.Call> = [
  {
    label: "insideview login (POST, clientSecret in the form body)",
    method: "POST",
    match: isLogin,
    list: false,
    surfaces: true,
    variant: "credentials"
  },
  { label: "insideview list (GET, fixed accessToken header)", method: "GET", match: isList, list: true, surfaces: true, variant: "token" },
  {
    label: "insideview list (GET, accessToken from a login)",
    method: "GET",
    match: isList,
    list: true,
    surfaces: true,
    variant: "credentials"
  }
]

const connect = (url: string, knobs?: Harness.Knobs) =>
  Effect.map(client(url, knobs), (c): Harness.Client => ({
    ...InsideViewProvider.handle(c),
    // Every call is one page of the list (after a login, for the credentials variant).
    send: () => c.listJobs()
  }))

/**
 * The entry.
 *
 * @since 0.2.0
 */
export const entry: Harness.Entry = {
  provider: InsideViewProvider.provider,
  start: (options) =>
    Effect.map(
      InsideViewSimulator.makeInsideView(Harness.simulatorOptions(entry, options)),
      (server): Harness.Running => ({
        entry,
        server,
        env: SimulatorEnv.forSimulators({ insideView: server, insideViewAuth: "credentials" }),
        expectedIds: () => server.jobs.map((j) => j.jobId),
        lifecycle: {
          path: ["accepted", "processing", "finished"],
          set: (id, status) => {
            if (!server.setJobStatus(id, status)) throw new Error(`no InsideView job ${id}`)
          }
        },
        client: (knobs) => connect(knobs?.baseUrl ?? server.url, knobs),
        secrets: () => [
          SimulatorEnv.defaults.insideViewClientSecret,
          SimulatorEnv.defaults.insideViewToken,
          wrong.clientSecret,
          wrong.token,
          ...server.issuedTokens
        ]
      })
    ),
  connect,
  isList,
  isSession: isLogin,
  defaultJobs: 200,
  volume: 16_788,
  defaultPageSize,
  maxPageSize: 50,
  sessions: false,
  pagination: "numbered",
  variants,
  calls,
  page: (ids) =>
    JSON.stringify({
      bulkJobs: ids.map((jobId) => ({ jobId, jobType: "companyDetails", jobStatus: "finished" })),
      page: "1",
      resultsPerPage: String(defaultPageSize),
      totalResults: String(ids.length)
    })
}
