import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PredictionSchema, ReadySchema } from '../src/api/schemas.js'
import { type CreateApiServerReturnType, createApiServer } from '../src/api/server.js'
import { loadConfig } from '../src/config.js'
import { type RedisServer, startRedisServer } from '../src/store/redisServer.js'
import { predictionFixture, publishPrediction } from './support/predictionFixture.js'

// Redis is killed (SIGKILL) and restarted while requests flow: the API answers from memory meanwhile
// (no 5xx for fresh data), says so on /readyz, and follows new predictions again without a restart.

let work: string
let redisServer: RedisServer
let api: CreateApiServerReturnType
const now = () => Math.floor(Date.now() / 1000)

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'feecast-api-redis-'))
  redisServer = await startRedisServer({ dataDir: join(work, 'redis') })
})

afterAll(async () => {
  await api?.close()
  await redisServer?.stop()
  rmSync(work, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 })
})

describe('Redis goes away and comes back', () => {
  it('keeps answering from memory, marks aging data stale, and recovers by itself', async () => {
    const publisher = new Redis(redisServer.url, { maxRetriesPerRequest: null, retryStrategy: () => 100 })
    publisher.on('error', () => {})
    await publishPrediction(publisher, predictionFixture({ chainId: 1, blockNumber: 100, timestamp: now() }))
    // The devchain's bound is 30 s: this one turns stale during the outage, from memory alone.
    await publishPrediction(
      publisher,
      predictionFixture({ chainId: 1337, blockNumber: 5, timestamp: now() - 29 }),
    )

    const redis = new Redis(redisServer.url, { maxRetriesPerRequest: null })
    redis.on('error', () => {})
    api = await createApiServer({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_SECOND: '0' }),
      redis,
      logger: pino({ level: 'silent' }),
      chains: [1, 1337],
    })
    expect(await api.feed.whenSynced()).toBe(true)

    // Three clients polling all along.
    const statuses: number[] = []
    const failures: unknown[] = []
    let flowing = true
    const client = async () => {
      while (flowing) {
        try {
          const r = await fetch(`${api.url}/predict?chainId=1`)
          statuses.push(r.status)
          if (r.status === 200) PredictionSchema.parse(await r.json())
          else await r.text()
        } catch (error) {
          failures.push(error)
        }
        await new Promise((r) => setTimeout(r, 10))
      }
    }
    const clients = [client(), client(), client()]
    const ready = async () => ReadySchema.parse(await (await fetch(`${api.url}/readyz`)).json())

    await new Promise((r) => setTimeout(r, 300))
    await redisServer.kill()
    const down = Date.now()
    let sawDown = false
    while (Date.now() - down < 2500) {
      const r = await ready()
      if (!r.ready && r.reasons.includes('redis unreachable')) sawDown = true
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(sawDown).toBe(true)
    const during = await (await fetch(`${api.url}/predict?chainId=1337`)).json()
    expect(during).toMatchObject({ chainId: 1337, stale: true })

    await redisServer.restart()
    // A new prediction after the restart reaches the API without restarting it.
    await publishPrediction(publisher, predictionFixture({ chainId: 1, blockNumber: 101, timestamp: now() }))
    const end = Date.now() + 10_000
    let latest = 0
    while (Date.now() < end && latest !== 101) {
      latest = ((await (await fetch(`${api.url}/predict?chainId=1`)).json()) as { blockNumber: number })
        .blockNumber
      if (latest !== 101) await new Promise((r) => setTimeout(r, 100))
    }
    expect(latest).toBe(101)
    expect((await ready()).ready).toBe(true)

    flowing = false
    await Promise.all(clients)
    await publisher.quit()
    expect(failures).toEqual([])
    expect(statuses.length).toBeGreaterThan(50)
    expect(statuses.filter((s) => s !== 200)).toEqual([])
  })
})
