import { defaultHorizons, type Estimate, type Prediction } from '@feecast/client'
import { pickEstimate } from './pickEstimate.js'
import type { BlocknativeBody, GasStationBody, MetaMaskBody, StoredPrediction } from './schemas.js'
import { type WalletTier, walletTiers } from './walletTiers.js'

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
  /** Keep only these horizons (undefined: the default ones, `defaultHorizons`). */
  withinBlocks?: readonly number[] | undefined
}

export function selectEstimates(estimates: readonly Estimate[], filter: EstimateFilter): Estimate[] {
  const { confidence, withinBlocks = defaultHorizons } = filter
  return estimates.filter(
    (e) =>
      (confidence === undefined || confidence.includes(e.confidence)) &&
      (withinBlocks as readonly number[]).includes(e.withinBlocks),
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
    // Blob-carrying chains only (contract 1.1): absent, never invented, elsewhere.
    ...(stored.pendingBlobBaseFeePerGas === undefined
      ? {}
      : { pendingBlobBaseFeePerGas: stored.pendingBlobBaseFeePerGas }),
    ...(stored.blobBaseFeeForecast === undefined ? {} : { blobBaseFeeForecast: stored.blobBaseFeeForecast }),
    congestion: stored.congestion,
    trust: stored.trust,
    model: stored.model,
    ...(stored.market === undefined ? {} : { market: stored.market }),
  }
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
        estimatedTransactionCount: stored.congestion.txCount ?? 0,
        baseFeePerGas: weiToGwei(stored.pendingBaseFeePerGas),
        estimatedPrices,
      },
    ],
  }
}

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

export type WalletShapeParameters = {
  blockTimeSeconds: number
  /** The chain ignores tips (walletTiers keeps them equal). */
  ignoresTips?: boolean | undefined
}

/** The wait bounds of a tier (ms): from the next block to the tier's horizon. */
function waitOf(tier: WalletTier, blockMs: number) {
  return { minWaitTimeEstimate: blockMs, maxWaitTimeEstimate: blockMs * tier.withinBlocks }
}

/**
 * MetaMask `GET /networks/:chainId/suggestedGasFees`: low/medium/high are walletTiers (ordered: each
 * tip and cap above the one below), their waits from the next block to the tier's horizon, so wait
 * times shrink from low to high and MetaMask's calculateTimeEstimate gives each tier's fees its own
 * bounds. Ranges, trends and congestion come from the prediction's market summary (all null unless all
 * are known). Null when an estimate a tier needs is missing.
 */
export function toMetaMask(stored: StoredPrediction, parameters: WalletShapeParameters): MetaMaskBody | null {
  const tiers = walletTiers({
    estimates: stored.estimates,
    pendingBaseFeePerGas: BigInt(stored.pendingBaseFeePerGas),
    ignoresTips: parameters.ignoresTips,
  })
  if (tiers === null) return null
  const blockMs = Math.round(parameters.blockTimeSeconds * 1000)
  const level = (tier: WalletTier) => ({
    suggestedMaxPriorityFeePerGas: weiToGweiString(tier.maxPriorityFeePerGas),
    suggestedMaxFeePerGas: weiToGweiString(tier.maxFeePerGas),
    ...waitOf(tier, blockMs),
  })
  const tierFields = {
    low: level(tiers.low),
    medium: level(tiers.medium),
    high: level(tiers.high),
    estimatedBaseFee: weiToGweiString(stored.pendingBaseFeePerGas),
  }
  const market = marketFields(stored)
  return market === null
    ? {
        ...tierFields,
        networkCongestion: null,
        latestPriorityFeeRange: null,
        historicalPriorityFeeRange: null,
        historicalBaseFeeRange: null,
        priorityFeeTrend: null,
        baseFeeTrend: null,
      }
    : { ...tierFields, ...market }
}

/**
 * MetaMask's market fields from the prediction's market summary, or null unless every one is known:
 * MetaMask types them as all present or all null. The base-fee trend, when the summary lacks one,
 * follows the forecast's.
 */
function marketFields(stored: StoredPrediction) {
  const market = stored.market
  if (market === undefined) return null
  const latestPriorityFeeRange = range(market.latestPriorityFeeRange)
  const historicalPriorityFeeRange = range(market.historicalPriorityFeeRange)
  const historicalBaseFeeRange = range(market.historicalBaseFeeRange)
  const priorityFeeTrend = market.priorityFeeTrend
  const baseFeeTrend = market.baseFeeTrend ?? baseFeeTrendOf(stored)
  if (
    latestPriorityFeeRange === null ||
    historicalPriorityFeeRange === null ||
    historicalBaseFeeRange === null ||
    priorityFeeTrend === null ||
    baseFeeTrend === null
  )
    return null
  return {
    networkCongestion: stored.congestion.score,
    latestPriorityFeeRange,
    historicalPriorityFeeRange,
    historicalBaseFeeRange,
    priorityFeeTrend,
    baseFeeTrend,
  }
}

/**
 * A gwei amount as a number that prints without an exponent. ethers' gas-station parser reads
 * `String(n)`, and JavaScript writes numbers under 1e-6 as "1e-7", which it rejects: so a non-zero
 * amount under 0.000001 gwei (1,000 wei) is raised to that. Raising a tip or a cap by under 1,000 wei
 * keeps every promise.
 */
export function gasStationGwei(wei: bigint): number {
  if (wei > 0n && wei < 1_000n) return 0.000001
  const gwei = Number(wei / gweiUnit) + Number(wei % gweiUnit) / 1e9
  return Number(gwei.toFixed(9))
}

/**
 * The Polygon gas station v2 shape (`GET /gasstation/:chainId`), for ethers v6's
 * FetchUrlFeeDataNetworkPlugin: safeLow / standard / fast are walletTiers low / medium / high, in gwei
 * numbers; estimatedBaseFee the next block's base fee; blockTime the chain's block time (s);
 * blockNumber the head. Null when an estimate a tier needs is missing.
 */
export function toGasStation(
  stored: StoredPrediction,
  parameters: WalletShapeParameters,
): GasStationBody | null {
  const tiers = walletTiers({
    estimates: stored.estimates,
    pendingBaseFeePerGas: BigInt(stored.pendingBaseFeePerGas),
    ignoresTips: parameters.ignoresTips,
  })
  if (tiers === null) return null
  const tier = (t: WalletTier) => ({
    maxPriorityFee: gasStationGwei(t.maxPriorityFeePerGas),
    maxFee: gasStationGwei(t.maxFeePerGas),
  })
  return {
    safeLow: tier(tiers.low),
    standard: tier(tiers.medium),
    fast: tier(tiers.high),
    estimatedBaseFee: gasStationGwei(BigInt(stored.pendingBaseFeePerGas)),
    blockTime: parameters.blockTimeSeconds,
    blockNumber: stored.blockNumber,
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
