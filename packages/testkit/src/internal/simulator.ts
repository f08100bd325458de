/**
 * What the three API simulators share: their server started with the common
 * options and their own members attached in place, and the scoped variant
 * of a start function.
 */
import { Effect } from "effect"
import type { Scope } from "effect"
import type { FaultRule } from "../Faults.js"
import { start } from "../Server.js"
import type { Handler, Latency, RunningServer } from "../Server.js"

/** The server options every simulator takes. */
export interface Common {
  readonly seed?: number | undefined
  readonly latency?: Latency | undefined
  readonly faults?: ReadonlyArray<FaultRule> | undefined
  readonly tls?: { readonly key: string; readonly cert: string } | undefined
}

/**
 * Starts the server and attaches the simulator's members to it in place
 * (getters stay live: copying the server would freeze its log getters).
 */
export const startWith = async <X extends object>(
  options: Common,
  handler: Handler,
  members: (server: RunningServer) => X
): Promise<RunningServer & X> => {
  const server = await start({
    handler,
    seed: options.seed ?? 1,
    latency: options.latency,
    faults: options.faults,
    tls: options.tls
  })
  return Object.defineProperties(server, Object.getOwnPropertyDescriptors(members(server))) as RunningServer & X
}

/** The scoped variant of a start function: the server closes with the scope. */
export const scoped = <O, S extends RunningServer>(startFn: (options?: O) => Promise<S>) =>
(options?: O): Effect.Effect<S, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => startFn(options)),
    (server) => Effect.promise(() => server.close())
  )
