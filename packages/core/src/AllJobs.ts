/**
 * One stream of every job from every configured provider.
 *
 * Each provider package exports a `source` (an Effect that needs its client
 * and yields a {@link Source}); `layer` turns the sources you list into the
 * `AllJobs` service, so the result is composed purely from the provider
 * Layers you provide:
 *
 * ```ts
 * const AllJobsLive = AllJobs.layer([InsideView.source, GreenArrow.source, Icws.source]).pipe(
 *   Layer.provide([insideViewLayer, greenArrowLayer, icwsLayer])
 * )
 * ```
 *
 * Providers are read concurrently; jobs of one provider keep that provider's
 * order, jobs of different providers interleave as they arrive. By default
 * the first provider failure fails the whole stream with that provider's
 * typed error (and stops the others); `settled` keeps the others going and
 * reports each failure as a value.
 *
 * @since 0.1.0
 * @module
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Stream from "effect/Stream"
import type * as ApiError from "./ApiError.js"
import type * as Job from "./Job.js"
import * as Watch from "./Watch.js"

/**
 * What a provider contributes: its name and its stream of normalized jobs.
 *
 * @since 0.1.0
 */
export interface Source {
  readonly provider: string
  readonly jobs: Stream.Stream<Job.Job, ApiError.ApiError>
}

/**
 * A provider's source from its client's tag: every job, normalized, with the
 * default query (what each provider package exports as `source`).
 *
 * @since 0.2.0
 */
export const sourceOf = <I, S extends {
  /** Every job the client can list, normalized. */
  readonly normalizedJobs: () => Stream.Stream<Job.Job, ApiError.ApiError>
}>(
  tag: Context.Tag<I, S>,
  provider: string
): Effect.Effect<Source, never, I> => Effect.map(tag, (client) => ({ provider, jobs: client.normalizedJobs() }))

/**
 * Which jobs to stream.
 *
 * @since 0.1.0
 */
export interface Filter {
  /** Only these providers (by name). Default: all sources. */
  readonly providers?: ReadonlyArray<string> | undefined
  /** Only jobs with these normalized statuses. Default: all. */
  readonly statuses?: ReadonlyArray<Job.Status> | undefined
}

/**
 * A provider that failed while the others went on (see `settled`).
 *
 * @since 0.1.0
 */
export interface ProviderFailure {
  readonly _tag: "ProviderFailure"
  readonly provider: string
  readonly error: ApiError.ApiError
}

/**
 * An element of a settled stream.
 *
 * @since 0.1.0
 */
export type Settled =
  | { readonly _tag: "Job"; readonly job: Job.Job }
  | ProviderFailure

/**
 * The service.
 *
 * @since 0.1.0
 */
export interface Service {
  /** The provider names this service merges, in the order given. */
  readonly providers: ReadonlyArray<string>
  /** Every job; the first provider failure fails the stream. */
  readonly jobs: (filter?: Filter) => Stream.Stream<Job.Job, ApiError.ApiError>
  /** Every job, with provider failures as values; the stream itself does not fail. */
  readonly settled: (filter?: Filter) => Stream.Stream<Settled>
  /**
   * The changes of every job of every provider (created, status changed,
   * finished), by polling each provider's listing with adaptive intervals
   * (see `Watch`); never ends on its own. `filter.providers` selects
   * providers; `filter.statuses` keeps the changes whose job has one of
   * those statuses.
   *
   * @since 0.2.0
   */
  readonly watch: (options?: Watch.Options & Filter) => Stream.Stream<Watch.Change, ApiError.ApiError>
}

/**
 * The AllJobs service tag.
 *
 * @since 0.1.0
 */
export class AllJobs extends Context.Tag("@jobstream/core/AllJobs")<AllJobs, Service>() {}

const select = (sources: ReadonlyArray<Source>, filter: Filter): ReadonlyArray<Source> =>
  filter.providers === undefined || filter.providers.length === 0
    ? sources
    : sources.filter((s) => filter.providers!.includes(s.provider))

const byStatus = (filter: Filter) => {
  if (filter.statuses === undefined || filter.statuses.length === 0) return undefined
  const wanted = new Set(filter.statuses)
  return (job: Job.Job) => wanted.has(job.status)
}

/**
 * Builds the service from sources.
 *
 * @since 0.1.0
 */
export const make = (sources: ReadonlyArray<Source>): Service => {
  const jobs = (filter: Filter = {}): Stream.Stream<Job.Job, ApiError.ApiError> => {
    const keep = byStatus(filter)
    const streams = select(sources, filter).map((s) => (keep === undefined ? s.jobs : Stream.filter(s.jobs, keep)))
    return Stream.mergeAll(streams, { concurrency: "unbounded" })
  }

  const settled = (filter: Filter = {}): Stream.Stream<Settled> => {
    const keep = byStatus(filter)
    const streams = select(sources, filter).map((s) =>
      (keep === undefined ? s.jobs : Stream.filter(s.jobs, keep)).pipe(
        Stream.map((job): Settled => ({ _tag: "Job", job })),
        Stream.catchAll((error) =>
          Stream.make<[Settled]>({ _tag: "ProviderFailure", provider: s.provider, error }).pipe(
            Stream.tap(() =>
              Effect.logWarning("provider failed; continuing with the others").pipe(
                Effect.annotateLogs({ provider: s.provider, error: error._tag })
              )
            )
          )
        )
      )
    )
    return Stream.mergeAll(streams, { concurrency: "unbounded" })
  }

  const watch = (options: Watch.Options & Filter = {}): Stream.Stream<Watch.Change, ApiError.ApiError> => {
    const keep = byStatus(options)
    const changes = Watch.sources(select(sources, options), options)
    return keep === undefined ? changes : Stream.filter(changes, (c) => keep(c.job))
  }

  return { providers: sources.map((s) => s.provider), jobs, settled, watch }
}

/**
 * The service from the given source effects (each needs its provider client).
 *
 * @since 0.1.0
 */
export const layer = <const Sources extends ReadonlyArray<Effect.Effect<Source, never, unknown>>>(
  sources: Sources
): Layer.Layer<AllJobs, never, Effect.Effect.Context<Sources[number]>> =>
  Layer.effect(
    AllJobs,
    Effect.map(
      Effect.all(sources as ReadonlyArray<Effect.Effect<Source, never, Effect.Effect.Context<Sources[number]>>>),
      make
    )
  )

/**
 * Every job, from the AllJobs service in context.
 *
 * @since 0.1.0
 */
export const jobs = (filter?: Filter): Stream.Stream<Job.Job, ApiError.ApiError, AllJobs> =>
  Stream.unwrap(Effect.map(AllJobs, (service) => service.jobs(filter)))

/**
 * The changes of every job of every provider, from the AllJobs service in context (see `Service.watch`).
 *
 * @since 0.2.0
 */
export const watch = (options?: Watch.Options & Filter): Stream.Stream<Watch.Change, ApiError.ApiError, AllJobs> =>
  Stream.unwrap(Effect.map(AllJobs, (service) => service.watch(options)))

/**
 * Every job with failures as values, from the AllJobs service in context.
 *
 * @since 0.1.0
 */
export const settled = (filter?: Filter): Stream.Stream<Settled, never, AllJobs> =>
  Stream.unwrap(Effect.map(AllJobs, (service) => service.settled(filter)))
