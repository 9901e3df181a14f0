/**
 * The Prediction contract: what `GET /predict` answers, as plain TypeScript types, and the confidence
 * levels and horizons a prediction carries. The server's zod schemas are checked against these types
 * at compile time, so the two cannot drift (src/api/schemas.ts in the service).
 *
 * Wei amounts are decimal strings (they overflow a double), gwei amounts are numbers for display.
 * DESIGN.md, "What a prediction means" and "Shapes".
 */

/**
 * The contract version this package speaks, `major.minor`. A new minor version only adds fields; a new
 * major version changes or removes some. The server states its own in the `Feecast-Contract` header of
 * every answer, and the client says so when they differ (createFeecastClient's `onContractMismatch`).
 */
export const contractVersion = '1.1'

/** The response header in which the server states the contract version it speaks. */
export const contractHeader = 'Feecast-Contract'

/** Confidence levels (percent) a prediction carries. */
export const confidenceLevels = [50, 70, 90, 95, 99] as const
/** Horizons (withinBlocks) a prediction carries; `/predict` accepts any of them in `withinBlocks`. */
export const horizons = [1, 2, 3, 5, 10, 20] as const
/** Horizons `/predict` answers when `withinBlocks` is not given. */
export const defaultHorizons = [1, 3, 10] as const
/** Quantiles (percent) of each base-fee forecast. */
export const forecastQuantiles = ['50', '90', '99'] as const

export type ConfidenceLevel = (typeof confidenceLevels)[number]
export type Horizon = (typeof horizons)[number]
export type ForecastQuantile = (typeof forecastQuantiles)[number]

/** An amount in wei as a non-negative decimal integer string, e.g. "23000000000". */
export type WeiString = string

/**
 * With these fees the transaction is included within `withinBlocks` blocks with probability
 * `confidence` percent, and `maxFeePerGas` stays at or above the base fee of each of those blocks.
 */
export type Estimate = {
  /** Calibrated probability, percent. */
  confidence: number
  /** Horizon N in blocks. */
  withinBlocks: number
  maxPriorityFeePerGas: WeiString
  maxFeePerGas: WeiString
  /** Expected fee paid per gas: the base fee expected plus the tip (a high cap only locks balance). */
  expectedFeePerGas: WeiString
  maxPriorityFeePerGasGwei: number
  maxFeePerGasGwei: number
  /**
   * Blob-carrying chains only (contract 1.1): stays at or above the blob base fee of each of the next
   * `withinBlocks` blocks with probability `confidence` — coverage of the fee cap, not a probability that a
   * blob transaction is included. Absent on a chain without blobs.
   */
  maxFeePerBlobGas?: WeiString | undefined
  maxFeePerBlobGasGwei?: number | undefined
}

/** Quantiles of the base fee `blocksAhead` blocks after the head, wei keyed by percent. */
export type BaseFeeForecast = {
  blocksAhead: number
  quantiles: { '50': WeiString; '90': WeiString; '99': WeiString; [percent: string]: WeiString }
}

export type CongestionLevel = 'low' | 'moderate' | 'high'

export type Congestion = {
  level: CongestionLevel
  /**
   * Pressure on the base fee over the last 16 blocks: 0 at half the gas target or less, 1 for full blocks,
   * about 0.33 at the target (where the base fee holds). `level`: low below 0.35, moderate below 0.6, high above.
   */
  score: number
  /** The head block's gas used / gas limit (one block; the score looks at 16). */
  gasUsedRatio: number
  /** Transactions in the head block, when known. */
  txCount?: number | null | undefined
}

export type TrustLabel = 'high' | 'medium' | 'low'

/** How far to trust the whole prediction, and why: fresh data, inputs in range, live coverage. */
export type Trust = {
  label: TrustLabel
  reasons: string[]
}

/** The model that made the prediction and the TensorFlow.js backend it ran on. */
export type ModelInfo = {
  version: string
  backend: string
}

export type Trend = 'up' | 'down' | 'level'

/** [min, max] in wei, or null when unknown. */
export type WeiRange = [WeiString, WeiString] | null

/** A recent-market summary (feeds the MetaMask-compatible ranges and trends). */
export type Market = {
  latestPriorityFeeRange: WeiRange
  historicalPriorityFeeRange: WeiRange
  historicalBaseFeeRange: WeiRange
  priorityFeeTrend: Trend | null
  baseFeeTrend: Trend | null
}

/** The answer of `GET /predict`. */
export type Prediction = {
  chainId: number
  /** Head block the prediction was made at. */
  blockNumber: number
  /** Head block timestamp, unix seconds. */
  timestamp: number
  /** When the prediction was computed, unix ms. */
  createdAt: number
  /** Base fee of the next block (exact, EIP-1559), wei. */
  pendingBaseFeePerGas: WeiString
  /** Age of the data (now - head block time), ms. */
  ageMs: number
  /** True when ageMs is past the chain's freshness bound: do not trust the numbers as current. */
  stale: boolean
  estimates: Estimate[]
  baseFeeForecast: BaseFeeForecast[]
  /** Blob-carrying chains only (contract 1.1): the blob base fee of the next block (exact, EIP-4844/7918), wei. */
  pendingBlobBaseFeePerGas?: WeiString | undefined
  /** Blob-carrying chains only (contract 1.1): quantiles of the blob base fee `blocksAhead` blocks after the head. */
  blobBaseFeeForecast?: BaseFeeForecast[] | undefined
  congestion: Congestion
  trust: Trust
  model: ModelInfo
  market?: Market | undefined
}

/** Every error feecast answers (4xx/5xx) has this body. */
export type ErrorBody = {
  error: {
    status: number
    code: string
    message: string
    /** The parameter at fault, for 400 and 404. */
    parameter?: string | undefined
    /** The values that parameter accepts. */
    accepted?: Array<number | string> | undefined
  }
  requestId?: string | undefined
}

/** One chain of `GET /chains`. */
export type Chain = {
  chainId: number
  name: string
  blockNumber: number | null
  timestamp: number | null
  ageMs: number | null
  stale: boolean
  freshnessSeconds: number
  model: ModelInfo | null
  trust: TrustLabel | null
}

/** The answer of `GET /chains`. */
export type ChainsBody = { chains: Chain[] }
