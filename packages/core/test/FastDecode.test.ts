import { describe, expect, it } from "@effect/vitest"
import { FastDecode } from "@jobstream/core"
import * as Effect from "effect/Effect"

describe("FastDecode", () => {
  it("field reads a key as a Schema struct does, and is unsure where optional and required would differ", () => {
    const record: Record<string, unknown> = { a: 1, b: null, c: undefined }
    expect(FastDecode.field(record, "a")).toBe(1)
    expect(FastDecode.field(record, "b")).toBe(null)
    expect(FastDecode.field(record, "missing")).toBe(undefined)
    expect(FastDecode.field(record, "c")).toBe(FastDecode.unsure)
    const inherited = Object.create({ a: 1 }) as Record<string, unknown>
    expect(FastDecode.field(inherited, "a")).toBe(FastDecode.unsure)
  })

  it("isRecord accepts objects only", () => {
    expect([{}, [], null, "x", 1].map(FastDecode.isRecord)).toEqual([true, false, false, false, false])
  })

  it.effect("json: the fast answer when sure; the Schemas' when unsure or when the text does not parse", () =>
    Effect.gen(function*() {
      let slow = 0
      const schemas = () => Effect.sync(() => ++slow).pipe(Effect.as("schemas"))
      const fast = (json: unknown) => (FastDecode.isRecord(json) && json.ok === true ? "fast" : undefined)
      expect(yield* FastDecode.json(`{"ok":true}`, fast, schemas)).toBe("fast")
      expect(slow).toBe(0)
      expect(yield* FastDecode.json(`{"ok":false}`, fast, schemas)).toBe("schemas")
      expect(yield* FastDecode.json(`{"ok":`, fast, schemas)).toBe("schemas")
      expect(slow).toBe(2)
      const failing = yield* Effect.flip(FastDecode.json(`not json`, fast, () => Effect.fail("bad body")))
      expect(failing).toBe("bad body")
    }))
})
