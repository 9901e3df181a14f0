// Builds @feecast/client: ESM (dist/esm) and CommonJS (dist/cjs), each with declarations and source maps.
// Run by `npm run build` here and at the repository root, and by `npm pack` (prepack).
import { execFileSync } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc')
rmSync(join(here, 'dist'), { recursive: true, force: true })
for (const project of ['tsconfig.json', 'tsconfig.cjs.json'])
  execFileSync(process.execPath, [tsc, '-p', join(here, project)], { stdio: 'inherit' })
// dist/cjs holds CommonJS in a "type": "module" package: say so to Node and to TypeScript.
mkdirSync(join(here, 'dist/cjs'), { recursive: true })
writeFileSync(join(here, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n')
