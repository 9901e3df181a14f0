import { mkdtempSync, rmSync } from 'node:fs'
import { createServer as createHttpServer } from 'node:http'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  contractHeader,
  contractVersion,
  createFeecastClient,
  FeecastContractMismatchError,
  type FeecastFallbackError,
  FeecastHttpError,
  FeecastUnavailableError,
  FeecastUrlError,
  feecastFees,
} from '@feecast/client'
import { Redis } from 'ioredis'
import { pino } from 'pino'
import { createPublicClient, http } from 'viem'
import { hardhat } from 'viem/chains'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PredictionSchema } from '../src/api/schemas.js'
import { type CreateApiServerReturnType, createApiServer } from '../src/api/server.js'
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
/** Requests the silent server has received: each is one attempt a client paid its timeout for. */
let silentRequests = 0
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
  silent = createServer((socket) => {
    hanging.add(socket)
    socket.on('data', (chunk: Buffer) => {
      silentRequests += chunk.toString('latin1').match(/^GET /gm)?.length ?? 0
    })
  })
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

  it('refuses at once a URL it cannot call (no scheme, not http), naming what it got', () => {
    for (const url of ['localhost:8080', 'ftp://feecast.example', '//feecast.example', ''])
      expect(() => createFeecastClient({ url }), url).toThrowError(FeecastUrlError)
    expect(() => createFeecastClient({ url: 'localhost:8080' })).toThrowError(/absolute http/)
    // A path is a browser page's own origin.
    expect(createFeecastClient({ url: '/feecast' }).url).toBe('/feecast')
  })

  it("falls back as 'chain-not-served' when feecast does not serve the chain, not as 'unavailable'", async () => {
    const fallbacks: FeecastFallbackError[] = []
    const estimate = feecastFees({ url: api.url, chainId: 424242, onFallback: (f) => fallbacks.push(f) })
    const client = createPublicClient({ chain: hardhat, transport: http(node.url) })
    const args = { client, multiply: (x: bigint) => x, block: undefined as never, request: undefined }
    expect(await estimate({ ...args, type: 'eip1559' })).toBeNull()
    expect(fallbacks.map((f) => f.reason)).toEqual(['chain-not-served'])
    expect(fallbacks[0]?.shortMessage).toBe('feecast does not serve chain 424242')
  })

  it('turns error answers into FeecastHttpError with status, code and Retry-After', async () => {
    const client = createFeecastClient({ url: api.url })
    const unknown = await client.predict({ chainId: 424242 }).catch((e) => e)
    expect(unknown).toBeInstanceOf(FeecastHttpError)
    expect(unknown).toMatchObject({ status: 404, code: 'unknown_chain' })
    const missing = await client.predict({ chainId: 8453 }).catch((e) => e)
    expect(missing).toMatchObject({ status: 503, code: 'no_prediction', retryAfterSeconds: 2 })
  })

  it('states the contract version it speaks in every answer, errors included', async () => {
    for (const path of ['/predict?chainId=31337', '/predict?chainId=424242', '/chains', '/nope']) {
      const response = await fetch(`${api.url}${path}`)
      expect(response.headers.get(contractHeader), path).toBe(contractVersion)
    }
  })

  it('says clearly when the server speaks another contract version', async () => {
    // A proxy in front of the real server that claims other versions (a test double of a newer feecast).
    let claimed = '1.0'
    const proxy = createHttpServer(async (req, res) => {
      const upstream = await fetch(`${api.url}${req.url}`)
      const headers = Object.fromEntries(upstream.headers)
      res.writeHead(upstream.status, { ...headers, [contractHeader.toLowerCase()]: claimed })
      res.end(Buffer.from(await upstream.arrayBuffer()))
    })
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
    const address = proxy.address()
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`
    try {
      const told: FeecastContractMismatchError[] = []
      const client = createFeecastClient({ url, onContractMismatch: (e) => told.push(e) })
      claimed = `${contractVersion.split('.')[0]}.99`
      const p = await client.predict({ chainId: hardhat.id })
      await client.predict({ chainId: hardhat.id })
      expect(p.chainId).toBe(hardhat.id)
      expect(told).toHaveLength(1)
      expect(told[0]).toMatchObject({
        clientVersion: contractVersion,
        serverVersion: claimed,
        breaking: false,
      })
      claimed = `${Number(contractVersion.split('.')[0]) + 1}.0`
      const error = await client.predict({ chainId: hardhat.id }).catch((e) => e)
      expect(error).toBeInstanceOf(FeecastContractMismatchError)
      expect(error.shortMessage).toMatch(new RegExp(`speaks contract ${claimed.replace('.', '\\.')}`))
    } finally {
      proxy.close()
    }
  })

  it('gives up after timeoutMs with FeecastUnavailableError', async () => {
    const error = await createFeecastClient({ url: silentUrl, timeoutMs: 200 })
      .predict({ chainId: 1 })
      .catch((e) => e)
    expect(error).toBeInstanceOf(FeecastUnavailableError)
    // The silent server never answers: only the client's own timeout ends this call (else the test times out).
    expect(error.shortMessage).toMatch(/within 200 ms/)
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

  it("raises maxFeePerGas by how much a caller's own tip passes feecast's", async () => {
    const estimate = feecastFees({ url: api.url, confidence: 90, withinBlocks: 3 })
    const client = createPublicClient({ chain: hardhat, transport: http(node.url) })
    const args = { client, multiply: (x: bigint) => x, block: undefined as never }
    const own = (await estimate({ ...args, type: 'eip1559', request: undefined })) as {
      maxFeePerGas: bigint
      maxPriorityFeePerGas: bigint
    }
    const bigTip = own.maxPriorityFeePerGas + 5_000_000_000n
    const raised = await estimate({
      ...args,
      type: 'eip1559',
      request: { maxPriorityFeePerGas: bigTip } as never,
    })
    expect(raised).toEqual({ maxPriorityFeePerGas: bigTip, maxFeePerGas: own.maxFeePerGas + 5_000_000_000n })
    // A smaller tip of the caller's keeps feecast's cap (the cap still covers the base fee it expects).
    const small = await estimate({ ...args, type: 'eip1559', request: { maxPriorityFeePerGas: 1n } as never })
    expect(small).toEqual({ maxPriorityFeePerGas: 1n, maxFeePerGas: own.maxFeePerGas })
  })

  it('skips a failing feecast for a growing back-off instead of paying its timeout on every call', async () => {
    const fallbacks: FeecastFallbackError[] = []
    const estimate = feecastFees({
      url: silentUrl,
      timeoutMs: 200,
      backoff: { initialMs: 60_000 },
      onFallback: (r) => fallbacks.push(r),
    })
    const client = createPublicClient({ chain: hardhat, transport: http(node.url) })
    const args = { client, multiply: (x: bigint) => x, block: undefined as never, request: undefined }
    const before = silentRequests
    for (let i = 0; i < 4; i++) expect(await estimate({ ...args, type: 'eip1559' })).toBeNull()
    // One attempt reached the hung server; the next three were skipped without a request.
    expect(silentRequests - before).toBe(1)
    expect(fallbacks.map((f) => f.reason)).toEqual([
      'unavailable',
      'backing-off',
      'backing-off',
      'backing-off',
    ])
    expect(fallbacks[0]?.cause).toBeInstanceOf(FeecastUnavailableError)
    expect(fallbacks[1]?.shortMessage).toMatch(/failed 1 time\(s\) in a row; skipped for another [0-9]+ ms/)
    expect(fallbacks[1]?.cause).toBeInstanceOf(FeecastUnavailableError)
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
    // feecast never answers here: only the plug-in's timeout lets viem's own estimate through.
    const fees = await client.estimateFeesPerGas()
    expect(fees).toEqual(await viemOwn())
    expect(fallbacks).toHaveLength(1)
    expect(fallbacks[0]).toMatchObject({ reason: 'unavailable' })
    expect((fallbacks[0] as FeecastFallbackError).cause).toBeInstanceOf(FeecastUnavailableError)
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
    expect(fallbacks[0]).toMatchObject({ reason: 'stale' })
    expect(String(fallbacks[0])).toMatch(/stale/)
  })
})
