import {
  type BaseFeeForecast,
  type Chain,
  type Congestion,
  confidenceLevels,
  defaultHorizons,
  type ErrorBody,
  type Estimate,
  horizons,
  type Market,
  type ModelInfo,
  type Prediction,
  type Trust,
} from '@feecast/client'
import { z } from './zod.js'

/**
 * The API's shapes as zod schemas with OpenAPI metadata: what the API validates and documents. The
 * Prediction contract itself (plain types, levels, horizons) lives in @feecast/client; each schema here
 * is checked against its contract type at compile time (`matches` below), so the two cannot drift.
 * DESIGN.md, "Shapes".
 */

/** Compiles only when the schema's type and the contract's type are each assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false
const matches = <A, B>(same: Same<A, B>) => same

const wei = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/, 'a non-negative integer in wei, as a decimal string')
  .openapi({ description: 'Amount in wei, as a decimal string', example: '23000000000' })
const gwei = z.number().nonnegative().openapi({ description: 'Amount in gwei, for display', example: 23 })
const chainId = z.number().int().positive().openapi({ example: 1 })

export const EstimateSchema = z
  .object({
    confidence: z
      .number()
      .int()
      .min(1)
      .max(99)
      .openapi({ description: 'Calibrated probability, percent', example: 90 }),
    withinBlocks: z.number().int().positive().openapi({ description: 'Horizon N in blocks', example: 3 }),
    maxPriorityFeePerGas: wei,
    maxFeePerGas: wei,
    expectedFeePerGas: wei.openapi({ description: 'Expected fee paid per gas (baseFee + tip), wei' }),
    maxPriorityFeePerGasGwei: gwei,
    maxFeePerGasGwei: gwei,
    maxFeePerBlobGas: wei.optional().openapi({
      description:
        'Blob-carrying chains only: stays at or above the blob base fee of each of the next `withinBlocks` ' +
        'blocks with probability `confidence` (coverage of the fee cap, not a probability of inclusion), wei',
    }),
    maxFeePerBlobGasGwei: gwei.optional(),
  })
  .openapi('Estimate', {
    description:
      'With these fees the transaction is included within `withinBlocks` blocks with probability ' +
      '`confidence`%, and maxFeePerGas stays at or above the base fee of each of those blocks. On a ' +
      'blob-carrying chain maxFeePerBlobGas stays at or above the blob base fee of each of them with the same probability.',
  })

export const BaseFeeForecastSchema = z
  .object({
    blocksAhead: z.number().int().positive().openapi({ example: 2 }),
    quantiles: z
      .object({ '50': wei, '90': wei, '99': wei })
      .catchall(wei)
      .openapi({
        description: 'Base fee quantiles (wei) keyed by percent',
        example: { '50': '1', '90': '2', '99': '3' },
      }),
  })
  .openapi('BaseFeeForecast')

export const CongestionSchema = z
  .object({
    level: z.enum(['low', 'moderate', 'high']),
    score: z.number().min(0).max(1).openapi({
      description:
        'Pressure on the base fee over the last 16 blocks: 0 at half the gas target or less, 1 for full blocks, about 0.33 at the target (where the base fee holds). level: low below 0.35, moderate below 0.6, high above',
      example: 0.42,
    }),
    gasUsedRatio: z.number().min(0).openapi({
      description: "The head block's gas used / gas limit (one block; the score looks at 16)",
      example: 0.51,
    }),
    txCount: z
      .number()
      .int()
      .nonnegative()
      .nullable()
      .optional()
      .openapi({ description: 'Transactions in the head block, when known' }),
  })
  .openapi('Congestion')

export const TrustSchema = z
  .object({
    label: z.enum(['high', 'medium', 'low']),
    reasons: z.array(z.string()).openapi({ example: ['fresh data', 'inputs inside the trained range'] }),
  })
  .openapi('Trust')

export const ModelSchema = z
  .object({
    version: z.string().min(1).openapi({ example: '2024-06-01.1' }),
    backend: z.string().min(1).openapi({ example: 'wasm' }),
  })
  .openapi('Model')

const trend = z.enum(['up', 'down', 'level'])
const weiRange = z
  .tuple([wei, wei])
  .nullable()
  .openapi({ description: '[min, max] in wei, null when unknown' })

/** Optional recent-market summary: feeds the MetaMask-compatible ranges and trends. */
export const MarketSchema = z
  .object({
    latestPriorityFeeRange: weiRange,
    historicalPriorityFeeRange: weiRange,
    historicalBaseFeeRange: weiRange,
    priorityFeeTrend: trend.nullable(),
    baseFeeTrend: trend.nullable(),
  })
  .openapi('Market')

export const PredictionSchema = z
  .object({
    chainId,
    blockNumber: z
      .number()
      .int()
      .nonnegative()
      .openapi({ description: 'Head block the prediction was made at' }),
    timestamp: z.number().int().nonnegative().openapi({ description: 'Head block timestamp, unix seconds' }),
    createdAt: z
      .number()
      .int()
      .nonnegative()
      .openapi({ description: 'When the prediction was computed, unix ms' }),
    pendingBaseFeePerGas: wei.openapi({ description: 'Base fee of the next block (exact, EIP-1559), wei' }),
    ageMs: z
      .number()
      .int()
      .nonnegative()
      .openapi({ description: 'Age of the data (now - head block time), ms' }),
    stale: z.boolean().openapi({ description: "True when ageMs is past the chain's freshness bound" }),
    estimates: z.array(EstimateSchema),
    baseFeeForecast: z.array(BaseFeeForecastSchema),
    pendingBlobBaseFeePerGas: wei.optional().openapi({
      description:
        'Blob-carrying chains only: blob base fee of the next block (exact, EIP-4844/EIP-7918), wei',
    }),
    blobBaseFeeForecast: z.array(BaseFeeForecastSchema).optional().openapi({
      description:
        'Blob-carrying chains only: blob base fee quantiles (wei) `blocksAhead` blocks after the head',
    }),
    congestion: CongestionSchema,
    trust: TrustSchema,
    model: ModelSchema,
    market: MarketSchema.optional(),
  })
  .openapi('Prediction')

matches<z.infer<typeof PredictionSchema>, Prediction>(true)
matches<z.infer<typeof EstimateSchema>, Estimate>(true)
matches<z.infer<typeof BaseFeeForecastSchema>, BaseFeeForecast>(true)
matches<z.infer<typeof CongestionSchema>, Congestion>(true)
matches<z.infer<typeof TrustSchema>, Trust>(true)
matches<z.infer<typeof ModelSchema>, ModelInfo>(true)
matches<z.infer<typeof MarketSchema>, Market>(true)

/**
 * A prediction as the predictor stores it in Redis: the same shape, where ageMs and stale may be left
 * out (the API computes them when it answers).
 */
export const StoredPredictionSchema = PredictionSchema.extend({
  ageMs: z.number().int().nonnegative().optional(),
  stale: z.boolean().optional(),
})
export type StoredPrediction = z.infer<typeof StoredPredictionSchema>

// ---------------------------------------------------------------------------------------------------
// Errors

export const ErrorSchema = z
  .object({
    error: z.object({
      status: z.number().int().openapi({ example: 400 }),
      code: z.string().openapi({ example: 'bad_parameter' }),
      message: z
        .string()
        .openapi({ example: 'confidence must be a comma-separated list of 50, 70, 90, 95, 99' }),
      parameter: z.string().optional().openapi({ example: 'confidence' }),
      accepted: z
        .array(z.union([z.number(), z.string()]))
        .optional()
        .openapi({ example: [50, 70, 90, 95, 99] }),
    }),
    requestId: z.string().optional(),
  })
  .openapi('Error')
matches<z.infer<typeof ErrorSchema>, ErrorBody>(true)

// ---------------------------------------------------------------------------------------------------
// Queries

/** A positive integer chain id as a query or path value: digits only, and exact as a JS number. */
const chainIdParameter = z
  .string()
  .regex(/^[1-9][0-9]{0,15}$/, 'a positive integer chain id')
  .refine((v) => Number.isSafeInteger(Number(v)), 'a chain id of at most 2^53 - 1')

/** A comma-separated list of integers (`90,99`); repeated parameters are joined first. */
export const intList = /^\s*[0-9]{1,6}\s*(,\s*[0-9]{1,6}\s*)*$/

export const PredictQuerySchema = z.object({
  chainId: chainIdParameter.openapi({
    param: { name: 'chainId', in: 'query' },
    example: '1',
    description: 'EVM chain id',
  }),
  confidence: z
    .string()
    .regex(intList)
    .optional()
    .openapi({
      param: { name: 'confidence', in: 'query' },
      example: '90,99',
      description: `Comma-separated confidence levels among ${confidenceLevels.join(', ')} (default: all)`,
    }),
  withinBlocks: z
    .string()
    .regex(intList)
    .optional()
    .openapi({
      param: { name: 'withinBlocks', in: 'query' },
      example: '1,3',
      description: `Comma-separated horizons among ${horizons.join(', ')} (default: ${defaultHorizons.join(', ')})`,
    }),
})

export const BlocknativeQuerySchema = z.object({
  chainid: chainIdParameter.optional().openapi({
    param: { name: 'chainid', in: 'query' },
    example: '1',
    description: 'EVM chain id (default 1)',
  }),
})

export const MetaMaskParamsSchema = z.object({
  chainId: chainIdParameter.openapi({ param: { name: 'chainId', in: 'path' }, example: '1' }),
})

// ---------------------------------------------------------------------------------------------------
// Other routes

export const ChainSchema = z
  .object({
    chainId,
    name: z.string(),
    blockNumber: z.number().int().nonnegative().nullable(),
    timestamp: z.number().int().nonnegative().nullable(),
    ageMs: z.number().int().nonnegative().nullable(),
    stale: z.boolean(),
    freshnessSeconds: z.number().positive(),
    model: ModelSchema.nullable(),
    trust: TrustSchema.shape.label.nullable(),
  })
  .openapi('Chain')

matches<z.infer<typeof ChainSchema>, Chain>(true)

export const ChainsSchema = z.object({ chains: z.array(ChainSchema) }).openapi('Chains')

export const HealthSchema = z.object({ status: z.literal('ok'), uptimeSeconds: z.number() }).openapi('Health')

export const ReadySchema = z
  .object({
    ready: z.boolean(),
    reasons: z.array(z.string()).openapi({ description: 'Why not ready (empty when ready)' }),
    redis: z.enum(['up', 'down']),
    chains: z.array(
      z.object({ chainId, fresh: z.boolean(), ageMs: z.number().int().nonnegative().nullable() }),
    ),
  })
  .openapi('Ready')
export type ReadyBody = z.infer<typeof ReadySchema>

// ---------------------------------------------------------------------------------------------------
// Compatible shapes

/** Blocknative `GET /gasprices/blockprices` (amounts in gwei). */
export const BlocknativeSchema = z
  .object({
    system: z.string(),
    network: z.string(),
    unit: z.literal('gwei'),
    maxPrice: z.number(),
    currentBlockNumber: z.number().int(),
    msSinceLastBlock: z.number().int(),
    blockPrices: z.array(
      z.object({
        blockNumber: z.number().int(),
        estimatedTransactionCount: z.number().int().nonnegative(),
        baseFeePerGas: z.number(),
        estimatedPrices: z.array(
          z.object({
            confidence: z.number().int(),
            price: z.number(),
            maxPriorityFeePerGas: z.number(),
            maxFeePerGas: z.number(),
          }),
        ),
      }),
    ),
  })
  .openapi('BlocknativeBlockPrices')
export type BlocknativeBody = z.infer<typeof BlocknativeSchema>

const gweiString = z
  .string()
  .regex(/^[0-9]+(\.[0-9]+)?$/)
  .openapi({ description: 'gwei, decimal string', example: '1.5' })
const gweiRange = z.tuple([gweiString, gweiString])
const metaMaskLevel = z.object({
  suggestedMaxPriorityFeePerGas: gweiString,
  suggestedMaxFeePerGas: gweiString,
  minWaitTimeEstimate: z.number().int().openapi({ description: 'ms' }),
  maxWaitTimeEstimate: z.number().int().openapi({ description: 'ms' }),
})
const metaMaskTiers = {
  low: metaMaskLevel,
  medium: metaMaskLevel,
  high: metaMaskLevel,
  estimatedBaseFee: gweiString,
}

/**
 * MetaMask `GET /networks/:chainId/suggestedGasFees` (amounts as gwei decimal strings). As MetaMask's
 * GasFeeEstimates type has it: the market fields (ranges, trends, congestion) all present, or all null.
 */
export const MetaMaskSchema = z
  .union([
    z.object({
      ...metaMaskTiers,
      networkCongestion: z.number().min(0).max(1),
      latestPriorityFeeRange: gweiRange,
      historicalPriorityFeeRange: gweiRange,
      historicalBaseFeeRange: gweiRange,
      priorityFeeTrend: trend,
      baseFeeTrend: trend,
    }),
    z.object({
      ...metaMaskTiers,
      networkCongestion: z.null(),
      latestPriorityFeeRange: z.null(),
      historicalPriorityFeeRange: z.null(),
      historicalBaseFeeRange: z.null(),
      priorityFeeTrend: z.null(),
      baseFeeTrend: z.null(),
    }),
  ])
  .openapi('MetaMaskSuggestedGasFees')
export type MetaMaskBody = z.infer<typeof MetaMaskSchema>

const gasStationTier = z.object({
  maxPriorityFee: z.number().nonnegative().openapi({ description: 'gwei', example: 30.5 }),
  maxFee: z.number().nonnegative().openapi({ description: 'gwei', example: 61.2 }),
})

/** The Polygon gas station v2 shape (amounts in gwei numbers), for ethers v6's fee-data plug-in. */
export const GasStationSchema = z
  .object({
    safeLow: gasStationTier,
    standard: gasStationTier,
    fast: gasStationTier,
    estimatedBaseFee: z.number().nonnegative().openapi({ description: 'gwei' }),
    blockTime: z.number().positive().openapi({ description: 'seconds between blocks' }),
    blockNumber: z.number().int().nonnegative(),
  })
  .openapi('GasStation')
export type GasStationBody = z.infer<typeof GasStationSchema>

export const GasStationParamsSchema = z.object({
  chainId: chainIdParameter.openapi({ param: { name: 'chainId', in: 'path' }, example: '137' }),
})
