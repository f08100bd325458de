import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { HttpTransport, XmlCodec } from "@jobstream/core"
import { GenericSimulator } from "@jobstream/testkit"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { rootName } from "../src/internal/xmlScan.js"

const Jobs = Schema.Struct({
  jobs: Schema.Struct({
    job: Schema.Array(Schema.Struct({ id: Schema.String, name: Schema.String }))
  })
})
const where = { provider: "generic", operation: "listXml", method: "GET", url: "http://x/xml" }
const codec = XmlCodec.make()
const options = { arrayPaths: ["jobs.job"] }

const decode = (text: string) => Effect.either(codec.decode(Jobs, text, where, options))

describe("XmlCodec as a plain module", () => {
  it.effect("parse and decode work without building a codec (the default settings)", () =>
    Effect.gen(function*() {
      const text = "<jobs><job><id>a</id><name>A</name></job></jobs>"
      expect(Either.getOrThrow(XmlCodec.parse(text, options))).toEqual({ jobs: { job: [{ id: "a", name: "A" }] } })
      expect(yield* XmlCodec.decode(Jobs, text, where, options)).toEqual({ jobs: { job: [{ id: "a", name: "A" }] } })
      const bad = yield* Effect.flip(XmlCodec.decode(Jobs, "<jobs><job>", where, options))
      expect(bad).toMatchObject({ _tag: "DecodeError", format: "xml", provider: "generic" })
    }))
})

describe("XmlCodec", () => {
  it.effect("many, one and no elements all decode to arrays", () =>
    Effect.gen(function*() {
      const many = yield* decode("<jobs><job><id>a</id><name>A</name></job><job><id>b</id><name>B</name></job></jobs>")
      const one = yield* decode("<jobs><job><id>a</id><name>A</name></job></jobs>")
      const none = yield* decode("<jobs></jobs>")
      const selfClosing = yield* decode("<jobs/>")
      expect(Either.getOrThrow(many).jobs.job.map((j) => j.id)).toEqual(["a", "b"])
      expect(Either.getOrThrow(one).jobs.job).toEqual([{ id: "a", name: "A" }])
      expect(Either.getOrThrow(none).jobs.job).toEqual([])
      expect(Either.getOrThrow(selfClosing).jobs.job).toEqual([])
    }))

  it.effect("the five XML entities and character references are decoded; leaves stay strings", () =>
    Effect.gen(function*() {
      const result = yield* decode("<jobs><job><id>42</id><name>Q&amp;A &lt;b&gt; &quot;x&quot; &apos;y&apos; &#233;&#x41;</name></job></jobs>")
      expect(Either.getOrThrow(result).jobs.job[0]).toEqual({ id: "42", name: `Q&A <b> "x" 'y' éA` })
    }))

  it.effect("malformed and truncated XML are DecodeErrors with format xml", () =>
    Effect.gen(function*() {
      for (const text of ["<jobs><job><id>a</id>", "<jobs><job><id>a</name></job></jobs>", "not xml at all", "", "{\"json\":true}"]) {
        const result = yield* decode(text)
        expect(Either.isLeft(result)).toBe(true)
        if (Either.isLeft(result)) {
          expect(result.left.format).toBe("xml")
          expect(result.left.provider).toBe("generic")
          expect(result.left.message).toContain("generic.listXml")
        }
      }
    }))

  it.effect("an entity-expansion bomb is refused without expanding anything", () =>
    Effect.gen(function*() {
      const bomb = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<jobs><job><id>&lol9;</id><name>x</name></job></jobs>`
      const result = yield* decode(bomb)
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) expect(result.left.issue).toContain("DOCTYPE")
    }))

  it.effect("an undeclared entity reference stays literal text (nothing is looked up)", () =>
    Effect.gen(function*() {
      const result = yield* decode("<jobs><job><id>&ext;</id><name>n</name></job></jobs>")
      expect(Either.getOrThrow(result).jobs.job[0]?.id).toBe("&ext;")
    }))

  it.effect("a shape mismatch is a DecodeError with format schema and the path", () =>
    Effect.gen(function*() {
      const result = yield* decode("<jobs><job><id>a</id></job></jobs>")
      expect(Either.isLeft(result)).toBe(true)
      if (Either.isLeft(result)) {
        expect(result.left.format).toBe("schema")
        expect(result.left.issue).toContain("name")
      }
    }))

  it.effect("a wildcard root in an array path matches whatever the root is called", () =>
    Effect.gen(function*() {
      for (const root of ["jobs", "bulkJobsResponse"]) {
        const parsed = codec.parse(`<?xml version="1.0"?><${root}><job><id>a</id></job></${root}>`, { arrayPaths: ["*.job"] })
        expect(Either.getOrThrow(parsed)).toEqual({ [root]: { job: [{ id: "a" }] } })
      }
      expect(rootName(`<?xml version="1.0"?><!-- c --><root a="1"><x/></root>`)).toBe("root")
    }))

  it.effect("records that are not flat (nested elements, CDATA, comments) still decode fully", () =>
    Effect.gen(function*() {
      const text = `<r><item><a>1</a><b><c>2</c><c>3</c></b></item><item><a><![CDATA[x<y]]></a><!-- note --><b/></item></r>`
      const parsed = codec.parse(text, { arrayPaths: ["r.item"] })
      expect(Either.getOrThrow(parsed)).toEqual({ r: { item: [{ a: "1", b: { c: ["2", "3"] } }, { a: "x<y", b: "" }] } })
    }))

  it.effect("a __proto__ element is refused and touches no prototype", () =>
    Effect.gen(function*() {
      for (const text of [
        `<r><item><__proto__><polluted>yes</polluted></__proto__><a>1</a></item></r>`,
        `<r><item><a>1</a><__proto__>yes</__proto__></item></r>`
      ]) {
        const parsed = codec.parse(text, { arrayPaths: ["r.item"] })
        expect(Either.isLeft(parsed) && parsed.left.includes("__proto__")).toBe(true)
      }
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
    }))

  it.effect("deep nesting beyond the bound is refused", () =>
    Effect.gen(function*() {
      const deep = "<a>".repeat(200) + "x" + "</a>".repeat(200)
      expect(Either.isLeft(XmlCodec.make({ maxDepth: 64 }).parse(deep))).toBe(true)
    }))

  it.scopedLive("over real HTTP: the generic simulator's XML decodes for 0, 1 and many jobs", () =>
    Effect.gen(function*() {
      const server = yield* GenericSimulator.makeGeneric({ jobs: 10 })
      const transport = yield* HttpTransport.make({ provider: "generic", baseUrl: server.url })
      const Doc = Schema.Struct({
        jobs: Schema.Struct({ job: Schema.Array(Schema.Struct({ id: Schema.String })) })
      })
      const fetchXml = (n: number) =>
        transport.execute({
          operation: "listXml",
          request: HttpClientRequest.get(`/xml?n=${n}`),
          decode: (raw, w) => codec.decode(Doc, raw.body, w, options)
        })
      expect((yield* fetchXml(0)).jobs.job).toEqual([])
      expect((yield* fetchXml(1)).jobs.job.map((j) => j.id)).toEqual([server.jobs[0]!.id])
      expect((yield* fetchXml(5)).jobs.job.map((j) => j.id)).toEqual(server.jobs.slice(0, 5).map((j) => j.id))
    }).pipe(Effect.provide(FetchHttpClient.layer)))
})
