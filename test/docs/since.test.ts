/**
 * Every public export says since when it exists.
 *
 * The public surface is what each package's `src/index.ts` re-exports
 * (`export * as Module from "./Module.js"`) and every member those modules
 * export, followed through `export { x } from "./internal/…"` to the
 * declaration (a JSDoc on the export specifier itself counts too). Each must
 * carry a JSDoc with `@since x.y.z`, and so must each module's header, which
 * is also marked `@module`.
 *
 * That every export is documented at all is checked by `pnpm run docs` (TypeDoc's
 * notDocumented validation, warnings as errors); TypeDoc does not look at
 * `@since`, which is what this test is for.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..")
/** Every workspace package (a folder of `packages/` with a `src/index.ts`). */
const packages = readdirSync(resolve(root, "packages")).filter((p) => existsSync(resolve(root, "packages", p, "src/index.ts")))
const since = /^\d+\.\d+\.\d+$/

interface Doc {
  readonly jsDoc?: ReadonlyArray<ts.JSDoc>
}

/** The `@since` values of one JSDoc block. */
const sinceIn = (doc: ts.JSDoc): ReadonlyArray<string> =>
  (doc.tags ?? []).flatMap((tag) =>
    tag.tagName.text === "since" ? [ts.getTextOfJSDocComment(tag.comment)?.trim() ?? ""] : []
  )

/** The `@since` values of the JSDoc blocks attached to a node. */
const sinceOf = (node: ts.Node): ReadonlyArray<string> => ((node as Doc).jsDoc ?? []).flatMap(sinceIn)

/** The node a declaration's JSDoc is attached to (a variable's is on its statement). */
const docHost = (declaration: ts.Declaration): ts.Node =>
  ts.isVariableDeclaration(declaration) ? declaration.parent.parent : declaration

/** A file's header: the first JSDoc block of the file. */
const headerOf = (file: ts.SourceFile): ts.JSDoc | undefined => (file.statements[0] as Doc | undefined)?.jsDoc?.[0]

/** The `@since` values of a file's header. */
const headerSince = (file: ts.SourceFile): ReadonlyArray<string> => {
  const header = headerOf(file)
  return header === undefined ? [] : sinceIn(header)
}

/** Whether a file's header is marked `@module` (without it TypeDoc takes it for the first declaration's). */
const headerIsModule = (file: ts.SourceFile): boolean =>
  (headerOf(file)?.tags ?? []).some((tag) => tag.tagName.text === "module")

const program = (() => {
  const config = ts.getParsedCommandLineOfConfigFile(resolve(root, "tsconfig.json"), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, "\n"))
    }
  })!
  return ts.createProgram(packages.map((p) => resolve(root, "packages", p, "src/index.ts")), config.options)
})()
const checker = program.getTypeChecker()

interface Export {
  /** `package/Module.member` */
  readonly name: string
  /** `file:line` of the JSDoc's host. */
  readonly at: string
  readonly since: ReadonlyArray<string>
  /** For a module: whether its header is marked `@module`. */
  readonly module?: boolean
}

const where = (node: ts.Node) => {
  const file = node.getSourceFile()
  return `${relative(root, file.fileName)}:${file.getLineAndCharacterOfPosition(node.getStart(file)).line + 1}`
}

/** Every declaration of every member of every module a package's index re-exports. */
const exportsOf = (pkg: string): { modules: Array<Export>; members: Array<Export> } => {
  const index = program.getSourceFile(resolve(root, "packages", pkg, "src/index.ts"))!
  const modules: Array<Export> = []
  const members: Array<Export> = []
  for (const namespace of checker.getExportsOfModule(checker.getSymbolAtLocation(index)!)) {
    const module = checker.getAliasedSymbol(namespace)
    const file = module.declarations?.find(ts.isSourceFile)
    if (file === undefined) throw new Error(`${pkg}: ${namespace.name} is not a module`)
    modules.push({
      name: `${pkg}/${namespace.name}`,
      at: relative(root, file.fileName),
      since: headerSince(file),
      module: headerIsModule(file)
    })
    for (const member of checker.getExportsOfModule(module)) {
      const name = `${pkg}/${namespace.name}.${member.name}`
      const specifiers = (member.declarations ?? []).filter((d) => ts.isExportSpecifier(d) && sinceOf(d).length > 0)
      const target = member.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(member) : member
      const declarations = specifiers.length > 0 ? specifiers : target.declarations ?? []
      if (declarations.length === 0) throw new Error(`${name} has no declaration`)
      for (const declaration of declarations) {
        const host = docHost(declaration)
        members.push({ name, at: where(host), since: sinceOf(host) })
      }
    }
  }
  return { modules, members }
}

const surface = packages.map((pkg) => ({ pkg, ...exportsOf(pkg) }))
const missing = (exports: ReadonlyArray<Export>) =>
  exports.filter((e) => !e.since.some((v) => since.test(v))).map((e) => `${e.name} (${e.at})`)

describe("@since on every public export", () => {
  for (const { members, modules, pkg } of surface) {
    it(`${pkg}: every module header has @since x.y.z and @module`, () => {
      expect(modules.length).toBeGreaterThan(0)
      expect(missing(modules)).toEqual([])
      expect(modules.filter((m) => m.module !== true).map((m) => `${m.name} (${m.at})`)).toEqual([])
    })

    it(`${pkg}: every exported member has a JSDoc with @since x.y.z`, () => {
      expect(members.length).toBeGreaterThan(10)
      expect(missing(members)).toEqual([])
    })
  }

  it("typedoc.json covers every package: its index is an entry point and its exports must be documented", () => {
    const config = JSON.parse(readFileSync(resolve(root, "typedoc.json"), "utf8"))
    expect(config.entryPoints).toEqual(["packages/*/src/index.ts"])
    const names = packages.map((p) => JSON.parse(readFileSync(resolve(root, "packages", p, "package.json"), "utf8")).name)
    expect([...config.packagesRequiringDocumentation].sort()).toEqual([...names].sort())
    expect(config.validation).toEqual({ notExported: true, invalidLink: true, notDocumented: true })
    expect(config.treatWarningsAsErrors).toBe(true)
  })

  it("sees the whole surface: members re-exported from internal modules and both halves of a schema/type pair", () => {
    const names = new Set(surface.flatMap((s) => s.members.map((m) => m.name)))
    expect(names).toContain("core/ApiError.PaginationError") // export { … } from "./internal/apiError/outcomes.js"
    expect(names).toContain("greenarrow/GreenArrowClient.errorCodeOf") // JSDoc on the export specifier
    const job = surface.find((s) => s.pkg === "core")!.members.filter((m) => m.name === "core/Job.Job")
    expect(job).toHaveLength(2) // the Schema and the interface, each documented
    expect(readFileSync(resolve(root, "packages/core/src/Job.ts"), "utf8")).toContain("export interface Job")
  })
})
