import { z } from '@hono/zod-openapi'

/**
 * The API's shapes as zod schemas with OpenAPI metadata: the single source of truth for the predictor
 * (which produces a `Prediction`), the API (which validates and documents it), the tests and the
 * client's types. DESIGN.md, "Shapes".
 */

/** Confidence levels (percent) every prediction carries by default. */
export const confidenceLevels = [50, 70, 90, 95, 99] as const
/** Horizons (withinBlocks) every prediction carries by default. */
export const horizons = [1, 3, 10] as const
/** Quantiles (percent) of each base-fee forecast. */
export const baseFeeQuantiles = ['50', '90', '99'] as const

export type ConfidenceLevel = (typeof confidenceLevels)[number]
export type Horizon = (typeof horizons)[number]

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
  })
  .openapi('Estimate', {
    description:
      'With these fees the transaction is included within `withinBlocks` blocks with probability ' +
      '`confidence`%, and maxFeePerGas stays at or above the base fee of each of those blocks.',
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
    score: z.number().min(0).max(1).openapi({ description: '0 (idle) to 1 (saturated)', example: 0.42 }),
    gasUsedRatio: z.number().min(0).openapi({ description: 'Recent gas used / gas limit', example: 0.51 }),
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
    congestion: CongestionSchema,
    trust: TrustSchema,
    model: ModelSchema,
    market: MarketSchema.optional(),
  })
  .openapi('Prediction')

/** A prediction as the API answers it (ageMs and stale filled at answer time). */
export type Prediction = z.infer<typeof PredictionSchema>
export type Estimate = z.infer<typeof EstimateSchema>
export type BaseFeeForecast = z.infer<typeof BaseFeeForecastSchema>
export type Market = z.infer<typeof MarketSchema>

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
export type ErrorBody = z.infer<typeof ErrorSchema>

// ---------------------------------------------------------------------------------------------------
// Queries

/** A comma-separated list of integers (`90,99`); repeated parameters are joined first. */
export const intList = /^\s*[0-9]{1,6}\s*(,\s*[0-9]{1,6}\s*)*$/

export const PredictQuerySchema = z.object({
  chainId: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'a positive integer chain id')
    .openapi({ param: { name: 'chainId', in: 'query' }, example: '1', description: 'EVM chain id' }),
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
      description: `Comma-separated horizons among ${horizons.join(', ')} (default: all)`,
    }),
})

export const BlocknativeQuerySchema = z.object({
  chainid: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'a positive integer chain id')
    .optional()
    .openapi({
      param: { name: 'chainid', in: 'query' },
      example: '1',
      description: 'EVM chain id (default 1)',
    }),
})

export const MetaMaskParamsSchema = z.object({
  chainId: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, 'a positive integer chain id')
    .openapi({ param: { name: 'chainId', in: 'path' }, example: '1' }),
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

export const ChainsSchema = z.object({ chains: z.array(ChainSchema) }).openapi('Chains')
export type ChainsBody = z.infer<typeof ChainsSchema>

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
        estimatedTransactionCount: z.number().int().nullable(),
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
const gweiRange = z.tuple([gweiString, gweiString]).nullable()
const metaMaskLevel = z.object({
  suggestedMaxPriorityFeePerGas: gweiString,
  suggestedMaxFeePerGas: gweiString,
  minWaitTimeEstimate: z.number().int().openapi({ description: 'ms' }),
  maxWaitTimeEstimate: z.number().int().openapi({ description: 'ms' }),
})

/** MetaMask `GET /networks/:chainId/suggestedGasFees` (amounts as gwei decimal strings). */
export const MetaMaskSchema = z
  .object({
    low: metaMaskLevel,
    medium: metaMaskLevel,
    high: metaMaskLevel,
    estimatedBaseFee: gweiString,
    networkCongestion: z.number().min(0).max(1),
    latestPriorityFeeRange: gweiRange,
    historicalPriorityFeeRange: gweiRange,
    historicalBaseFeeRange: gweiRange,
    priorityFeeTrend: trend.nullable(),
    baseFeeTrend: trend.nullable(),
  })
  .openapi('MetaMaskSuggestedGasFees')
export type MetaMaskBody = z.infer<typeof MetaMaskSchema>
