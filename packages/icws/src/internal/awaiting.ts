/**
 * Waiting for a data-extractor job to end: polling on a schedule, bounded by
 * an overall timeout, and the job's end as a typed outcome (a finished
 * status, or `JobFailed` / `JobCanceled` carrying the server's `errorInfo`).
 */
import { ApiError, ClientOptions } from "@jobstream/core"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as IcwsJob from "../IcwsJob.js"

/** The default bound of `awaitJob` (and of the default polling of `watchJob`): one hour. */
export const defaultAwaitTimeout: Duration.Duration = Duration.hours(1)

/** The default polling schedule of `awaitJob`/`watchJob`: every 2 seconds, for at most an hour. */
export const defaultPollSchedule: Schedule.Schedule<number> = Schedule.spaced("2 seconds").pipe(
  Schedule.upTo(defaultAwaitTimeout)
)

/** How to wait (see `IcwsClient.AwaitOptions`). */
export interface Settings {
  readonly schedule?: Schedule.Schedule<unknown, IcwsJob.JobStatus>
  readonly timeout?: Duration.DurationInput
}

/** The state changes of a job, polled on `schedule`, ending after a terminal state. */
export const watch = <E>(
  poll: Effect.Effect<IcwsJob.JobStatus, E>,
  schedule: Schedule.Schedule<unknown, IcwsJob.JobStatus>
): Stream.Stream<IcwsJob.JobStatus, E> =>
  Stream.repeatEffectWithSchedule(poll, schedule).pipe(
    Stream.changesWith((a, b) => a.state === b.state),
    Stream.takeUntil((status) => IcwsJob.isTerminalState(status.state))
  )

/**
 * Waits for job `id` to end. `options` is a schedule (replacing only the
 * polling) or {@link Settings}; `defaults` gives the polling schedule and the
 * overall bound when the caller gives none; `where` is what errors name.
 */
export const awaitEnd = (
  id: string,
  options: Settings | Schedule.Schedule<unknown, IcwsJob.JobStatus> | undefined,
  defaults: { readonly schedule: Schedule.Schedule<unknown, IcwsJob.JobStatus>; readonly timeout: Duration.Duration },
  where: ApiError.Where,
  poll: Effect.Effect<IcwsJob.JobStatus, ApiError.ApiError>
): Effect.Effect<IcwsJob.JobStatus, ApiError.ApiError> =>
  Effect.gen(function*() {
    const settings: Settings = options === undefined ? {} : Schedule.isSchedule(options) ? { schedule: options } : options
    const checked = ClientOptions.duration(settings.timeout ?? defaults.timeout, ["timeout"])
    if (Either.isLeft(checked)) {
      const problems = ClientOptions.problems(checked.left).map((p) => ({ parameter: "timeout", message: p.message }))
      return yield* ApiError.invalidRequest(IcwsJob.provider, "awaitJob", problems)
    }
    const timeout = checked.right
    const gaveUp = (millis: number) => new ApiError.Timeout({ ...where, timeoutMillis: millis, scope: "deadline" })
    const started = yield* Clock.currentTimeMillis
    const last = yield* Stream.runLast(watch(poll, settings.schedule ?? defaults.schedule)).pipe(
      Effect.timeoutFail({ duration: timeout, onTimeout: () => gaveUp(Duration.toMillis(timeout)) })
    )
    // The schedule ended before the job did.
    if (Option.isNone(last) || last.value.state === undefined || !IcwsJob.isTerminalState(last.value.state)) {
      return yield* gaveUp((yield* Clock.currentTimeMillis) - started)
    }
    const status = last.value
    const ended = {
      ...where,
      jobId: id,
      providerStatus: IcwsJob.stateName(last.value.state),
      ...(status.errorInfo !== undefined ? { providerMessage: status.errorInfo } : {})
    }
    if (status.state === IcwsJob.States.failed) return yield* new ApiError.JobFailed(ended)
    if (status.state === IcwsJob.States.canceled) return yield* new ApiError.JobCanceled(ended)
    return status
  })
