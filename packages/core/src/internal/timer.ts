/**
 * The per-attempt timeout, made cheap.
 *
 * `Effect.timeoutFail` races the attempt against a sleep: two forked fibers
 * per attempt and a merge of the winner's fiber refs, which the profiles of a
 * fast server showed as the single dearest step of a request. Here the
 * attempt runs in the caller's fiber and only a timer runs beside it: a
 * fiber of its own (started with `runFork`, so it copies none of the caller's
 * fiber refs and is never joined) that sleeps on the caller's `Clock` (so
 * `TestClock` drives it like any other sleep) and, if it wakes before the
 * attempt ends, closes the attempt's request scope. Closing
 * that scope aborts whatever request is in flight (every request is sent
 * under `HttpClient.withScope`), and a request started after it is aborted at
 * once, so the attempt ends promptly and fails with the timeout's error
 * instead of the abort's. An attempt that succeeds is never turned into a
 * timeout. The timer is interrupted when the attempt ends, however it ends.
 *
 * What it bounds is what it can abort: sending, redirects and reading the
 * body — the same span of work `timeoutFail` covered before.
 *
 * @internal
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as FiberId from "effect/FiberId"
import * as Scope from "effect/Scope"

/**
 * Runs `body` with a scope for its requests; after `duration` the scope is
 * closed (aborting them) and a failure of `body` becomes `onTimeout()`.
 */
export const abortAfter = <A, E, E2>(
  duration: Duration.Duration,
  onTimeout: () => E2,
  body: (requests: Scope.Scope) => Effect.Effect<A, E>
): Effect.Effect<A, E | E2> =>
  Effect.clockWith((clock) =>
    Effect.flatMap(Scope.make(ExecutionStrategy.sequential), (requests) => {
      let timedOut = false
      // A fiber of its own, outside the caller's: it inherits nothing and is never joined.
      const timer = Effect.runFork(clock.sleep(duration))
      timer.addObserver((exit) => {
        if (Exit.isSuccess(exit)) {
          timedOut = true
          Effect.runFork(Scope.close(requests, Exit.void))
        }
      })
      return Effect.onExit(
        Effect.catchAllCause(
          body(requests),
          (cause): Effect.Effect<never, E | E2> => (timedOut ? Effect.fail(onTimeout()) : Effect.failCause(cause))
        ),
        (exit) =>
          Effect.suspend(() => {
            timer.unsafeInterruptAsFork(FiberId.none)
            return Scope.close(requests, exit)
          })
      )
    })
  )
