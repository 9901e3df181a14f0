import type { BlocknativeBody, Estimate, MetaMaskBody, Prediction, StoredPrediction } from './schemas.js'

/**
 * Pure response shaping: a stored prediction → the answers of /predict, Blocknative's blockprices and
 * MetaMask's suggestedGasFees. No I/O, no clock: `now` is a parameter. README.md "HTTP API" documents
 * the mappings.
 */

const gweiUnit = 1_000_000_000n

/** Wei (decimal string or bigint) → gwei as a number, for display. */
export function weiToGwei(wei: string | bigint): number {
  const w = typeof wei === 'bigint' ? wei : BigInt(wei)
  return Number(w / gweiUnit) + Number(w % gweiUnit) / 1e9
}

/** Wei → gwei as an exact decimal string ("1.5", "30", "0.000000001"). */
export function weiToGweiString(wei: string | bigint): string {
  const w = typeof wei === 'bigint' ? wei : BigInt(wei)
  const whole = w / gweiUnit
  const fraction = (w % gweiUnit).toString().padStart(9, '0').replace(/0+$/, '')
  return fraction === '' ? whole.toString() : `${whole}.${fraction}`
}

export type DataAge = { ageMs: number; stale: boolean }

/**
 * Age of a prediction's data and whether it is past the freshness bound: now minus the head block's
 * time, or minus when the prediction was made if that is longer. The predictor makes one prediction per
 * new head, so `createdAt` is when feecast last received a block: a head stamped in the future (or a
 * chain that stopped while the clock says otherwise) still ages into stale.
 */
export function dataAge(
  prediction: Pick<StoredPrediction, 'timestamp' | 'createdAt'>,
  now: number,
  freshnessSeconds: number,
): DataAge {
  const ageMs = Math.max(
    0,
    Math.round(now - prediction.timestamp * 1000),
    Math.round(now - prediction.createdAt),
  )
  return { ageMs, stale: ageMs > freshnessSeconds * 1000 }
}

export type EstimateFilter = {
  /** Keep only these confidence levels (undefined: all). */
  confidence?: readonly number[] | undefined
  /** Keep only these horizons (undefined: all). */
  withinBlocks?: readonly number[] | undefined
}

export function selectEstimates(estimates: readonly Estimate[], filter: EstimateFilter): Estimate[] {
  const { confidence, withinBlocks } = filter
  return estimates.filter(
    (e) =>
      (confidence === undefined || confidence.includes(e.confidence)) &&
      (withinBlocks === undefined || withinBlocks.includes(e.withinBlocks)),
  )
}

export type ToPredictResponseParameters = EstimateFilter & { now: number; freshnessSeconds: number }

/** The /predict answer: the stored prediction with its age filled in and the estimates filtered. */
export function toPredictResponse(
  stored: StoredPrediction,
  parameters: ToPredictResponseParameters,
): Prediction {
  const { ageMs, stale } = dataAge(stored, parameters.now, parameters.freshnessSeconds)
  return {
    chainId: stored.chainId,
    blockNumber: stored.blockNumber,
    timestamp: stored.timestamp,
    createdAt: stored.createdAt,
    pendingBaseFeePerGas: stored.pendingBaseFeePerGas,
    ageMs,
    stale,
    estimates: selectEstimates(stored.estimates, parameters),
    baseFeeForecast: stored.baseFeeForecast,
    congestion: stored.congestion,
    trust: stored.trust,
    model: stored.model,
    ...(stored.market === undefined ? {} : { market: stored.market }),
  }
}

/**
 * The estimate for (confidence, withinBlocks): that one when the prediction has it, otherwise the
 * cheapest (lowest maxFeePerGas) that keeps a stronger promise: a confidence at least as high within
 * at most as many blocks. Null when the prediction has none.
 */
export function pickEstimate(
  estimates: readonly Estimate[],
  confidence: number,
  withinBlocks: number,
): Estimate | null {
  const exact = estimates.find((e) => e.confidence === confidence && e.withinBlocks === withinBlocks)
  if (exact !== undefined) return exact
  let best: Estimate | null = null
  let bestFee = 0n
  for (const e of estimates) {
    if (e.confidence < confidence || e.withinBlocks > withinBlocks) continue
    const fee = BigInt(e.maxFeePerGas)
    if (best === null || fee < bestFee || (fee === bestFee && e.withinBlocks > best.withinBlocks)) {
      best = e
      bestFee = fee
    }
  }
  return best
}

/** Blocknative's `system`/`network` names of the chains it serves; others are named after the id. */
const blocknativeNames: Record<number, [system: string, network: string]> = {
  1: ['ethereum', 'main'],
  10: ['optimism', 'main'],
  137: ['polygon', 'main'],
  8453: ['base', 'main'],
  42161: ['arbitrum', 'main'],
  11155111: ['ethereum', 'sepolia'],
}

/** The confidence levels Blocknative answers with, highest first. */
export const blocknativeConfidenceLevels = [99, 95, 90, 80, 70] as const

/**
 * Blocknative `GET /gasprices/blockprices`: one block price (the next block) with estimatedPrices for
 * 99/95/90/80/70. Each level carries feecast's cheapest next-block estimate of at least that confidence
 * (80 has none of its own, so it gets the 90 one: never an interpolated number). `price` is the legacy
 * gas price, the expected fee per gas of the next block.
 */
export function toBlocknative(stored: StoredPrediction, parameters: { now: number }): BlocknativeBody | null {
  const estimatedPrices: BlocknativeBody['blockPrices'][number]['estimatedPrices'] = []
  for (const level of blocknativeConfidenceLevels) {
    const e = pickEstimate(stored.estimates, level, 1)
    if (e === null) continue
    estimatedPrices.push({
      confidence: level,
      price: weiToGwei(e.expectedFeePerGas),
      maxPriorityFeePerGas: e.maxPriorityFeePerGasGwei,
      maxFeePerGas: e.maxFeePerGasGwei,
    })
  }
  if (estimatedPrices.length === 0) return null
  const [system, network] = blocknativeNames[stored.chainId] ?? [`chain-${stored.chainId}`, 'main']
  return {
    system,
    network,
    unit: 'gwei',
    maxPrice: Math.max(...estimatedPrices.map((p) => p.maxFeePerGas)),
    currentBlockNumber: stored.blockNumber,
    msSinceLastBlock: Math.max(0, Math.round(parameters.now - stored.timestamp * 1000)),
    blockPrices: [
      {
        blockNumber: stored.blockNumber + 1,
        estimatedTransactionCount: stored.congestion.txCount ?? null,
        baseFeePerGas: weiToGwei(stored.pendingBaseFeePerGas),
        estimatedPrices,
      },
    ],
  }
}

/** MetaMask's three levels → the (confidence, withinBlocks) promise each carries. */
export const metaMaskLevels = {
  low: { confidence: 90, withinBlocks: 10 },
  medium: { confidence: 90, withinBlocks: 3 },
  high: { confidence: 99, withinBlocks: 1 },
} as const

/** Relative change of the median base-fee forecast beyond which the trend is up or down. */
const trendThreshold = 0.02

/** The base-fee trend the forecast implies: its farthest median against the next block's base fee. */
export function baseFeeTrendOf(stored: StoredPrediction): 'up' | 'down' | 'level' | null {
  const farthest = stored.baseFeeForecast.reduce<StoredPrediction['baseFeeForecast'][number] | null>(
    (a, f) => (a === null || f.blocksAhead > a.blocksAhead ? f : a),
    null,
  )
  if (farthest === null) return null
  const pending = Number(stored.pendingBaseFeePerGas)
  const median = Number(farthest.quantiles['50'])
  if (pending === 0) return median > 0 ? 'up' : 'level'
  const change = (median - pending) / pending
  return change > trendThreshold ? 'up' : change < -trendThreshold ? 'down' : 'level'
}

const range = (r: readonly [string, string] | null | undefined): [string, string] | null =>
  r ? [weiToGweiString(r[0]), weiToGweiString(r[1])] : null

/**
 * MetaMask `GET /networks/:chainId/suggestedGasFees`: low/medium/high from the estimates of
 * `metaMaskLevels`, wait times from the chain's block time (one block at best, N blocks at worst),
 * ranges and trends from the prediction's market summary (null when it has none; the base-fee trend
 * falls back to the forecast's). Null when an estimate a level needs is missing.
 */
export function toMetaMask(
  stored: StoredPrediction,
  parameters: { blockTimeSeconds: number },
): MetaMaskBody | null {
  const blockMs = Math.round(parameters.blockTimeSeconds * 1000)
  const level = (promise: { confidence: number; withinBlocks: number }) => {
    const e = pickEstimate(stored.estimates, promise.confidence, promise.withinBlocks)
    if (e === null) return null
    return {
      suggestedMaxPriorityFeePerGas: weiToGweiString(e.maxPriorityFeePerGas),
      suggestedMaxFeePerGas: weiToGweiString(e.maxFeePerGas),
      minWaitTimeEstimate: blockMs,
      maxWaitTimeEstimate: blockMs * e.withinBlocks,
    }
  }
  const low = level(metaMaskLevels.low)
  const medium = level(metaMaskLevels.medium)
  const high = level(metaMaskLevels.high)
  if (low === null || medium === null || high === null) return null
  const market = stored.market
  return {
    low,
    medium,
    high,
    estimatedBaseFee: weiToGweiString(stored.pendingBaseFeePerGas),
    networkCongestion: stored.congestion.score,
    latestPriorityFeeRange: range(market?.latestPriorityFeeRange),
    historicalPriorityFeeRange: range(market?.historicalPriorityFeeRange),
    historicalBaseFeeRange: range(market?.historicalBaseFeeRange),
    priorityFeeTrend: market?.priorityFeeTrend ?? null,
    baseFeeTrend: market?.baseFeeTrend ?? baseFeeTrendOf(stored),
  }
}

export type ParsedList = { ok: true; values: number[] } | { ok: false }

/** Parses "90, 99" into [90, 99] when every value is accepted; duplicates are dropped, order kept. */
export function parseIntList(raw: string, accepted: readonly number[]): ParsedList {
  const values: number[] = []
  for (const part of raw.split(',')) {
    const text = part.trim()
    if (!/^[0-9]{1,6}$/.test(text)) return { ok: false }
    const n = Number(text)
    if (!accepted.includes(n)) return { ok: false }
    if (!values.includes(n)) values.push(n)
  }
  return values.length === 0 ? { ok: false } : { ok: true, values }
}

/**
 * The /predict body in two pre-serialized halves around the two fields that change with the clock,
 * so an answer costs two string concatenations instead of a JSON.stringify. `joinPredictBody(parts,
 * age)` is byte for byte `JSON.stringify(toPredictResponse(...))`.
 */
export type PredictBodyParts = { head: string; tail: string }

export function predictBodyParts(stored: StoredPrediction, filter: EstimateFilter): PredictBodyParts {
  const full = toPredictResponse(stored, { ...filter, now: stored.timestamp * 1000, freshnessSeconds: 1 })
  const {
    chainId,
    blockNumber,
    timestamp,
    createdAt,
    pendingBaseFeePerGas,
    ageMs: _a,
    stale: _s,
    ...rest
  } = full
  const head = JSON.stringify({ chainId, blockNumber, timestamp, createdAt, pendingBaseFeePerGas })
  const tail = JSON.stringify(rest)
  return { head: `${head.slice(0, -1)},"ageMs":`, tail: `,${tail.slice(1)}` }
}

export function joinPredictBody(parts: PredictBodyParts, age: DataAge): string {
  return `${parts.head}${age.ageMs},"stale":${age.stale}${parts.tail}`
}
