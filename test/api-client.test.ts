import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { createPublicClient, http } from 'viem'
import { hardhat } from 'viem/chains'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PredictionSchema } from '../src/api/schemas.js'
import { type CreateApiServerReturnType, createApiServer } from '../src/api/server.js'
import {
  createFeecastClient,
  FeecastHttpError,
  FeecastUnavailableError,
  feecastFees,
} from '../src/client/index.js'
import { loadConfig } from '../src/config.js'
import { type RedisServer, startRedisServer } from '../src/store/redisServer.js'
import { type HardhatNode, startHardhatNode } from './support/hardhatNode.js'
import { predictionFixture, publishPrediction } from './support/predictionFixture.js'

// The client against a real feecast server, and feecastFees inside a real viem public client talking
// to a real hardhat node: feecast's fees when it answers, viem's own when it does not in time.

let work: string
let redisServer: RedisServer
let redis: Redis
let api: CreateApiServerReturnType
let node: HardhatNode
/** Accepts connections and never answers: a feecast that hangs. */
let silent: Server
let silentUrl: string
const hanging = new Set<import('node:net').Socket>()
const now = () => Math.floor(Date.now() / 1000)

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'feecast-api-client-'))
  redisServer = await startRedisServer({ dataDir: join(work, 'redis') })
  redis = new Redis(redisServer.url, { maxRetriesPerRequest: null })
  // No interval mining: the base fee holds still, so viem's own estimate is reproducible.
  node = await startHardhatNode({ intervalMs: 0 })
  await publishPrediction(redis, predictionFixture({ chainId: hardhat.id, blockNumber: 1, timestamp: now() }))
  await publishPrediction(redis, predictionFixture({ chainId: 1, blockNumber: 9, timestamp: now() - 3600 }))
  api = await createApiServer({
    config: loadConfig({ PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_SECOND: '0' }),
    redis,
    logger: pino({ level: 'silent' }),
    chains: [hardhat.id, 1, 8453],
  })
  await api.feed.whenSynced()
  silent = createServer((socket) => hanging.add(socket))
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r))
  const address = silent.address()
  silentUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
}, 120_000)

afterAll(async () => {
  for (const socket of hanging) socket.destroy()
  silent?.close()
  await api?.close()
  await node?.stop()
  await redis?.quit().catch(() => {})
  await redisServer?.stop()
  rmSync(work, { recursive: true, force: true })
})

describe('createFeecastClient', () => {
  it('predict() answers the typed Prediction, filtered', async () => {
    const client = createFeecastClient({ url: `${api.url}/`, timeoutMs: 2000 })
    const p = await client.predict({ chainId: hardhat.id, confidence: [90, 99], withinBlocks: 3 })
    expect(PredictionSchema.parse(p)).toEqual(p)
    expect(p.estimates.map((e) => [e.confidence, e.withinBlocks])).toEqual([
      [90, 3],
      [99, 3],
    ])
    expect((await client.chains()).chains.map((c) => c.chainId)).toEqual(
      expect.arrayContaining([1, 8453, hardhat.id]),
    )
  })

  it('turns error answers into FeecastHttpError with status, code and Retry-After', async () => {
    const client = createFeecastClient({ url: api.url })
    const unknown = await client.predict({ chainId: 424242 }).catch((e) => e)
    expect(unknown).toBeInstanceOf(FeecastHttpError)
    expect(unknown).toMatchObject({ status: 404, code: 'unknown_chain' })
    const missing = await client.predict({ chainId: 8453 }).catch((e) => e)
    expect(missing).toMatchObject({ status: 503, code: 'no_prediction', retryAfterSeconds: 2 })
  })

  it('gives up after timeoutMs with FeecastUnavailableError', async () => {
    const started = Date.now()
    const error = await createFeecastClient({ url: silentUrl, timeoutMs: 200 })
      .predict({ chainId: 1 })
      .catch((e) => e)
    expect(error).toBeInstanceOf(FeecastUnavailableError)
    expect(error.shortMessage).toMatch(/within 200 ms/)
    expect(Date.now() - started).toBeLessThan(1500)
  })
})

describe('feecastFees as viem chain.fees.estimateFeesPerGas', () => {
  const viemOwn = () => createPublicClient({ chain: hardhat, transport: http(node.url) }).estimateFeesPerGas()

  it("gives feecast's fees for the chosen confidence and horizon", async () => {
    const fallbacks: unknown[] = []
    const chain = {
      ...hardhat,
      fees: { estimateFeesPerGas: feecastFees({ url: api.url, onFallback: (r) => fallbacks.push(r) }) },
    }
    const client = createPublicClient({ chain, transport: http(node.url) })
    const fees = await client.estimateFeesPerGas()
    const p = await createFeecastClient({ url: api.url }).predict({
      chainId: hardhat.id,
      confidence: 90,
      withinBlocks: 3,
    })
    expect(fees).toEqual({
      maxFeePerGas: BigInt(p.estimates[0]!.maxFeePerGas),
      maxPriorityFeePerGas: BigInt(p.estimates[0]!.maxPriorityFeePerGas),
    })
    expect(fees).not.toEqual(await viemOwn())
    expect(fallbacks).toEqual([])
  })

  it('keeps what the request already sets, and answers a legacy gasPrice', async () => {
    const estimate = feecastFees({ url: api.url, confidence: 99, withinBlocks: 1 })
    const client = createPublicClient({ chain: hardhat, transport: http(node.url) })
    const args = { client, multiply: (x: bigint) => x, block: undefined as never }
    const kept = await estimate({ ...args, type: 'eip1559', request: { maxPriorityFeePerGas: 7n } as never })
    expect(kept).toMatchObject({ maxPriorityFeePerGas: 7n })
    const legacy = await estimate({ ...args, type: 'legacy', request: undefined })
    expect(legacy).toEqual({ gasPrice: expect.any(BigInt) })
  })

  it("falls back to viem's own estimate when feecast does not answer in time", async () => {
    const fallbacks: unknown[] = []
    const chain = {
      ...hardhat,
      fees: {
        estimateFeesPerGas: feecastFees({
          url: silentUrl,
          timeoutMs: 300,
          onFallback: (r) => fallbacks.push(r),
        }),
      },
    }
    const client = createPublicClient({ chain, transport: http(node.url) })
    const started = Date.now()
    const fees = await client.estimateFeesPerGas()
    expect(Date.now() - started).toBeLessThan(3000)
    expect(fees).toEqual(await viemOwn())
    expect(fallbacks).toHaveLength(1)
    expect(fallbacks[0]).toBeInstanceOf(FeecastUnavailableError)
  })

  it('falls back when feecast says its data is stale', async () => {
    const fallbacks: unknown[] = []
    // Chain 1's prediction is an hour old; ask for it while talking to the hardhat node.
    const chain = {
      ...hardhat,
      fees: {
        estimateFeesPerGas: feecastFees({ url: api.url, chainId: 1, onFallback: (r) => fallbacks.push(r) }),
      },
    }
    const fees = await createPublicClient({ chain, transport: http(node.url) }).estimateFeesPerGas()
    expect(fees).toEqual(await viemOwn())
    expect(String(fallbacks[0])).toMatch(/stale/)
  })
})
