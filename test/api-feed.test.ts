import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPredictionFeed, type PredictionFeed } from '../src/api/predictionFeed.js'
import { chainsKey, storeKeys } from '../src/store/keys.js'
import { type RedisServer, startRedisServer } from '../src/store/redisServer.js'
import { predictionFixture, publishPrediction } from './support/predictionFixture.js'

// The in-memory feed against a real Redis: what it accepts, what it ignores, and where chains come from.

let work: string
let redisServer: RedisServer
let redis: Redis
let feed: PredictionFeed
const logs: string[] = []

const eventually = async (check: () => boolean, ms = 3000) => {
  const end = Date.now() + ms
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20))
  return check()
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'feecast-api-feed-'))
  redisServer = await startRedisServer({ dataDir: join(work, 'redis') })
  redis = new Redis(redisServer.url)
  await redis.sadd(chainsKey, '8453', 'not-a-chain')
  await publishPrediction(redis, predictionFixture({ chainId: 1, blockNumber: 10, createdAt: 1_000 }), {
    publish: false,
  })
  const sink = new Writable({
    write(chunk, _e, done) {
      logs.push(chunk.toString())
      done()
    },
  })
  feed = createPredictionFeed({
    redis,
    chains: [137],
    logger: pino({ level: 'warn' }, sink),
    resyncIntervalMs: 60_000,
  })
  expect(await feed.whenSynced()).toBe(true)
})

afterAll(async () => {
  await feed?.close()
  await redis?.quit()
  await redisServer?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('createPredictionFeed', () => {
  it('reads what Redis holds at start; chains come from the config, the set and the predictions', () => {
    expect(feed.get(1)?.prediction.blockNumber).toBe(10)
    expect(feed.chainIds()).toEqual([1, 137, 8453])
    expect(feed.isKnownChain(8453)).toBe(true)
    expect(feed.isKnownChain(5)).toBe(false)
    expect(feed.status()).toMatchObject({ redisUp: true, synced: true })
  })

  it('takes newer predictions from pub/sub and ignores older ones', async () => {
    await publishPrediction(redis, predictionFixture({ chainId: 1, blockNumber: 12, createdAt: 3_000 }))
    expect(await eventually(() => feed.get(1)?.prediction.blockNumber === 12)).toBe(true)
    const version = feed.get(1)!.version
    await redis.publish(
      storeKeys(1).predictionChannel,
      JSON.stringify(predictionFixture({ chainId: 1, blockNumber: 11, createdAt: 2_000 })),
    )
    // A reorg recomputed at a lower height is newer by createdAt: taken.
    await redis.publish(
      storeKeys(1).predictionChannel,
      JSON.stringify(predictionFixture({ chainId: 1, blockNumber: 11, createdAt: 4_000 })),
    )
    expect(await eventually(() => feed.get(1)?.prediction.createdAt === 4_000)).toBe(true)
    expect(feed.get(1)!.version).not.toBe(version)
  })

  it('ignores what does not match the schema, and says so once', async () => {
    await redis.publish(storeKeys(1).predictionChannel, 'not json')
    await redis.publish(storeKeys(1).predictionChannel, JSON.stringify({ chainId: 1, blockNumber: 99 }))
    await redis.publish(storeKeys(1).predictionChannel, JSON.stringify({ chainId: 1, blockNumber: 98 }))
    await publishPrediction(redis, predictionFixture({ chainId: 1, blockNumber: 13, createdAt: 5_000 }))
    expect(await eventually(() => feed.get(1)?.prediction.blockNumber === 13)).toBe(true)
    const warnings = logs.join('')
    expect(warnings.match(/does not match the schema/g)).toHaveLength(1)
    expect(warnings).toContain('is not JSON')
  })

  it('catches up on resync with what pub/sub missed', async () => {
    await redis.set(
      storeKeys(8453).prediction,
      JSON.stringify(predictionFixture({ chainId: 8453, blockNumber: 7 })),
    )
    expect(feed.get(8453)).toBeUndefined()
    expect(await feed.resync()).toBe(true)
    expect(feed.get(8453)?.prediction.blockNumber).toBe(7)
  })
})
