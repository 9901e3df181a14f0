import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type GeneratedFile, generatedDirectories, generateFiles } from './generate.js'
import { feecastSloSpec } from './spec.js'

/** The repository root (this file is src/slo/writeGenerated.ts). */
export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

async function filesUnder(root: string, dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true }).catch(() => [])
  const out: string[] = []
  for (const e of entries) {
    const path = join(dir, e.name)
    if (e.isDirectory()) out.push(...(await filesUnder(root, path)))
    else out.push(relative('.', path))
  }
  return out
}

export type Drift = { changed: string[]; missing: string[]; stale: string[] }

/** How the files on disk differ from what the generator makes now. */
export async function generatedDrift(
  root = repoRoot,
  files: GeneratedFile[] = generateFiles(feecastSloSpec),
): Promise<Drift> {
  const drift: Drift = { changed: [], missing: [], stale: [] }
  for (const f of files) {
    const onDisk = await readFile(join(root, f.path), 'utf8').catch(() => undefined)
    if (onDisk === undefined) drift.missing.push(f.path)
    else if (onDisk !== f.content) drift.changed.push(f.path)
  }
  const wanted = new Set(files.map((f) => f.path))
  for (const dir of generatedDirectories) {
    for (const path of await filesUnder(root, dir)) if (!wanted.has(path)) drift.stale.push(path)
  }
  return drift
}

/** Writes every generated file and removes stale ones from the generated directories. */
export async function writeGenerated(root = repoRoot): Promise<Drift> {
  const files = generateFiles(feecastSloSpec)
  const drift = await generatedDrift(root, files)
  for (const f of files) {
    await mkdir(dirname(join(root, f.path)), { recursive: true })
    await writeFile(join(root, f.path), f.content)
  }
  for (const path of drift.stale) await rm(join(root, path))
  return drift
}

// `npm run generate` (writes) and `npm run generate -- --check` (exit 1 when out of date).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check')
  const drift = check ? await generatedDrift() : await writeGenerated()
  const lines = [
    ...drift.changed.map((p) => `${check ? 'out of date' : 'updated'}: ${p}`),
    ...drift.missing.map((p) => `${check ? 'missing' : 'created'}: ${p}`),
    ...drift.stale.map((p) => `${check ? 'stale' : 'removed'}: ${p}`),
  ]
  for (const line of lines) process.stdout.write(`${line}\n`)
  if (check && lines.length > 0) {
    process.stderr.write(
      'Generated SLO files are out of date: run `npm run generate` and commit the result.\n',
    )
    process.exit(1)
  }
  if (lines.length === 0) process.stdout.write('generated SLO files are up to date\n')
}
