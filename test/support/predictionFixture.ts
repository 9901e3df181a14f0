import { confidenceLevels, horizons, type Prediction } from '@feecast/client'
import type { Redis } from 'ioredis'
import { PredictionSchema } from '../../src/api/schemas.js'
import { chainsKey, storeKeys } from '../../src/store/keys.js'

/**
 * Valid `Prediction`s for the API tests, until the real predictor feeds them: every confidence level ×
 * horizon, fees that grow with both, a base-fee forecast, and the optional market summary.
 */
export type PredictionFixtureParameters = {
  chainId?: number
  blockNumber?: number
  /** Head block time, unix seconds (default: now). */
  timestamp?: number
  /** Default: now (ms). */
  createdAt?: number
  pendingBaseFeePerGas?: bigint
  /** Leave out the optional market summary. */
  withoutMarket?: boolean
  confidence?: readonly number[]
  withinBlocks?: readonly number[]
}

const gwei = 1_000_000_000n
const toGwei = (wei: bigint) => Number(wei) / 1e9

export function predictionFixture({
  chainId = 1337,
  blockNumber = 100,
  timestamp = Math.floor(Date.now() / 1000),
  createdAt = Date.now(),
  pendingBaseFeePerGas = 20n * gwei,
  withoutMarket = false,
  confidence = confidenceLevels,
  withinBlocks = horizons,
}: PredictionFixtureParameters = {}): Prediction {
  const base = pendingBaseFeePerGas
  const estimates = []
  for (const n of withinBlocks)
    for (const p of confidence) {
      // The tip needed falls with the horizon and rises with the confidence; the cap covers base-fee growth.
      const tip = (gwei * BigInt(50 + p * 2)) / BigInt(100 * n)
      const growth = 1000n + BigInt(Math.round(125 * Math.min(n - 1, 8) * (p / 100)))
      const maxFee = (base * growth) / 1000n + tip
      const expected = base + tip
      estimates.push({
        confidence: p,
        withinBlocks: n,
        maxPriorityFeePerGas: tip.toString(),
        maxFeePerGas: maxFee.toString(),
        expectedFeePerGas: expected.toString(),
        maxPriorityFeePerGasGwei: toGwei(tip),
        maxFeePerGasGwei: toGwei(maxFee),
      })
    }
  const prediction: Prediction = {
    chainId,
    blockNumber,
    timestamp,
    createdAt,
    pendingBaseFeePerGas: base.toString(),
    ageMs: 0,
    stale: false,
    estimates,
    baseFeeForecast: [2, 3, 10].map((blocksAhead) => ({
      blocksAhead,
      quantiles: {
        '50': ((base * 1010n) / 1000n).toString(),
        '90': ((base * (1000n + 30n * BigInt(blocksAhead))) / 1000n).toString(),
        '99': ((base * (1000n + 60n * BigInt(blocksAhead))) / 1000n).toString(),
      },
    })),
    congestion: { level: 'moderate', score: 0.55, gasUsedRatio: 0.6, txCount: 142 },
    trust: {
      label: 'high',
      reasons: ['fresh data', 'inputs inside the trained range', 'recent coverage near nominal'],
    },
    model: { version: 'fixture-1', backend: 'cpu' },
    ...(withoutMarket
      ? {}
      : {
          market: {
            latestPriorityFeeRange: [(gwei / 100n).toString(), (5n * gwei).toString()],
            historicalPriorityFeeRange: ['0', (80n * gwei).toString()],
            historicalBaseFeeRange: [(15n * gwei).toString(), (31n * gwei).toString()],
            priorityFeeTrend: 'up',
            baseFeeTrend: 'level',
          },
        }),
  }
  return PredictionSchema.parse(prediction)
}

/** Does what the predictor does: SET the chain's key, add the chain to the set, PUBLISH the same JSON on the chain's channel. */
export async function publishPrediction(
  redis: Redis,
  prediction: Prediction,
  { publish = true } = {},
): Promise<void> {
  const json = JSON.stringify(prediction)
  await redis.set(storeKeys(prediction.chainId).prediction, json)
  await redis.sadd(chainsKey, String(prediction.chainId))
  if (publish) await redis.publish(storeKeys(prediction.chainId).predictionChannel, json)
}
