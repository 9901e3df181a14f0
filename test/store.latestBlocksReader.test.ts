import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { storeKeys } from '../src/store/keys.js'
import { createLatestBlocksReader, readLatestBlocks } from '../src/store/readLatestBlocks.js'
import { serializeBlockRecord } from '../src/store/serializeBlockRecord.js'
import type { BlockRecord } from '../src/types.js'
import { startTestRedis, type TestRedis } from './support/redis.js'

const hash = (n: number, fork = 0) => `0x${(n * 1000 + fork).toString(16).padStart(64, '0')}` as const

const record = (n: number, fork = 0): BlockRecord => ({
  number: n,
  hash: hash(n, fork),
  parentHash: hash(n - 1, fork),
  timestamp: 1_700_000_000 + n,
  baseFeePerGas: 1_000_000_000n + BigInt(n),
  gasUsed: 15_000_000n,
  gasLimit: 30_000_000n,
  txCount: 1,
  blobGasUsed: null,
  excessBlobGas: null,
  tips: null,
})

/**
 * The predictor's incremental window against a real redis-server, written in the store's layout (one member
 * per number, scored by it, as the writeBlocks script keeps it): after every kind of change the sampler can
 * make, it reads exactly what a full readLatestBlocks reads.
 */
describe('createLatestBlocksReader', () => {
  let redis: TestRedis
  beforeAll(async () => {
    redis = await startTestRedis()
  })
  afterAll(async () => {
    await redis?.stop()
  })

  it('reads what a full read reads after appends, a reorg, a gap filled below the head and a trim', async () => {
    const client = redis.client()
    const chainId = 4242
    const key = storeKeys(chainId).blocks
    const store = async (...records: BlockRecord[]) => {
      for (const r of records) {
        await client.zremrangebyscore(key, r.number, r.number)
        await client.zadd(key, r.number, serializeBlockRecord(r))
      }
    }
    const reader = createLatestBlocksReader(client, { chainId, count: 5 })
    const matchesFullRead = async () =>
      expect(await reader.read()).toEqual(await readLatestBlocks(client, { chainId, count: 5 }))

    await matchesFullRead() // nothing stored
    await store(record(1), record(2), record(3))
    await matchesFullRead() // fewer than the window
    await store(record(4))
    await matchesFullRead()
    await store(record(5), record(6), record(7))
    await matchesFullRead() // the window slides
    await matchesFullRead() // nothing new
    // A reorg rewrites 6 and 7 and adds 8.
    await store(record(6, 1), record(7, 1), record(8, 1))
    await matchesFullRead()
    expect((await reader.read()).at(-1)?.hash).toBe(hash(8, 1))
    // A head above a gap, then the gap filled below it.
    await store(record(10, 1))
    await matchesFullRead()
    await store(record(9, 1))
    await matchesFullRead()
    expect((await reader.read()).map((r) => r.number)).toEqual([6, 7, 8, 9, 10])
    // The oldest trimmed away.
    await client.zremrangebyrank(key, 0, 7)
    await matchesFullRead()
    // More new records than the window holds.
    await store(...[11, 12, 13, 14, 15, 16, 17].map((n) => record(n, 1)))
    await matchesFullRead()
    expect((await reader.read()).map((r) => r.number)).toEqual([13, 14, 15, 16, 17])
  })
})
