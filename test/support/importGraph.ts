import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import ts from 'typescript'

/**
 * The import graph of src/, read with TypeScript's own parser, for test/architecture.test.ts. Modules
 * are named by their path under src/ ('predict/calibration.ts'); an import of a package or a Node
 * built-in keeps its specifier ('ioredis', 'node:fs').
 */
export type ModuleImport = {
  /** The imported module: a path under src/, or a package / built-in specifier. */
  target: string
  /** `import type` / `export type`: no code runs, so it cannot do I/O (but it still couples folders). */
  typeOnly: boolean
}

export type ImportGraph = ReadonlyMap<string, readonly ModuleImport[]>

/** Every non-test .ts module under `srcDir` with what it imports. */
export function readImportGraph(srcDir: string): ImportGraph {
  const graph = new Map<string, ModuleImport[]>()
  for (const file of sourceFiles(srcDir)) {
    const module = relative(srcDir, file)
    graph.set(module, importsOf(file, srcDir))
  }
  return graph
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) return sourceFiles(path)
    return path.endsWith('.ts') && !path.endsWith('.test.ts') && !path.endsWith('.d.ts') ? [path] : []
  })
}

function importsOf(file: string, srcDir: string): ModuleImport[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false)
  const imports: ModuleImport[] = []
  const add = (specifier: string, typeOnly: boolean) =>
    imports.push({ target: resolveSpecifier(specifier, file, srcDir), typeOnly })
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier)) {
      const clause = statement.importClause
      const typeOnly =
        clause !== undefined &&
        (clause.isTypeOnly ||
          (clause.name === undefined &&
            clause.namedBindings !== undefined &&
            ts.isNamedImports(clause.namedBindings) &&
            clause.namedBindings.elements.length > 0 &&
            clause.namedBindings.elements.every((e) => e.isTypeOnly)))
      add(statement.moduleSpecifier.text, typeOnly)
    } else if (
      ts.isExportDeclaration(statement) &&
      statement.moduleSpecifier !== undefined &&
      ts.isStringLiteral(statement.moduleSpecifier)
    )
      add(statement.moduleSpecifier.text, statement.isTypeOnly)
  }
  // import('...') at run time (a lazily loaded module) is a runtime import too.
  const visit = (node: ts.Node) => {
    if (
      ts.isCallExpression(node) &&
      node.expression.kind === ts.SyntaxKind.ImportKeyword &&
      node.arguments[0] !== undefined &&
      ts.isStringLiteral(node.arguments[0])
    )
      add(node.arguments[0].text, false)
    ts.forEachChild(node, visit)
  }
  visit(source)
  return imports
}

function resolveSpecifier(specifier: string, file: string, srcDir: string): string {
  if (!specifier.startsWith('.')) return specifier.startsWith('node:') ? specifier : packageOf(specifier)
  const path = resolve(dirname(file), specifier).replace(/\.js$/, '.ts')
  const module = existsSync(path) ? path : join(path.replace(/\.ts$/, ''), 'index.ts')
  return relative(srcDir, module)
}

/** 'viem/chains' → 'viem', '@tensorflow/tfjs/x' → '@tensorflow/tfjs'; a bare built-in gets 'node:'. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/')
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string)
  return builtins.has(name) ? `node:${name}` : name
}
const builtins = new Set([
  'fs',
  'net',
  'http',
  'https',
  'child_process',
  'os',
  'path',
  'url',
  'crypto',
  'events',
])

/** A module's folder under src/ ('predict'); a file at the top of src/ is its own ('config'). */
export function folderOf(module: string): string {
  const [first, ...rest] = module.split('/')
  return rest.length > 0 ? (first as string) : (first as string).replace(/\.ts$/, '')
}

/**
 * Folders that import each other, directly or around a loop (strongly connected components of the
 * folder graph, type imports included), each with one import per edge inside it as the evidence.
 */
export function folderCycles(graph: ImportGraph): Array<{ folders: string[]; imports: string[] }> {
  const edges = new Map<string, Map<string, string>>()
  for (const [module, imports] of graph)
    for (const { target } of imports) {
      if (!graph.has(target)) continue
      const from = folderOf(module)
      const to = folderOf(target)
      if (from === to) continue
      const out = edges.get(from) ?? new Map<string, string>()
      if (!out.has(to)) out.set(to, `${module} → ${target}`)
      edges.set(from, out)
    }
  return stronglyConnected(edges)
    .filter((component) => component.length > 1)
    .map((folders) => ({
      folders: [...folders].sort(),
      imports: folders.flatMap((from) =>
        [...(edges.get(from) ?? [])].filter(([to]) => folders.includes(to)).map(([, example]) => example),
      ),
    }))
}

/** Tarjan's algorithm. */
function stronglyConnected(edges: ReadonlyMap<string, ReadonlyMap<string, string>>): string[][] {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const components: string[][] = []
  const connect = (node: string) => {
    index.set(node, index.size)
    low.set(node, index.get(node) as number)
    stack.push(node)
    onStack.add(node)
    for (const next of edges.get(node)?.keys() ?? []) {
      if (!index.has(next)) {
        connect(next)
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number))
      } else if (onStack.has(next))
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number))
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string | undefined
    do {
      member = stack.pop() as string
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    components.push(component)
  }
  for (const node of edges.keys()) if (!index.has(node)) connect(node)
  return components
}

/**
 * The chain of runtime imports from `module` to the first module `isIo` accepts (breadth first, so the
 * shortest), or undefined when none is reachable. Type-only imports are not followed.
 */
export function pathToIo(
  graph: ImportGraph,
  module: string,
  isIo: (module: string) => boolean,
): string[] | undefined {
  const cameFrom = new Map<string, string | undefined>([[module, undefined]])
  const queue = [module]
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    if (next !== module && isIo(next)) {
      const path = [next]
      for (let at = cameFrom.get(next); at !== undefined; at = cameFrom.get(at)) path.unshift(at)
      return path
    }
    for (const { target, typeOnly } of graph.get(next) ?? []) {
      if (typeOnly || cameFrom.has(target)) continue
      cameFrom.set(target, next)
      queue.push(target)
    }
  }
  return undefined
}
