import { chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../src/lib/freePort.js'
import { processAlive } from '../../src/store/dirLock.js'
import { type RedisServerEvent, redisServersOn, startRedisServer } from '../../src/store/redisServer.js'
import { type FeecastProcess, startFeecast, waitForStatus } from '../support/feecastProcess.js'
import { startTestRedis } from '../support/redis.js'
import { waitFor } from '../support/waitFor.js'

/**
 * Issue #11 items 7 and 8: the embedded redis-server is supervised (restarted with back-off, its own
 * error output surfaced), SIGTERM stays prompt when Redis is gone, no redis-server outlives a SIGKILLed
 * feecast or runs twice on one data directory, and a setting that keeps feecast from starting is one
 * line naming it and exit code 2, leaving nothing behind. Real `feecast start` processes, real
 * redis-servers (found by their working directory, which redis-server sets to its --dir).
 */

let work: string
const running: FeecastProcess[] = []

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'feecast-embedded-redis-'))
})
afterAll(async () => {
  for (const p of running) await p.stop('SIGKILL')
  await rm(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
})

const start = async (env: Record<string, string>) => {
  const p = await startFeecast({ env: { DEVCHAIN_BLOCK_TIME: '0.5', ...env } })
  running.push(p)
  return p
}

const redisPidOf = async (p: FeecastProcess) =>
  Number((await p.waitForLog(/embedded redis-server started/, 60_000)).pid)

const metric = async (p: FeecastProcess, pattern: RegExp) =>
  Number(pattern.exec(await (await fetch(`${p.url}/metrics`)).text())?.[1] ?? Number.NaN)

describe('the embedded redis-server', () => {
  it('is restarted when it dies, with what it said, and nothing stored is lost', async () => {
    const stateDir = join(work, 'supervised')
    const p = await start({ FEECAST_STATE_DIR: stateDir })
    const pid = await redisPidOf(p)
    await waitForStatus(`${p.url}/readyz`, 200, 90_000)
    const port = Number((await p.waitForLog(/embedded redis-server started/, 1_000)).port)
    const probe = new Redis(port, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    await probe.connect()
    const before = await probe.zcard('feecast:{1337}:blocks')
    probe.disconnect()

    process.kill(pid, 'SIGKILL')
    const exited = await p.waitForLog(/embedded redis-server exited: restarting it/, 10_000)
    expect(String(exited.lastOutput)).toContain('Ready to accept connections')
    await p.waitForLog(/embedded redis-server restarted/, 30_000)
    expect(redisServersOn(join(stateDir, 'redis'))).toHaveLength(1)
    await waitForStatus(`${p.url}/readyz`, 200, 60_000)
    const again = new Redis(port, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    await again.connect()
    await waitFor(async () => (await again.zcard('feecast:{1337}:blocks')) > before, {
      timeoutMs: 30_000,
      message: 'new blocks stored after the restart',
    })
    again.disconnect()
    expect(
      await metric(p, /feecast_embedded_redis_restarts_total\{outcome="ok"\} (\d+)/),
    ).toBeGreaterThanOrEqual(1)
    expect(await metric(p, /feecast_embedded_redis_up\{redis="embedded"\} (\d+)/)).toBe(1)
    expect(await p.stop('SIGTERM')).toBe(0)
    expect(redisServersOn(join(stateDir, 'redis'))).toEqual([])
  }, 180_000)

  it('surfaces its own error output when it cannot start again, and recovers once the cause is gone', async () => {
    const dataDir = join(work, 'bad-aof')
    const events: RedisServerEvent[] = []
    const server = await startRedisServer({
      dataDir,
      supervise: true,
      restartDelayMs: { initial: 1_500, max: 1_500 },
      onEvent: (e) => events.push(e),
    })
    try {
      const client = new Redis(server.port, { maxRetriesPerRequest: 0, retryStrategy: () => 200 })
      client.on('error', () => {})
      await client.set('kept', 'yes')
      const aofDir = join(dataDir, 'appendonlydir')
      const manifest = readdirSync(aofDir).find((f) => f.endsWith('.manifest'))!
      const good = readFileSync(join(aofDir, manifest))
      process.kill(server.pid!, 'SIGKILL')
      // Before the first restart: the append-only manifest is garbage, as after a bad disk.
      writeFileSync(join(aofDir, manifest), 'this is not a manifest\n')
      const failed = await waitFor(() => events.find((e) => e.type === 'restart-failed'), {
        timeoutMs: 10_000,
        message: 'a failed restart',
      })
      expect(failed.type === 'restart-failed' && failed.error.message).toMatch(/manifest/i)
      writeFileSync(join(aofDir, manifest), good)
      await waitFor(() => events.find((e) => e.type === 'restarted'), {
        timeoutMs: 15_000,
        message: 'a restart',
      })
      await waitFor(async () => (await client.get('kept').catch(() => null)) === 'yes', {
        timeoutMs: 10_000,
        message: 'the data back',
      })
      client.disconnect()
    } finally {
      await server.stop()
    }
    expect(redisServersOn(dataDir)).toEqual([])
  }, 60_000)

  it('does not outlive a SIGKILLed feecast, and a restart finds one redis-server, never two', async () => {
    const stateDir = join(work, 'killed')
    const dataDir = join(stateDir, 'redis')
    const first = await start({ FEECAST_STATE_DIR: stateDir })
    const pid = await redisPidOf(first)
    await waitForStatus(`${first.url}/readyz`, 200, 90_000)
    first.child.kill('SIGKILL')
    await first.exited
    // Restarted at once, while the old redis-server may still be shutting down.
    let most = 0
    const watch = setInterval(() => (most = Math.max(most, redisServersOn(dataDir).length)), 20)
    const second = await start({ FEECAST_STATE_DIR: stateDir })
    try {
      await waitFor(() => !processAlive(pid), { timeoutMs: 15_000, message: `redis-server ${pid} to exit` })
      await waitForStatus(`${second.url}/readyz`, 200, 90_000)
    } finally {
      clearInterval(watch)
    }
    expect(most).toBeLessThanOrEqual(1)
    expect(redisServersOn(dataDir)).toHaveLength(1)
    second.child.kill('SIGKILL')
    await second.exited
    await waitFor(() => redisServersOn(dataDir).length === 0, {
      timeoutMs: 15_000,
      message: 'no redis-server left after SIGKILL',
    })
  }, 240_000)
})

describe("a terminal's Ctrl-C", () => {
  it('stops feecast and its redis-server in order: exit 0, no error, no restart, no warning from a routine start and stop', async () => {
    const stateDir = join(work, 'ctrl-c')
    const dataDir = join(stateDir, 'redis')
    // Its own process group, as a shell's foreground job: Ctrl-C signals every process in it.
    const p = await startFeecast({
      // debug: redis-server's routine lines are logged, at debug, and seen here.
      env: { DEVCHAIN_BLOCK_TIME: '0.5', FEECAST_STATE_DIR: stateDir, LOG_LEVEL: 'debug' },
      spawnOptions: { detached: true },
    })
    running.push(p)
    await redisPidOf(p)
    await waitForStatus(`${p.url}/readyz`, 200, 90_000)
    process.kill(-(p.child.pid as number), 'SIGINT')
    expect(await p.exited, p.output().slice(-3000)).toBe(0)
    const logs = p.logs()
    expect(logs.filter((l) => Number(l.level) >= 50)).toEqual([])
    expect(
      logs.filter((l) => /redis-server (exited|restarted)|redis unreachable/.test(String(l.msg))),
    ).toEqual([])
    // Redis's own WARNINGs about the machine (memory overcommit, say) are the operator's to see.
    const routine = logs.filter((l) => l.msg === 'redis-server says' && !/WARNING/.test(String(l.line)))
    expect(routine.length).toBeGreaterThan(3)
    expect(routine.filter((l) => Number(l.level) >= 40)).toEqual([])
    expect(logs.some((l) => l.msg === 'stopped')).toBe(true)
    await waitFor(() => redisServersOn(dataDir).length === 0, {
      timeoutMs: 15_000,
      message: 'no redis-server left after Ctrl-C',
    })
  }, 180_000)
})

describe('SIGTERM when an external Redis is gone', () => {
  it('exits 0, promptly', async () => {
    const redis = await startTestRedis()
    const p = await start({ REDIS_URL: redis.url, FEECAST_STATE_DIR: join(work, 'external') })
    await waitForStatus(`${p.url}/readyz`, 200, 90_000)
    await redis.stop()
    await waitForStatus(`${p.url}/readyz`, 503, 30_000)
    const signalled = Date.now()
    expect(await p.stop('SIGTERM', 30_000)).toBe(0)
    console.log(`SIGTERM with Redis gone: exit after ${Date.now() - signalled} ms`)
    expect(p.output()).not.toContain('shutdown deadline passed')
  }, 180_000)
})

describe('a setting that keeps feecast from starting', () => {
  /** Runs feecast until it exits; its exit code, stderr and everything it wrote. */
  const failing = async (env: Record<string, string>, spawnOptions = {}) => {
    const p = await startFeecast({ env: { DEVCHAIN_BLOCK_TIME: '0.5', ...env }, spawnOptions })
    running.push(p)
    const code = await Promise.race([
      p.exited,
      new Promise<'running'>((r) => setTimeout(() => r('running'), 60_000)),
    ])
    return { code, stderr: p.stderr(), output: p.output() }
  }
  const expectOneLine = (result: { code: unknown; stderr: string; output: string }, setting: string) => {
    expect(result.code, result.output).toBe(2)
    const lines = result.stderr.split('\n').filter((l) => l.trim() !== '')
    expect(lines, result.stderr).toHaveLength(1)
    expect(lines[0]).toMatch(new RegExp(`^feecast: ${setting}\\b`))
    expect(result.output).not.toMatch(/\n\s+at /)
  }

  it('another feecast on the same state directory: exit 2 naming FEECAST_STATE_DIR, one redis-server', async () => {
    const stateDir = join(work, 'shared')
    const owner = await start({ FEECAST_STATE_DIR: stateDir })
    await waitForStatus(`${owner.url}/readyz`, 200, 90_000)
    const second = await failing({ FEECAST_STATE_DIR: stateDir })
    expectOneLine(second, 'FEECAST_STATE_DIR')
    expect(second.stderr).toMatch(/in use by another feecast \(pid \d+\)/)
    expect(redisServersOn(join(stateDir, 'redis'))).toHaveLength(1)
    await waitForStatus(`${owner.url}/readyz`, 200, 5_000)
    expect(await owner.stop('SIGTERM')).toBe(0)
  }, 180_000)

  it('a port in use: exit 2 naming PORT, nothing left running', async () => {
    const port = await freePort()
    const blocker: Server = createServer()
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', () => r()))
    const stateDir = join(work, 'port')
    try {
      const result = await failing({ FEECAST_STATE_DIR: stateDir, PORT: String(port) })
      expectOneLine(result, 'PORT')
      expect(result.stderr).toContain(`already in use`)
    } finally {
      blocker.close()
    }
    expect(redisServersOn(join(stateDir, 'redis'))).toEqual([])
  }, 90_000)

  it('a HOST that does not resolve: exit 2 naming HOST', async () => {
    expectOneLine(
      await failing({ FEECAST_STATE_DIR: join(work, 'host'), HOST: 'no-such-host.invalid' }),
      'HOST',
    )
  }, 90_000)

  it('a state directory it cannot write: exit 2 naming FEECAST_STATE_DIR', async () => {
    // Under /proc nothing can be created (ENOENT), whoever runs it.
    const result = await failing({ FEECAST_STATE_DIR: '/proc/feecast-state' })
    expectOneLine(result, 'FEECAST_STATE_DIR')
    // A read-only directory, for a user who may not write it (root may write anywhere: run as nobody).
    if (process.getuid?.() === 0) {
      const readOnly = join(work, 'read-only')
      mkdirSync(readOnly, { mode: 0o555 })
      chownSync(readOnly, 0, 0)
      const asNobody = await failing(
        { FEECAST_STATE_DIR: join(readOnly, 'state'), HOME: '/tmp' },
        { uid: 65_534, gid: 65_534 },
      )
      expectOneLine(asNobody, 'FEECAST_STATE_DIR')
      expect(asNobody.stderr).toMatch(/EACCES/)
    }
  }, 90_000)
})
