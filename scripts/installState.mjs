// What a checkout's set-up checks before it installs or builds (scripts/start.mjs, scripts/test.sh).
//
// Whether node_modules holds what package-lock.json locks: every locked package (but optional ones,
// which may not exist for this platform) installed at its locked version, per npm's own record of the
// install (node_modules/.package-lock.json). Content, not modification times: a checkout, a stash or a
// formatter touching the lockfile does not mean it changed. Plain Node: runs before node_modules exists.
import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export function packagesUpToDate(root) {
  let locked
  let installed
  try {
    locked = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')).packages ?? {}
    installed = JSON.parse(readFileSync(join(root, 'node_modules/.package-lock.json'), 'utf8')).packages ?? {}
  } catch {
    return false
  }
  for (const [path, entry] of Object.entries(locked)) {
    if (!path.startsWith('node_modules/') || entry.optional || entry.devOptional || entry.link) continue
    if (installed[path]?.version !== entry.version) return false
  }
  return true
}

/** What the build is made from: the service's and the client's sources and the build settings. */
const buildInputs = [
  'src',
  'packages/client/src',
  'packages/client/package.json',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
]

/** A digest of the build's inputs (paths and contents), so a rebuild follows content, not mtimes. */
export function buildInputsDigest(root) {
  const hash = createHash('sha256')
  const visit = (path) => {
    let entries
    try {
      entries = readdirSync(join(root, path), { withFileTypes: true })
    } catch {
      try {
        hash
          .update(`${path}\0`)
          .update(readFileSync(join(root, path)))
          .update('\0')
      } catch {}
      return
    }
    for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) visit(join(path, entry.name))
  }
  for (const input of buildInputs) visit(input)
  return hash.digest('hex')
}

const stampPath = (root) => join(root, 'dist/.build-inputs')

/** True when dist/ and the client's dist/ were built from the sources as they are now. */
export function buildUpToDate(root) {
  if (!existsSync(join(root, 'dist/cli.js')) || !existsSync(join(root, 'packages/client/dist/esm/index.js')))
    return false
  try {
    return readFileSync(stampPath(root), 'utf8').trim() === buildInputsDigest(root)
  } catch {
    return false
  }
}

/** Records what dist/ was built from (the last step of `npm run build`). */
export function writeBuildStamp(root) {
  writeFileSync(stampPath(root), `${buildInputsDigest(root)}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.argv[2] === 'stamp')
  writeBuildStamp(process.cwd())
