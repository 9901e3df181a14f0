import { execFile } from 'node:child_process'
import { mkdtemp, rm, symlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildUpToDate } from '../scripts/installState.mjs'
import { startTestRedis, type TestRedis } from './support/redis.js'

/**
 * `npm start`'s set-up step (scripts/start.mjs) when a prerequisite is missing: one line that says what
 * to do, exit 2, never a stack trace. redis-server is hidden by a PATH holding only node and npm, and the
 * script runs as the unprivileged user `nobody`, so it may not install from apt (the CI machine runs as
 * root and has redis-server: both must be taken away to see this path).
 */

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const run = promisify(execFile)
let bin: string
let setpriv: string
let redis: TestRedis

beforeAll(async () => {
  // The set-up would rebuild a stale dist/ first (and fail as nobody): build it as the test's own user.
  if (!buildUpToDate(root)) await run('npm', ['run', '--silent', 'build'], { cwd: root, timeout: 300_000 })
  redis = await startTestRedis()
  setpriv = (await run('sh', ['-c', 'command -v setpriv'])).stdout.trim()
  bin = await mkdtemp(join(tmpdir(), 'feecast-path-'))
  for (const tool of ['node', 'npm', 'sh']) {
    const { stdout } = await run('sh', ['-c', `command -v ${tool}`])
    await symlink(stdout.trim(), join(bin, tool))
  }
})

afterAll(async () => {
  await redis?.stop()
  await rm(bin, { recursive: true, force: true })
})

async function startAsNobody(env: Record<string, string>) {
  return run(
    setpriv,
    ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, 'scripts/start.mjs'],
    {
      cwd: root,
      env: { PATH: bin, HOME: '/tmp', ...env },
      timeout: 60_000,
    },
  ).then(
    (r) => ({ code: 0, ...r }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  )
}

describe('npm start set-up, as a user who cannot install', () => {
  it('names the missing redis-server and the command that installs it, in one line, exit 2', async () => {
    const { code, stderr } = await startAsNobody({ FEECAST_STATE_DIR: '/tmp/feecast-nobody-state' })
    expect(code).toBe(2)
    expect(stderr.trim().split('\n')).toEqual([
      'feecast: redis-server is not installed: run `sudo apt-get install redis-server` and start again, or set REDIS_URL to an existing Redis',
    ])
  })

  it('does not ask for redis-server when REDIS_URL names a Redis: the service itself runs', async () => {
    // An API-only replica with no sampler announced exits 2 by itself: proof the set-up let it start.
    const { code, stdout, stderr } = await startAsNobody({
      REDIS_URL: redis.url,
      FEECAST_ROLE: 'api',
      PORT: '0',
    })
    expect(stderr).not.toMatch(/redis-server is not installed/)
    expect(code).toBe(2)
    expect(stdout).toContain('found no chains')
  })
})
