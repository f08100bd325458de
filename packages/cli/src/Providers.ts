/**
 * Which providers are configured, and their client Layers.
 *
 * A provider is configured from its environment variables (read through
 * Effect's `ConfigProvider`, so the process environment by default); flags may
 * replace the base URLs. Secrets are read from the environment only: a
 * secret in a flag would be visible to every user of the machine in `ps` and
 * would stay in the shell history.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { type AllJobs, type ApiError, type Job, RetryPolicy } from "@jobstream/core"
import { GreenArrowClient, GreenArrowJob } from "@jobstream/greenarrow"
import { IcwsClient, IcwsSession } from "@jobstream/icws"
import { BulkJob, InsideViewClient } from "@jobstream/insideview"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Scope from "effect/Scope"
import { UsageError } from "./Errors.js"

/** The providers the CLI knows. */
export const names = ["insideview", "greenarrow", "icws"] as const
export type Name = (typeof names)[number]

/** Settings that come from flags rather than the environment. */
export interface Settings {
  readonly insideviewUrl?: string | undefined
  readonly insideviewAuthUrl?: string | undefined
  readonly greenarrowUrl?: string | undefined
  readonly icwsUrl?: string | undefined
  /** Retries of transient failures; undefined keeps each client's default policy. */
  readonly retries?: number | undefined
}

/** Every variable a provider reads (for "is it mentioned at all"), as the clients export them. */
export const variables: Readonly<Record<Name, ReadonlyArray<string>>> = {
  insideview: Object.values(InsideViewClient.variables),
  greenarrow: Object.values(GreenArrowClient.variables),
  icws: Object.values(IcwsSession.variables)
}

/** The variables holding secrets (never printed; masked in any message as a last resort). */
export const secretVariables: ReadonlyArray<string> = [
  "INSIDEVIEW_ACCESS_TOKEN",
  "INSIDEVIEW_CLIENT_SECRET",
  "GREENARROW_API_KEY",
  "ICWS_PASSWORD"
]

/** What is required, in words, for the "not configured" message. */
export const requirement: Readonly<Record<Name, string>> = {
  insideview: "INSIDEVIEW_ACCESS_TOKEN, or INSIDEVIEW_CLIENT_ID and INSIDEVIEW_CLIENT_SECRET",
  greenarrow: "GREENARROW_BASE_URL and GREENARROW_API_KEY (and GREENARROW_ORGANIZATION_ID for a plain key)",
  icws: "ICWS_BASE_URL, ICWS_USER and ICWS_PASSWORD"
}

/**
 * Whether a variable is set at all. An empty or blank value counts as set: the
 * client's `layerConfig` then reports it precisely ("INSIDEVIEW_ACCESS_TOKEN:
 * must not be empty") instead of calling it missing.
 */
const present = (name: string): Effect.Effect<boolean> =>
  Config.option(Config.string(name)).pipe(
    Effect.map(Option.isSome),
    Effect.orElseSucceed(() => false)
  )

/** Whether a provider is mentioned at all, and which required variables are missing. */
export interface Status {
  readonly name: Name
  readonly mentioned: boolean
  readonly missing: ReadonlyArray<string>
}

/** Inspects the configuration of one provider. */
export const status = (name: Name, settings: Settings): Effect.Effect<Status> =>
  Effect.gen(function*() {
    const has: Record<string, boolean> = {}
    for (const v of variables[name]) has[v] = yield* present(v)
    const flagUrl = name === "insideview"
      ? settings.insideviewUrl
      : name === "greenarrow"
      ? settings.greenarrowUrl
      : settings.icwsUrl
    const mentioned = flagUrl !== undefined || Object.values(has).some((b) => b)
    const missing: Array<string> = []
    switch (name) {
      case "insideview": {
        if (has.INSIDEVIEW_ACCESS_TOKEN) break
        if (has.INSIDEVIEW_CLIENT_ID && !has.INSIDEVIEW_CLIENT_SECRET) missing.push("INSIDEVIEW_CLIENT_SECRET")
        else if (!has.INSIDEVIEW_CLIENT_ID && has.INSIDEVIEW_CLIENT_SECRET) missing.push("INSIDEVIEW_CLIENT_ID")
        else if (!has.INSIDEVIEW_CLIENT_ID) missing.push("INSIDEVIEW_ACCESS_TOKEN (or INSIDEVIEW_CLIENT_ID and INSIDEVIEW_CLIENT_SECRET)")
        break
      }
      case "greenarrow": {
        if (flagUrl === undefined && !has.GREENARROW_BASE_URL) missing.push("GREENARROW_BASE_URL (or --greenarrow-url)")
        if (!has.GREENARROW_API_KEY) missing.push("GREENARROW_API_KEY")
        break
      }
      case "icws": {
        if (flagUrl === undefined && !has.ICWS_BASE_URL) missing.push("ICWS_BASE_URL (or --icws-url)")
        if (!has.ICWS_USER) missing.push("ICWS_USER")
        if (!has.ICWS_PASSWORD) missing.push("ICWS_PASSWORD")
        break
      }
    }
    return { name, mentioned, missing }
  })

const notConfigured = (s: Status) =>
  new UsageError({ message: `${s.name} is not configured: missing ${s.missing.join(", ")}` })

/**
 * The providers to use. Asked-for providers must be fully configured. With
 * none asked for: every mentioned provider (a half-configured one is an
 * error rather than silently skipped); none at all is an error too.
 */
export const select = (
  asked: ReadonlyArray<Name>,
  settings: Settings
): Effect.Effect<ReadonlyArray<Name>, UsageError> =>
  Effect.gen(function*() {
    const wanted = asked.length > 0 ? names.filter((n) => asked.includes(n)) : names
    const statuses = yield* Effect.forEach(wanted, (n) => status(n, settings))
    for (const s of statuses) {
      if (s.missing.length > 0 && (asked.length > 0 || s.mentioned)) return yield* notConfigured(s)
    }
    const ready = statuses.filter((s) => s.missing.length === 0).map((s) => s.name)
    if (ready.length === 0) {
      return yield* new UsageError({
        message: `no provider is configured: set ${names.map((n) => requirement[n]).join("; or ")}`
      })
    }
    return ready
  })

/** Checks one provider is configured (for get/cancel/watch). */
export const requireConfigured = (name: Name, settings: Settings): Effect.Effect<void, UsageError> =>
  Effect.flatMap(status(name, settings), (s) => (s.missing.length > 0 ? notConfigured(s) : Effect.void))

const policy = (settings: Settings, extra: RetryPolicy.Options = {}) =>
  settings.retries === undefined ? {} : { retryPolicy: RetryPolicy.make({ maxRetries: settings.retries, ...extra }) }

/** The InsideView client from the environment and flags. */
export const insideView = (settings: Settings): Layer.Layer<InsideViewClient.InsideViewClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  InsideViewClient.layerConfig({
    ...(settings.insideviewUrl !== undefined ? { baseUrl: settings.insideviewUrl } : {}),
    ...(settings.insideviewAuthUrl !== undefined ? { authBaseUrl: settings.insideviewAuthUrl } : {}),
    // InsideView locks the whole account on a 429 (no Retry-After): keep failing fast on it.
    ...policy(settings, { rateLimitFallback: "fail" })
  })

/** The GreenArrow client from the environment and flags. */
export const greenArrow = (settings: Settings): Layer.Layer<GreenArrowClient.GreenArrowClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  GreenArrowClient.layerConfig({
    ...(settings.greenarrowUrl !== undefined ? { baseUrl: settings.greenarrowUrl } : {}),
    ...policy(settings)
  })

/** The ICWS client (and its session, logged out when the layer is released). */
export const icws = (settings: Settings): Layer.Layer<IcwsClient.IcwsClient, ConfigError.ConfigError, HttpClient.HttpClient> =>
  IcwsClient.layerConfig({
    ...(settings.icwsUrl !== undefined ? { baseUrl: settings.icwsUrl } : {}),
    ...policy(settings)
  })

const within = <I, A, E, R>(
  layer: Layer.Layer<I, ConfigError.ConfigError, HttpClient.HttpClient>,
  use: Effect.Effect<A, E, I | R>
): Effect.Effect<A, E | ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope | Exclude<R, I>> =>
  Effect.flatMap(Layer.build(layer), (context) => Effect.provide(use, context))

/**
 * A provider's `AllJobs` source; its client lives as long as the scope (so
 * an ICWS session is logged out when the command ends).
 */
export const source = (
  name: Name,
  settings: Settings
): Effect.Effect<AllJobs.Source, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> => {
  switch (name) {
    case "insideview":
      return within(insideView(settings), InsideViewClient.source)
    case "greenarrow":
      return within(greenArrow(settings), GreenArrowClient.source)
    case "icws":
      return within(icws(settings), IcwsClient.source)
  }
}

/** One job by id, normalized. */
export const getJob = (
  name: Name,
  id: string,
  settings: Settings
): Effect.Effect<Job.Job, ApiError.ApiError | ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> => {
  switch (name) {
    case "insideview":
      return within(
        insideView(settings),
        Effect.flatMap(InsideViewClient.InsideViewClient, (c) => Effect.map(c.getJob(id), BulkJob.toJob))
      )
    case "greenarrow":
      return within(
        greenArrow(settings),
        Effect.flatMap(GreenArrowClient.GreenArrowClient, (c) => Effect.map(c.getJob(id), GreenArrowJob.toJob))
      )
    case "icws":
      return within(icws(settings), Effect.flatMap(IcwsClient.IcwsClient, (c) => Effect.map(c.getJob(id), IcwsClient.toJob)))
  }
}

/** The ICWS client service, alive for the scope. */
export const icwsClient = (
  settings: Settings
): Effect.Effect<IcwsClient.Service, ConfigError.ConfigError, HttpClient.HttpClient | Scope.Scope> =>
  within(icws(settings), IcwsClient.IcwsClient)
