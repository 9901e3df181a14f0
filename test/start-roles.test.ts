import { spawn } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../src/lib/freePort.js'
import { startTestRedis, type TestRedis } from './support/redis.js'

/** `feecast start` as a process, in the API-only role, against a real Redis. */
function runStart(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/feecast.mjs', 'start'], {
      env: { ...process.env, LOG_LEVEL: 'info', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve({ code, output })
    })
  })
}

describe('FEECAST_ROLE=api', () => {
  let redis: TestRedis
  beforeAll(async () => {
    redis = await startTestRedis()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('starts no devchain and stops with a clear error when no sampler has announced a chain', async () => {
    const { code, output } = await runStart({
      FEECAST_ROLE: 'api',
      REDIS_URL: redis.url,
      PORT: String(await freePort()),
    })
    expect(code).toBe(2)
    expect(output).toContain('found no chains')
    expect(output).not.toContain('embedded devchain started')
  })
})
