/**
 * The setup file undoes what `layer(...)` writes onto the shared `it`, so that a
 * later file's `it.effect` gets the TestClock again (files share modules).
 * Vitest runs `describe` bodies in order after the file is imported, so the
 * second block below is collected after `layer(...)`'s has replaced `it.effect`,
 * as the next file of the worker would be.
 */
import { FetchHttpClient } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { pristine, restoreIt } from "./vitest-it.js"

layer(FetchHttpClient.layer, { excludeTestServices: true })("a layer without the test services", (it) => {
  it.effect("runs on the real clock", () =>
    Effect.map(Clock.currentTimeMillis, (now) => {
      expect(now).toBeGreaterThan(Date.UTC(2020, 0, 1))
    }))
})

describe("after layer(...)", () => {
  const leftBehind = it.effect
  restoreIt()

  it("layer(...) had replaced it.effect; restoring brings back the one from before any file", () => {
    expect(leftBehind).not.toBe(pristine.effect)
    expect(it.effect).toBe(pristine.effect)
  })

  it.effect("it.effect runs on the TestClock again", () =>
    Effect.gen(function*() {
      expect(yield* Clock.currentTimeMillis).toBe(0)
      yield* TestClock.adjust("1 minute")
      expect(yield* Clock.currentTimeMillis).toBe(60_000)
    }))
})
