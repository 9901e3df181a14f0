import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PredictionSchema } from '../src/api/schemas.js'
import { type Devchain, startDevchain } from '../src/devchain/startDevchain.js'
import { createLogger } from '../src/lib/logger.js'
import { randomWalkForecaster } from '../src/model/randomWalkForecaster.js'
import { createPredictor, type Predictor } from '../src/predict/createPredictor.js'
import { createSampler } from '../src/sampler/createSampler.js'
import { storeKeys } from '../src/store/keys.js'
import { startTestRedis, type TestRedis } from './support/redis.js'
import { waitFor } from './support/waitFor.js'

/**
 * The predictor loop with real parts: a simulating devchain (fast blocks), a real redis-server, the real
 * sampler. The forecaster is the random-walk fallback so the test does not depend on a trained model
 * file; the calibration and tip logic are the production ones.
 */
describe('predictor on a live devchain', () => {
  let redis: TestRedis
  let devchain: Devchain
  let predictor: Predictor
  let stopSampler: () => Promise<void>

  beforeAll(async () => {
    redis = await startTestRedis()
    devchain = await startDevchain({ port: 0, blockTime: 0.25, history: 300, seed: 3 })
    const client = redis.client()
    const logger = createLogger('silent')
    predictor = createPredictor({
      chainId: devchain.chainId,
      redis: client,
      forecaster: randomWalkForecaster(),
      logger,
    })
    const sampler = createSampler({
      chainId: devchain.chainId,
      redis: client,
      rpcUrls: [devchain.url],
      historyBlocks: 300,
      maxStoredBlocks: 5000,
      backfillFullBlocks: 300,
      pollIntervalMs: 100,
      leaseTtlMs: 2000,
      logger,
      onRecord: (_record, { kind }) => kind !== 'backfill' && predictor.notify(),
      onEvent: (event) => event.type === 'synced' && predictor.notify(),
    })
    await sampler.start()
    stopSampler = () => sampler.stop()
  })

  afterAll(async () => {
    await stopSampler?.()
    await predictor?.stop()
    await devchain?.stop()
    await redis?.stop()
  })

  it('stores a valid prediction for the head, monotone in confidence and horizon', async () => {
    const reader = redis.client()
    const prediction = await waitFor(
      async () => {
        const raw = await reader.get(storeKeys(devchain.chainId).prediction)
        return raw ? PredictionSchema.parse({ ageMs: 0, stale: false, ...JSON.parse(raw) }) : null
      },
      { timeoutMs: 60_000, message: 'a stored prediction' },
    )
    expect(prediction.chainId).toBe(devchain.chainId)
    expect(prediction.blockNumber).toBeGreaterThanOrEqual(299)
    const fee = (p: number, n: number) => {
      const e = prediction.estimates.find((x) => x.confidence === p && x.withinBlocks === n)
      expect(e, `estimate p=${p} N=${n}`).toBeDefined()
      return { maxFee: BigInt(e!.maxFeePerGas), tip: BigInt(e!.maxPriorityFeePerGas) }
    }
    const pending = BigInt(prediction.pendingBaseFeePerGas)
    for (const n of [1, 3, 10]) {
      // The cap always covers the exact next base fee plus the tip.
      expect(fee(50, n).maxFee).toBeGreaterThanOrEqual(pending + fee(50, n).tip)
      expect(fee(50, n).maxFee - fee(50, n).tip <= fee(99, n).maxFee - fee(99, n).tip).toBe(true)
      expect(fee(50, n).tip <= fee(99, n).tip).toBe(true)
    }
    expect(fee(90, 3).maxFee - fee(90, 3).tip <= fee(90, 10).maxFee - fee(90, 10).tip).toBe(true)
    // N = 1: the next base fee is exact, so the cap is that plus the tip.
    expect(fee(90, 1).maxFee).toBe(pending + fee(90, 1).tip)
    expect(prediction.trust.reasons.length).toBeGreaterThan(0)
  })

  it('scores past estimates live and persists the calibration state', async () => {
    const reader = redis.client()
    const state = await waitFor(
      async () => {
        const raw = await reader.get(storeKeys(devchain.chainId).calibration)
        if (!raw) return null
        const parsed = JSON.parse(raw)
        const h = parsed.baseFee.horizons.indexOf(3)
        const c = parsed.baseFee.confidences.indexOf(90)
        return parsed.baseFee.scored[h][c] >= 10 ? parsed : null
      },
      { timeoutMs: 60_000, message: '10 scored estimates at p=90, N=3' },
    )
    const h = state.baseFee.horizons.indexOf(3)
    const c = state.baseFee.confidences.indexOf(90)
    expect(state.baseFee.covered[h][c]).toBeLessThanOrEqual(state.baseFee.scored[h][c])
    expect(state.tips.scored.flat().reduce((a: number, b: number) => a + b, 0)).toBeGreaterThan(0)
  })
})
