/**
 * The package READMEs against the code they describe:
 * - each provider's `### Options` table lists exactly the members of its
 *   `Options` type (read from the TypeScript source, `extends` followed), one
 *   per row;
 * - the default written in that table matches the code's default (the
 *   client's `defaults`, core's transport defaults);
 * - every environment variable a client reads is documented in its README
 *   and in the CLI's, and no README names a variable the code does not read.
 */
import { Registry as CliRegistry } from "@jobstream/cli"
import { HttpTransport } from "@jobstream/core"
import { GreenArrowClient } from "@jobstream/greenarrow"
import { IcwsClient, IcwsSession } from "@jobstream/icws"
import { InsideViewClient } from "@jobstream/insideview"
import * as Duration from "effect/Duration"
import { existsSync, readFileSync } from "node:fs"
import { dirname, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
const read = (path: string) => readFileSync(resolve(root, path), "utf8")

/**
 * The member names of an exported interface, following `extends` clauses:
 * `X` is looked up in the same file, `Module.X` in `src/Module.ts` of the same
 * package or, failing that, of core (`ClientOptions.Transport`).
 */
const membersOf = (file: string, name: string): ReadonlyArray<string> => {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true)
  const declaration = source.statements.find((s): s is ts.InterfaceDeclaration =>
    ts.isInterfaceDeclaration(s) && s.name.text === name
  )
  if (declaration === undefined) throw new Error(`no interface ${name} in ${file}`)
  const own = declaration.members.flatMap((m) => (m.name !== undefined && ts.isIdentifier(m.name) ? [m.name.text] : []))
  const inherited = (declaration.heritageClauses ?? []).flatMap((clause) =>
    clause.types.flatMap((t) => {
      const text = t.expression.getText(source)
      const [module, member] = text.includes(".") ? text.split(".") as [string, string] : [undefined, text]
      if (module === undefined) return membersOf(file, member)
      const local = resolve(dirname(resolve(root, file)), `${module}.ts`)
      return membersOf(existsSync(local) ? local : resolve(root, "packages/core/src", `${module}.ts`), member)
    })
  )
  return [...new Set([...own, ...inherited])]
}

/** The rows of the first table after a heading: first cell's backticked name → the other cells. */
const tableAfter = (readme: string, heading: string): ReadonlyMap<string, ReadonlyArray<string>> => {
  const at = readme.indexOf(`\n${heading}\n`)
  if (at < 0) throw new Error(`no "${heading}" section`)
  const lines = readme.slice(at + heading.length + 2).split("\n")
  const start = lines.findIndex((l) => l.startsWith("|"))
  const rows = new Map<string, ReadonlyArray<string>>()
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break
    const cells = line.split("|").slice(1, -1).map((c) => c.trim())
    const names = [...cells[0]!.matchAll(/`([A-Za-z_][\w]*)`/g)].map((m) => m[1]!)
    expect(names, `one option per row: ${line}`).toHaveLength(1)
    rows.set(names[0]!, cells.slice(1))
  }
  return rows
}

/** How a default is written in a README (undefined for a value that has no written form, such as a Schedule). */
const written = (value: unknown): string | undefined => {
  if (Duration.isDuration(value)) {
    const millis = Duration.toMillis(value)
    const minutes = millis / 60_000
    return millis % 60_000 === 0 && minutes >= 1 ? `${minutes} minute${minutes === 1 ? "" : "s"}` : `${millis / 1000} s`
  }
  if (typeof value === "number" && value >= 1024 * 1024 && value % (1024 * 1024) === 0) return `${value / 1024 / 1024} MiB`
  return typeof value === "object" && value !== null ? undefined : String(value)
}

const providers = [
  {
    name: "insideview",
    readme: "packages/insideview/README.md",
    options: membersOf("packages/insideview/src/InsideViewClient.ts", "Options"),
    defaults: InsideViewClient.defaults as Record<string, unknown>,
    variables: Object.values(InsideViewClient.variables),
    prefix: "INSIDEVIEW_"
  },
  {
    name: "greenarrow",
    readme: "packages/greenarrow/README.md",
    options: membersOf("packages/greenarrow/src/GreenArrowClient.ts", "Options"),
    defaults: GreenArrowClient.defaults as Record<string, unknown>,
    variables: Object.values(GreenArrowClient.variables),
    prefix: "GREENARROW_"
  },
  {
    name: "icws",
    readme: "packages/icws/README.md",
    options: membersOf("packages/icws/src/IcwsClient.ts", "Options"),
    defaults: IcwsClient.defaults as Record<string, unknown>,
    variables: Object.values(IcwsSession.variables),
    prefix: "ICWS_"
  }
] as const

/** Defaults every client inherits from core's transport. */
const transportDefaults: Record<string, unknown> = {
  timeout: HttpTransport.defaultTimeout,
  maxBodyBytes: HttpTransport.defaultMaxBodyBytes
}

describe("README option tables match the Options types", () => {
  for (const p of providers) {
    it(`${p.name}: one row per option, exactly the members of Options`, () => {
      const table = tableAfter(read(p.readme), "### Options")
      expect([...table.keys()].sort()).toEqual([...p.options].sort())
    })

    it(`${p.name}: the defaults written are the code's`, () => {
      const table = tableAfter(read(p.readme), "### Options")
      const expected = { ...transportDefaults, ...p.defaults }
      const checked = Object.entries(expected).filter(([key, value]) => p.options.includes(key) && written(value) !== undefined)
      expect(checked.length).toBeGreaterThanOrEqual(4)
      for (const [key, value] of checked) {
        expect(table.get(key)?.[0], `${p.readme}: default of ${key}`).toContain(written(value)!)
      }
    })
  }

  it("the ICWS options come from both the session and the client (extends is followed)", () => {
    const icws = providers[2].options
    expect(icws).toContain("password")
    expect(icws).toContain("pageSize")
    expect(icws).toContain("transformClient")
  })

  it("every client takes the shared options under the same names (core's ClientOptions.Transport)", () => {
    for (const p of providers) {
      for (const name of ["baseUrl", "retryPolicy", "timeout", "deadline", "maxBodyBytes", "pageSize", "maxPages", "transformClient"]) {
        expect(p.options, `${p.name}: ${name}`).toContain(name)
      }
    }
    expect(providers[0].options).not.toContain("resultsPerPage")
    expect(providers[1].options).not.toContain("perPage")
  })
})

describe("environment variables are documented where they are read, and only those", () => {
  const cli = read("packages/cli/README.md")
  for (const p of providers) {
    it(p.name, () => {
      const readme = read(p.readme)
      for (const variable of p.variables) {
        expect(readme, `${p.readme} documents ${variable}`).toContain(`\`${variable}\``)
        expect(cli, `the CLI README documents ${variable}`).toContain(`\`${variable}\``)
      }
      const named = (text: string) => new Set([...text.matchAll(new RegExp(`\\b${p.prefix}[A-Z_]+\\b`, "g"))].map((m) => m[0]))
      for (const name of [...named(readme), ...named(cli)]) expect(p.variables, `${name} is read by the code`).toContain(name)
    })
  }
})

describe("every registered provider's descriptor is documented", () => {
  const cli = read("packages/cli/README.md")
  for (const provider of CliRegistry.providers) {
    it(`${provider.name}: each variable of its descriptor in its package README and in the CLI's`, () => {
      const readme = read(`packages/${provider.name}/README.md`)
      expect(provider.variables.length).toBeGreaterThan(0)
      for (const { name } of provider.variables) {
        expect(readme, `packages/${provider.name}/README.md documents ${name}`).toContain(`\`${name}\``)
        expect(cli, `the CLI README documents ${name}`).toContain(`\`${name}\``)
      }
    })
  }
})
