/**
 * Changes to a simulator's dataset while a client reads the listing: jobs
 * added (the listing grows), newest or oldest jobs removed (it shrinks). Each
 * change is tied to a list request number, so a test decides exactly which
 * pages see the listing before and after it.
 *
 * Where a change lands in the listing depends on the simulator's order: a
 * newest-first listing grows at the front (shifting every page), an
 * oldest-first one at the end.
 *
 * @since 0.2.0
 * @module
 */

/**
 * One change to the dataset.
 *
 * @since 0.2.0
 */
export interface Mutation {
  /** Applied just before answering list request number `afterListRequests + 1` (1-based). */
  readonly afterListRequests: number
  /** Jobs added as the newest. */
  readonly add?: number
  /** Newest jobs removed. */
  readonly remove?: number
  /** Oldest jobs removed. */
  readonly removeOldest?: number
}

/**
 * What a simulator offers to apply mutations.
 *
 * @since 0.2.0
 */
export interface Target {
  /** Adds `n` new jobs. */
  readonly add: (n: number) => void
  /** Removes the `n` newest jobs. */
  readonly remove: (n: number) => void
  /** Removes the `n` oldest jobs. */
  readonly removeOldest: (n: number) => void
}

/**
 * A schedule of mutations: call the result before answering each list
 * request; it applies those due (removals first, then additions) and counts
 * the request.
 *
 * @since 0.2.0
 */
export const schedule = (mutations: ReadonlyArray<Mutation> | undefined, target: Target): () => void => {
  const pending = [...(mutations ?? [])].sort((a, b) => a.afterListRequests - b.afterListRequests)
  let answered = 0
  return () => {
    while (pending.length > 0 && pending[0]!.afterListRequests <= answered) {
      const m = pending.shift()!
      if (m.remove !== undefined) target.remove(m.remove)
      if (m.removeOldest !== undefined) target.removeOldest(m.removeOldest)
      if (m.add !== undefined) target.add(m.add)
    }
    answered++
  }
}
