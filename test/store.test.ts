import type { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LeaseNotHeldError, StoredValueError } from '../src/store/errors.js'
import { readFeatures, writeFeatures } from '../src/store/features.js'
import { storeKeys } from '../src/store/keys.js'
import { acquireLease, readLease, releaseLease, renewLease } from '../src/store/lease.js'
import { readBlocks } from '../src/store/readBlocks.js'
import { readHead } from '../src/store/readHead.js'
import { readLatestBlocks } from '../src/store/readLatestBlocks.js'
import { parseBlockRecord, serializeBlockRecord } from '../src/store/serializeBlockRecord.js'
import { type BlockAnnouncement, subscribeBlocks } from '../src/store/subscribeBlocks.js'
import { writeBlocks } from '../src/store/writeBlocks.js'
import type { BlockRecord } from '../src/types.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

const hash = (n: number, fork = 0) => `0x${(n * 1000 + fork).toString(16).padStart(64, '0')}` as const

function record(n: number, fork = 0): BlockRecord {
  return {
    number: n,
    hash: hash(n, fork),
    parentHash: hash(n - 1, fork),
    timestamp: 1_700_000_000 + n,
    baseFeePerGas: 10n ** 30n + BigInt(n), // beyond 2^64: bigint survives the round trip
    gasUsed: 15_000_000n,
    gasLimit: 30_000_000n,
    txCount: 2,
    blobGasUsed: 131_072n,
    excessBlobGas: 0n,
    tips: { count: 2, threshold: 2n, min: 1n, p10: 1n, p25: 1n, p50: 1n, p75: 3n, p90: 3n, max: 3n, avg: 2n },
  }
}

describe('serializeBlockRecord', () => {
  it('round-trips every field, bigints beyond 2^53 and nulls included', () => {
    const full = record(7)
    expect(parseBlockRecord(serializeBlockRecord(full))).toEqual(full)
    const sparse: BlockRecord = {
      ...record(8),
      hash: null,
      parentHash: null,
      timestamp: null,
      gasUsed: null,
      tips: null,
    }
    expect(parseBlockRecord(serializeBlockRecord(sparse))).toEqual(sparse)
  })

  it('is deterministic and refuses what it did not write', () => {
    expect(serializeBlockRecord(record(9))).toBe(serializeBlockRecord(record(9)))
    expect(() => parseBlockRecord('{"number":1,"baseFeePerGas":1.5}')).toThrow(StoredValueError)
    expect(() => parseBlockRecord('not json')).toThrow(StoredValueError)
    expect(() => parseBlockRecord('{"hash":"0x"}')).toThrow(StoredValueError)
  })
})

describe('store on a real Redis', () => {
  let redis: TestRedis
  let client: Redis
  const chainId = 5

  beforeAll(async () => {
    redis = await startTestRedis()
    client = redis.client()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('leases: one holder, renewal, expiry, release, a growing epoch', async () => {
    const a = await acquireLease(client, { chainId, owner: 'a', ttlMs: 300 })
    expect(a).toBe('a|1')
    expect(await acquireLease(client, { chainId, owner: 'b', ttlMs: 300 })).toBeNull()
    // The holder asking again gets its own token back (a missed renewal is not a lost lease).
    expect(await acquireLease(client, { chainId, owner: 'a', ttlMs: 300 })).toBe(a)
    expect(await renewLease(client, { chainId, token: a!, ttlMs: 300 })).toBe(true)
    expect((await readLease(client, { chainId }))?.owner).toBe('a')
    // Expiry: b gets it with a new epoch; a's renewal and release are refused.
    const b = await waitFor(() => acquireLease(client, { chainId, owner: 'b', ttlMs: 5_000 }), {
      timeoutMs: 5_000,
      message: 'the lease to expire',
    })
    expect(b).toBe('b|2')
    expect(await renewLease(client, { chainId, token: a!, ttlMs: 300 })).toBe(false)
    expect(await releaseLease(client, { chainId, token: a! })).toBe(false)
    expect(await releaseLease(client, { chainId, token: b })).toBe(true)
    expect(await readLease(client, { chainId })).toBeNull()
  })

  it('writes are idempotent, fenced, bounded, announced; reads are by range', async () => {
    const token = (await acquireLease(client, { chainId, owner: 'w', ttlMs: 60_000 }))!
    const subscriber = redis.client()
    const announcements: BlockAnnouncement[] = []
    const unsubscribe = await subscribeBlocks(subscriber, {
      chainId,
      onAnnouncement: (a) => announcements.push(a),
    })

    const batch = [100, 101, 102, 103, 104].map((n) => record(n))
    await writeBlocks(client, { chainId, records: batch, leaseToken: token, maxStoredBlocks: 4 })
    // Written again, and once more with one record repeated inside the batch: still one record per number.
    await writeBlocks(client, {
      chainId,
      records: [...batch, record(104)],
      leaseToken: token,
      maxStoredBlocks: 4,
    })
    const stored = await client.zrange(storeKeys(chainId).blocks, 0, -1, 'WITHSCORES')
    // Bounded: the oldest (100) was trimmed.
    expect(stored.filter((_, i) => i % 2 === 1)).toEqual(['101', '102', '103', '104'])
    expect(await readBlocks(client, { chainId, from: 102, to: 103 })).toEqual([record(102), record(103)])
    expect(await readBlocks(client, { chainId, from: 90, to: 101 })).toEqual([record(101)])
    expect(await readLatestBlocks(client, { chainId, count: 2 })).toEqual([record(103), record(104)])
    expect(await readHead(client, { chainId })).toEqual(record(104))

    // Fencing: a stale or foreign token writes nothing.
    await expect(
      writeBlocks(client, { chainId, records: [record(105)], leaseToken: 'w|999', maxStoredBlocks: 4 }),
    ).rejects.toBeInstanceOf(LeaseNotHeldError)
    await expect(
      writeFeatures(client, {
        chainId,
        leaseToken: 'other|1',
        vector: { blockNumber: 1, names: [], values: [], updatedAt: 0 },
      }),
    ).rejects.toBeInstanceOf(LeaseNotHeldError)
    expect((await readHead(client, { chainId }))?.number).toBe(104)

    // A reorg onto a shorter chain: 103' replaces 103, and 104 of the old chain is removed.
    await writeBlocks(client, {
      chainId,
      records: [record(103, 1)],
      leaseToken: token,
      maxStoredBlocks: 4,
      truncateAbove: 103,
    })
    expect(await readBlocks(client, { chainId, from: 0, to: 1_000 })).toEqual([
      record(101),
      record(102),
      record(103, 1),
    ])
    expect(await readHead(client, { chainId })).toEqual(record(103, 1))

    await waitFor(() => announcements.length >= 3, { timeoutMs: 5_000, message: 'three announcements' })
    expect(announcements).toEqual([
      { chainId, number: 104, from: 100 },
      { chainId, number: 104, from: 100 },
      { chainId, number: 103, from: 103 },
    ])
    await unsubscribe()

    const vector = { blockNumber: 103, names: ['a', 'b'], values: [1.5, -2], updatedAt: 1 }
    await writeFeatures(client, { chainId, leaseToken: token, vector })
    expect(await readFeatures(client, { chainId })).toEqual(vector)
    await releaseLease(client, { chainId, token })
  })

  it('keeps every acknowledged write across a SIGKILL of redis-server', async () => {
    const other = 6
    const token = (await acquireLease(client, { chainId: other, owner: 'k', ttlMs: 60_000 }))!
    for (let n = 1; n <= 50; n++)
      await writeBlocks(client, {
        chainId: other,
        records: [record(n)],
        leaseToken: token,
        maxStoredBlocks: 1_000,
      })
    await redis.server.kill()
    await redis.server.restart()
    // The same client reconnects on its own; the lease survived too (its expiry is absolute).
    const after = await readBlocks(client, { chainId: other, from: 1, to: 50 })
    expect(after.map((r) => r.number)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1))
    await writeBlocks(client, {
      chainId: other,
      records: [record(51)],
      leaseToken: token,
      maxStoredBlocks: 1_000,
    })
    expect((await readHead(client, { chainId: other }))?.number).toBe(51)
  })
})
