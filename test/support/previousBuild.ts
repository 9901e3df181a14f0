import { execFile } from 'node:child_process'
import { mkdirSync, readdirSync, symlinkSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const run = promisify(execFile)
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

export type PreviousBuild = {
  /** The built checkout of `commit`: run it with startFeecast({ checkout }). */
  checkout: string
  remove(): Promise<void>
}

/**
 * Whether this checkout's git history holds `commit` (a tarball or a shallow clone does not). When it
 * does not, says so loudly: the tests that need it are skipped, not passed.
 */
export async function hasCommit(commit: string): Promise<boolean> {
  try {
    await run('git', ['-C', root, 'cat-file', '-e', `${commit}^{commit}`])
    return true
  } catch {
    process.stderr.write(
      `\n*** MISSING GIT HISTORY: commit ${commit} is not in ${root}; the tests that run that previous version are SKIPPED, not passed. ***\n\n`,
    )
    return false
  }
}

/**
 * A previous version of feecast, as its users ran it: `commit`'s tree (git archive, so this checkout and
 * its worktrees are untouched), built with its own client package and build settings. Its packages are
 * this checkout's node_modules, linked entry by entry, but for @feecast/client, which is the old tree's
 * own: this only works for a commit whose locked packages this checkout still has at the same versions.
 */
export async function buildPrevious(commit: string): Promise<PreviousBuild> {
  const checkout = await mkdtemp(join(tmpdir(), `feecast-${commit}-`))
  await run('bash', ['-c', `git -C '${root}' archive '${commit}' | tar -x -C '${checkout}'`])
  const modules = join(checkout, 'node_modules')
  mkdirSync(join(modules, '@feecast'), { recursive: true })
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === '@feecast') continue
    symlinkSync(join(root, 'node_modules', entry), join(modules, entry))
  }
  symlinkSync(join(checkout, 'packages/client'), join(modules, '@feecast/client'))
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  await run(process.execPath, ['build.mjs'], { cwd: join(checkout, 'packages/client') })
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: checkout })
  return { checkout, remove: () => rm(checkout, { recursive: true, force: true }) }
}
