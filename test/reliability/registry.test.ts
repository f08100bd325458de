/**
 * The provider registries and what is generated from them. Every provider
 * the CLI registers must have a simulator entry in the testkit's `Registry`
 * (the same descriptor), so the shared suites — fault matrix, chaos,
 * secrets, pagination, interruption, hostile input, properties, AllJobs and
 * security — which iterate over that registry, cover it: a provider
 * registered without a simulator fails here. Each entry must also describe
 * its simulator truthfully (the descriptor, configured from the entry's
 * environment, lists the simulator's jobs), and the generic modules must not
 * name a provider.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { expect, it, layer } from "@effect/vitest"
import { Registry as CliRegistry } from "@jobstream/cli"
import { Job, Provider } from "@jobstream/core"
import { Capture, Harness, Registry } from "@jobstream/testkit"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { rows } from "./matrix.js"

const entries = Registry.providers
const apiErrorTags = [
  "BadRequest", "Unauthorized", "Forbidden", "NotFound", "MethodNotAllowed", "Gone", "RateLimited", "ServerError",
  "TransportError", "Timeout", "DecodeError"
]

it("every provider the CLI registers has exactly one simulator entry, with the same descriptor, in the same order", () => {
  expect(entries.map((e) => e.provider)).toEqual(CliRegistry.providers)
  for (const descriptor of CliRegistry.providers) {
    expect(entries.filter((e) => e.provider === descriptor), descriptor.name).toHaveLength(1)
  }
  expect(new Set(entries.map((e) => e.provider.name)).size).toBe(entries.length)
})

it("every entry is complete: fault-matrix outcomes, variants, calls with a list call, page sizes", () => {
  for (const entry of entries) {
    const name = entry.provider.name
    for (const row of rows) expect(apiErrorTags, `${row.name} × ${name}`).toContain(row.expected(entry).tag)
    expect(entry.variants.length, name).toBeGreaterThan(0)
    expect(entry.calls.some((c) => c.list), name).toBe(true)
    for (const call of entry.calls) {
      expect(call.label.startsWith(`${name} `), call.label).toBe(true)
      if (call.variant !== undefined) expect(entry.variants.map((v) => v.name)).toContain(call.variant)
    }
    expect(entry.defaultPageSize).toBeLessThanOrEqual(entry.maxPageSize)
    expect(entry.defaultJobs).toBeGreaterThan(entry.defaultPageSize)
  }
})

layer(FetchHttpClient.layer, { excludeTestServices: true })("every entry describes its simulator truthfully", (it) => {
  for (const entry of entries) {
    const name = entry.provider.name
    it.scoped(`${name}: the descriptor, configured from the entry's environment, lists the simulator's jobs`, () =>
      Effect.gen(function*() {
        const running = yield* entry.start({ jobs: 25 })
        const variables = entry.provider.variables.map((v) => v.name)
        for (const variable of Object.keys(running.env)) expect(variables).toContain(variable)
        expect(entry.provider.missing((v) => running.env[v] !== undefined)).toEqual([])
        // The secret values of the environment are among the secrets the suites search for.
        for (const variable of Provider.secretVariables([entry.provider])) {
          const value = running.env[variable]
          if (value !== undefined) expect(running.secrets()).toContain(value)
        }
        const handle = yield* entry.provider.open().pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(running.env)))),
          Effect.orDie
        )
        const jobs = yield* Capture.collect(handle.jobs)
        expect(jobs.map((j) => j.id)).toEqual(running.expectedIds())
        expect(jobs.every((j) => j.provider === name)).toBe(true)
        // One job by id: the same job (its raw record may hold more than the listing's).
        const one = yield* handle.getJob(running.expectedIds()[3]!)
        const summary = (job: Job.Job) => ({ ...Job.toJson(job), raw: undefined })
        expect(summary(one)).toEqual(summary(jobs[3]!))
        expect(running.sessions !== undefined).toBe(entry.sessions)
        expect(Harness.listCount(running)).toBeGreaterThan(0)
      }))
  }
})

/** The generic modules: they iterate over a registry and never name a provider. */
const generic = [
  ...["Cli.ts", "Providers.ts", "Format.ts", "Output.ts", "Errors.ts", "bin.ts", "index.ts", "internal/flags.ts",
    "internal/jobs.ts", "internal/list.ts", "internal/print.ts"].map((f) => `packages/cli/src/${f}`),
  ...["Harness.ts", "Capture.ts", "Arbitraries.ts"].map((f) => `packages/testkit/src/${f}`),
  "packages/testkit/dev/demo.ts",
  ...["fault-matrix.test.ts", "matrix.ts", "chaos.test.ts", "secrets.test.ts", "interruption.test.ts", "exit-child.ts",
    "hostile.test.ts", "properties.test.ts", "pagination.test.ts", "support.ts"].map((f) => `test/reliability/${f}`),
  "test/alljobs/alljobs.test.ts",
  ...["support.ts", "oversize.test.ts", "oversize-child.ts", "redirect.test.ts"].map((f) => `test/security/${f}`)
]

it("no generic module imports a provider package or names a provider in its code", () => {
  const root = fileURLToPath(new URL("../..", import.meta.url))
  const names = entries.map((e) => e.provider.name)
  const packages = readdirSync(`${root}packages`).filter((p) => names.includes(p))
  expect(packages.sort()).toEqual([...names].sort())
  for (const file of generic) {
    // Comments may mention providers; code may not.
    const code = readFileSync(`${root}${file}`, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "")
    for (const name of names) {
      expect(code, `${file} imports @jobstream/${name}`).not.toContain(`@jobstream/${name}`)
      expect(code, `${file} names "${name}"`).not.toMatch(new RegExp(`["'\`]${name}["'\`]`))
    }
  }
})
