import { feecastBlobFee, feecastFees, type Prediction } from '@feecast/client'
import { pino } from 'pino'
import { createPublicClient, defineChain, http } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type CreateApiServerReturnType, createApiServer } from '../src/api/server.js'
import { loadConfig } from '../src/config.js'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { defaultBlobModelDir } from '../src/model/defaultModel.js'
import { loadBlobFeeModel } from '../src/model/loadBlobFeeModel.js'
import { randomWalkForecaster } from '../src/model/randomWalkForecaster.js'
import { createPredictor, type Predictor } from '../src/predict/createPredictor.js'
import { createSampler } from '../src/sampler/createSampler.js'
import { storeKeys } from '../src/store/keys.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * The blob path end to end with real parts: the devchain (a real JSON-RPC server of this project: hardhat 2
 * mines Cancun headers but sending blob transactions from JS needs a KZG setup and hardhat's blob support,
 * so the devchain's own blob demand stands in for a node with blobs), the real sampler and predictor (the
 * shipped blob-fee model), a real redis-server, the real API over HTTP, and the client package with the real
 * viem. A second devchain with a chain id that has no blob schedule checks that nothing is invented there.
 */
describe('blob fees: devchain → sampler → predictor → /predict', { timeout: 240_000 }, () => {
  let redis: TestRedis
  let devchain: Devchain
  let plain: Devchain
  let api: CreateApiServerReturnType
  const stops: (() => Promise<void>)[] = []

  async function follow(chain: Devchain, predictor: Predictor) {
    const sampler = createSampler({
      chainId: chain.chainId,
      redis: redis.client(),
      rpcUrls: [chain.url],
      historyBlocks: 200,
      maxStoredBlocks: 5000,
      backfillFullBlocks: 200,
      pollIntervalMs: 100,
      leaseTtlMs: 2000,
      logger: pino({ level: 'silent' }),
      onRecord: (_record, { kind }) => kind !== 'backfill' && predictor.notify(),
      onEvent: (event) => event.type === 'synced' && predictor.notify(),
    })
    await sampler.start()
    stops.push(
      () => sampler.stop(),
      () => predictor.stop(),
    )
  }

  beforeAll(async () => {
    redis = await startTestRedis()
    devchain = await startDevchain({ port: 0, blockTime: 0.25, history: 200, seed: 5 })
    // 31337 has no built-in blob schedule: the same devchain, a chain without blobs.
    plain = await startDevchain({ port: 0, blockTime: 0.25, history: 200, seed: 6, chainId: 31337 })
    const blobForecaster = await loadBlobFeeModel({ dir: defaultBlobModelDir })
    for (const chain of [devchain, plain])
      await follow(
        chain,
        createPredictor({
          chainId: chain.chainId,
          redis: redis.client(),
          forecaster: randomWalkForecaster(),
          blobForecaster,
          logger: pino({ level: process.env.DEBUG_BLOB ? 'debug' : 'silent' }),
        }),
      )
    api = await createApiServer({
      config: loadConfig({ PORT: '0', HOST: '127.0.0.1', RATE_LIMIT_PER_SECOND: '0' }),
      redis: redis.client(),
      logger: pino({ level: 'silent' }),
      chains: [devchain.chainId, plain.chainId],
    })
    await api.feed.whenSynced()
  }, 120_000)

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop()
    await api?.close({ deadlineMs: 2_000 })
    await devchain?.stop()
    await plain?.stop()
    await redis?.stop()
  })

  const predict = async (chainId: number, query = '') => {
    const response = await fetch(`http://127.0.0.1:${api.port}/predict?chainId=${chainId}${query}`)
    return { status: response.status, body: (await response.json()) as Prediction }
  }

  it('serves maxFeePerBlobGas per estimate, the exact next blob base fee and the blob forecast', async () => {
    const { body } = await waitFor(
      async () => {
        const answer = await predict(devchain.chainId, '&withinBlocks=1,3,10,20')
        return answer.status === 200 && answer.body.pendingBlobBaseFeePerGas ? answer : null
      },
      { timeoutMs: 180_000, message: 'a prediction with blob fields' },
    )
    const pending = BigInt(body.pendingBlobBaseFeePerGas!)
    // The exact next blob base fee is what the node says for the head the prediction was made at.
    const node = createPublicClient({ transport: http(devchain.url) })
    const head = await node.getBlock({ blockNumber: BigInt(body.blockNumber) })
    expect(head.excessBlobGas).toBeGreaterThan(0n)
    expect(body.estimates.length).toBe(5 * 4)
    const cap = (p: number, n: number) => {
      const e = body.estimates.find((x) => x.confidence === p && x.withinBlocks === n)!
      expect(e.maxFeePerBlobGasGwei).toBeCloseTo(Number(e.maxFeePerBlobGas) / 1e9, 6)
      return BigInt(e.maxFeePerBlobGas!)
    }
    for (const n of [1, 3, 10, 20]) {
      expect(cap(50, n)).toBeGreaterThanOrEqual(pending)
      for (const [lo, hi] of [
        [50, 70],
        [70, 90],
        [90, 95],
        [95, 99],
      ] as const)
        expect(cap(lo, n) <= cap(hi, n), `p${lo} <= p${hi} at N=${n}`).toBe(true)
    }
    // One block ahead the fee is exact: no headroom at any confidence.
    expect(cap(99, 1)).toBe(pending)
    expect(cap(99, 20) > pending).toBe(true)
    expect(body.blobBaseFeeForecast?.map((f) => f.blocksAhead)).toEqual([2, 3, 5, 10, 20])
    for (const f of body.blobBaseFeeForecast!)
      expect(BigInt(f.quantiles['50']) <= BigInt(f.quantiles['99'])).toBe(true)
  })

  it('the next blob base fee matches eth_blobBaseFee at the same head', async () => {
    devchain.pause()
    try {
      const head = (await createPublicClient({ transport: http(devchain.url) }).getBlockNumber()) as bigint
      const { body } = await waitFor(
        async () => {
          const answer = await predict(devchain.chainId)
          return answer.body.blockNumber === Number(head) ? answer : null
        },
        { timeoutMs: 90_000, message: `a prediction at the paused head ${head}` },
      )
      const node = createPublicClient({ transport: http(devchain.url) })
      expect(BigInt(body.pendingBlobBaseFeePerGas!)).toBe(await node.getBlobBaseFee())
    } finally {
      devchain.resume()
    }
  })

  it('a chain without blobs carries no blob field at all', async () => {
    const { body } = await waitFor(
      async () => {
        const answer = await predict(plain.chainId)
        return answer.status === 200 ? answer : null
      },
      { timeoutMs: 60_000, message: 'a prediction of the chain without blobs' },
    )
    expect(body.pendingBlobBaseFeePerGas).toBeUndefined()
    expect(body.blobBaseFeeForecast).toBeUndefined()
    for (const e of body.estimates) {
      expect(e).not.toHaveProperty('maxFeePerBlobGas')
      expect(e).not.toHaveProperty('maxFeePerBlobGasGwei')
    }
  })

  it('scores the blob estimates live and persists the calibration per regime', async () => {
    const state = await waitFor(
      async () => {
        const raw = await redis.client().get(storeKeys(devchain.chainId).blobCalibration)
        if (!raw) return null
        const parsed = JSON.parse(raw) as { priced: { scored: number[][] }; floor: { scored: number[][] } }
        const scored = parsed.priced.scored.flat().reduce((a, b) => a + b, 0)
        return scored > 0 ? parsed : null
      },
      { timeoutMs: 60_000, message: 'scored blob estimates' },
    )
    expect(state.priced.scored.flat().some((n) => n > 0)).toBe(true)
    const metrics = await (await fetch(`http://127.0.0.1:${api.port}/metrics`)).text()
    expect(metrics).toMatch(
      new RegExp(`feecast_predicted_max_fee_per_blob_gas_gwei\\{chain_id="${devchain.chainId}"`),
    )
  })

  it('feecastBlobFee gives viem maxFeePerBlobGas for a blob transaction; null with no-blobs elsewhere', async () => {
    const url = `http://127.0.0.1:${api.port}`
    const reasons: string[] = []
    const blobFee = feecastBlobFee({
      url,
      confidence: 95,
      withinBlocks: 10,
      acceptStale: true,
      onFallback: (e) => reasons.push(e.reason),
    })
    const maxFeePerBlobGas = await blobFee({ chainId: devchain.chainId })
    expect(maxFeePerBlobGas).not.toBeNull()
    const chain = defineChain({
      id: devchain.chainId,
      name: 'devchain',
      nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
      rpcUrls: { default: { http: [devchain.url] } },
      fees: { estimateFeesPerGas: feecastFees({ url, confidence: 95, withinBlocks: 10, acceptStale: true }) },
    })
    const client = createPublicClient({ chain, transport: http(devchain.url) })
    const request = await client.prepareTransactionRequest({
      account: '0x000000000000000000000000000000000000dEaD',
      to: '0x000000000000000000000000000000000000bEEF',
      type: 'eip4844',
      blobVersionedHashes: [`0x01${'ab'.repeat(31)}`],
      maxFeePerBlobGas: maxFeePerBlobGas!,
      gas: 21_000n,
      nonce: 0,
      parameters: ['fees'],
    })
    expect(request.maxFeePerBlobGas).toBe(maxFeePerBlobGas)
    const { body } = await predict(devchain.chainId, '&confidence=95&withinBlocks=10')
    expect(BigInt(body.estimates[0]!.maxFeePerBlobGas!) > 0n).toBe(true)
    expect(reasons).toEqual([])

    expect(await blobFee({ chainId: plain.chainId })).toBeNull()
    expect(reasons).toEqual(['no-blobs'])
  })
})
