/**
 * `Effect.retry` without its cost on the happy path: the schedule's driver
 * (state cells and all) is made only once an attempt has failed. From there
 * on it is the same loop as `Effect.retry`'s: the driver is fed each error
 * and either waits and tries again or gives up with that error. The delays
 * are the same, since a schedule starts its clock on its first step (the
 * first failure) either way.
 *
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"

export const retryLazily = <A, E, R, Out, R1>(
  self: Effect.Effect<A, E, R>,
  schedule: Schedule.Schedule<Out, E, R1>
): Effect.Effect<A, E, R | R1> =>
  Effect.catchAll(self, (first) =>
    Effect.flatMap(Schedule.driver(schedule), (driver) => {
      const again = (error: E): Effect.Effect<A, E, R | R1> =>
        Effect.matchEffect(driver.next(error), {
          onFailure: () => Effect.fail(error),
          onSuccess: () => Effect.catchAll(self, again)
        })
      return again(first)
    }))
