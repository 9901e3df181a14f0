import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { forgetChain, forgottenKeys } from '../src/store/forgetChain.js'
import { chainsKey, legacyPredictionKey, samplersKey, storeKeys } from '../src/store/keys.js'
import { readStoredChain } from '../src/store/readStoredChain.js'
import { startTestRedis, type TestRedis } from './support/redis.js'

/** forgetChain against a real redis-server: every key of one chain goes, its lease and every other key stay. */

let redis: TestRedis
beforeAll(async () => {
  redis = await startTestRedis()
})
afterAll(() => redis.stop())

/** Every key of the layout of `chainId` set to something (the blocks as a sorted set). */
async function storeEverything(client: ReturnType<TestRedis['client']>, chainId: number) {
  const { channel, predictionChannel, blocks, ...keys } = storeKeys(chainId)
  for (const key of Object.values(keys)) await client.set(key, `${key} value`)
  for (let n = 100; n < 110; n++) await client.zadd(blocks, n, `{"number":${n},"chain":${chainId}}`)
  await client.set(keys.head, JSON.stringify({ number: 109, hash: `0x${'ab'.repeat(32)}` }))
  await client.set(legacyPredictionKey(chainId), 'legacy')
  await client.sadd(chainsKey, String(chainId))
}

describe('forgetChain', () => {
  it("deletes the chain's history and what was derived from it, never its lease nor another chain's keys", async () => {
    const client = redis.client()
    await storeEverything(client, 5)
    await storeEverything(client, 55) // its hash tag {55} is not {5}: a prefix match would take it
    await storeEverything(client, 15)
    await client.zadd(samplersKey, Date.now(), 'replica')
    const before = new Map<string, string>()
    for (const key of await client.keys('*')) before.set(key, (await client.dumpBuffer(key))!.toString('hex'))

    expect(await readStoredChain(client, { chainId: 5 })).toMatchObject({ blocks: 10, oldest: 100 })
    const { deleted } = await forgetChain(client, { chainId: 5 })
    const keys = storeKeys(5)
    expect(deleted.sort()).toEqual([...forgottenKeys(5), legacyPredictionKey(5)].sort())
    expect(deleted).toEqual(expect.arrayContaining([keys.blocks, keys.head, keys.features, keys.health]))
    expect(deleted).not.toContain(keys.lease)
    expect(deleted).not.toContain(keys.leaseEpoch)
    expect(await readStoredChain(client, { chainId: 5 })).toEqual({ blocks: 0, oldest: null, head: null })

    const after = new Map<string, string>()
    for (const key of await client.keys('*')) after.set(key, (await client.dumpBuffer(key))!.toString('hex'))
    const gone = [...before.keys()].filter((k) => !after.has(k)).sort()
    expect(gone).toEqual(deleted.sort())
    for (const [key, value] of after) if (key !== chainsKey) expect(value, key).toBe(before.get(key))
    expect((await client.smembers(chainsKey)).sort()).toEqual(['15', '55'])
    // Forgetting it again deletes nothing more.
    expect((await forgetChain(client, { chainId: 5 })).deleted).toEqual([])
  })
})
