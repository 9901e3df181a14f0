// Builds @feecast/client: ESM (dist/esm) and CommonJS (dist/cjs), each with declarations and source maps.
// Run by `npm run build` here and at the repository root, and by `npm pack` (prepack).
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
const dist = join(here, 'dist')
// The service imports dist/ while it runs (and the test suite packs the client beside running services):
// build beside it and swap it in, so dist/ is never missing or half written.
const staging = join(here, `.dist-${process.pid}`)
rmSync(staging, { recursive: true, force: true })
try {
  for (const [project, format] of [
    ['tsconfig.json', 'esm'],
    ['tsconfig.cjs.json', 'cjs'],
  ])
    execFileSync(process.execPath, [tsc, '-p', join(here, project), '--outDir', join(staging, format)], {
      stdio: 'inherit',
    })
  // dist/cjs holds CommonJS in a "type": "module" package: say so to Node and to TypeScript.
  mkdirSync(join(staging, 'cjs'), { recursive: true })
  writeFileSync(join(staging, 'cjs/package.json'), '{ "type": "commonjs" }\n')
  swapIn(staging, dist)
} finally {
  rmSync(staging, { recursive: true, force: true })
}

// Each file is replaced by a rename, which readers see whole; files the new build no longer makes go last.
function swapIn(from, to) {
  const built = new Set(filesUnder(from))
  for (const file of built) {
    mkdirSync(dirname(join(to, file)), { recursive: true })
    renameSync(join(from, file), join(to, file))
  }
  for (const file of filesUnder(to)) if (!built.has(file)) rmSync(join(to, file))
}

function filesUnder(root) {
  if (!existsSync(root)) return []
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name).slice(root.length + 1))
}
