import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLogger } from '../src/lib/logger.js'
import { createLeaseKeeper, type LeaseChange, type LeaseKeeper } from '../src/sampler/leaseKeeper.js'
import { storeKeys } from '../src/store/keys.js'
import { readLease } from '../src/store/lease.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/** The sampler's lease keeper on a real redis-server: acquire, renew, lose, release. */
describe('lease keeper', () => {
  let redis: TestRedis
  let client: Redis
  let chainId = 100
  beforeAll(async () => {
    redis = await startTestRedis()
    client = redis.client()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  const keeper = (owner: string, ttlMs = 300) => {
    const changes: LeaseChange[] = []
    const k: LeaseKeeper = createLeaseKeeper({
      redis: client,
      chainId,
      owner,
      ttlMs,
      storeTimeoutMs: 1_000,
      logger: createLogger('silent'),
      onChange: (change) => changes.push(change),
    })
    return { keeper: k, changes }
  }

  it('takes a free lease, keeps it by renewing past its TTL, and leaves another replica standing by', async () => {
    chainId++
    const a = keeper('a', 600)
    const b = keeper('b', 600)
    expect(await a.keeper.ensure()).toBe(true)
    const token = a.keeper.token()
    expect(token).toMatch(/^a\|\d+$/)
    expect(a.changes).toEqual([{ type: 'leader', token }])

    expect(await b.keeper.ensure()).toBe(false)
    expect(await b.keeper.ensure()).toBe(false)
    expect(b.keeper.token()).toBeNull()
    // Said once per wait, with who holds it.
    expect(b.changes).toEqual([{ type: 'standby', holder: 'a' }])

    // Three TTLs later it is still a's: renewed in the background.
    await new Promise((r) => setTimeout(r, 1_800))
    expect(a.keeper.token()).toBe(token)
    expect((await readLease(client, { chainId }))?.token).toBe(token)
    expect(await b.keeper.ensure()).toBe(false)
    await a.keeper.release()
  })

  it('releases the lease so a standby takes it at once, with a new epoch', async () => {
    chainId++
    const a = keeper('a', 60_000)
    const b = keeper('b', 60_000)
    expect(await a.keeper.ensure()).toBe(true)
    const first = Number(a.keeper.token()?.split('|')[1])
    expect(await b.keeper.ensure()).toBe(false)
    await a.keeper.release()
    expect(a.keeper.token()).toBeNull()
    expect(await readLease(client, { chainId })).toBeNull()
    expect(await b.keeper.ensure()).toBe(true)
    expect(Number(b.keeper.token()?.split('|')[1])).toBe(first + 1)
    expect(b.changes.map((c) => c.type)).toEqual(['standby', 'leader'])
    // Releasing what it no longer holds does nothing (and does not throw).
    await a.keeper.release()
    expect(b.keeper.token()).not.toBeNull()
    await b.keeper.release()
  })

  it('loses the lease when a renewal is refused, and on a refused write; takes it again when free', async () => {
    chainId++
    const a = keeper('a')
    expect(await a.keeper.ensure()).toBe(true)
    // Another replica takes over behind a's back (as after an expiry a did not notice).
    await client.set(storeKeys(chainId).lease, 'b|99', 'PX', 60_000)
    await waitFor(() => a.changes.some((c) => c.type === 'lease-lost'), {
      timeoutMs: 5_000,
      message: 'the refused renewal did not lose the lease',
    })
    expect(a.changes.at(-1)).toEqual({
      type: 'lease-lost',
      why: 'renewal refused: the lease expired or another replica holds it',
    })
    expect(a.keeper.token()).toBeNull()
    expect(await a.keeper.ensure()).toBe(false)

    await client.del(storeKeys(chainId).lease)
    expect(await a.keeper.ensure()).toBe(true)
    a.keeper.lose('a write was refused')
    expect(a.keeper.token()).toBeNull()
    expect(a.changes.at(-1)).toEqual({ type: 'lease-lost', why: 'a write was refused' })
    // Still its own in Redis: ensure() takes it straight back.
    expect(await a.keeper.ensure()).toBe(true)
    await a.keeper.release()
  })

  it('counts the lease as held only for a TTL after the last renewal Redis answered', async () => {
    chainId++
    const a = keeper('a', 400)
    expect(await a.keeper.ensure()).toBe(true)
    const pid = redis.server.pid
    if (pid === undefined) throw new Error('redis-server has no pid')
    process.kill(pid, 'SIGSTOP')
    try {
      await waitFor(() => a.keeper.token() === null, {
        timeoutMs: 5_000,
        message: 'the lease still counted as held with Redis frozen',
      })
      // Not a lease-lost yet: that is decided when Redis answers (or the next ensure()).
      expect(a.changes.map((c) => c.type)).toEqual(['leader'])
    } finally {
      process.kill(pid, 'SIGCONT')
    }
    // Redis is back: the lease expired meanwhile, so ensure() reports it lost, then takes it anew.
    await waitFor(async () => (await client.ping()) === 'PONG', { timeoutMs: 5_000, message: 'redis back' })
    expect(await a.keeper.ensure()).toBe(true)
    expect(a.changes.map((c) => c.type)).toContain('lease-lost')
    expect(a.changes.at(-1)?.type).toBe('leader')
    await a.keeper.release()
  })
})
