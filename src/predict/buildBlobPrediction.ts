import { confidenceLevels, defaultHorizons, horizons as predictionHorizons } from '@feecast/client'
import {
  type BlobFork,
  type BlobSchedule,
  blobForksBetween,
  nextBlockBlobForks,
} from '../chains/blobSchedule.js'
import { blobFeatureLookback } from '../features/blobFeatureNames.js'
import { computeBlobFeatures } from '../features/blobFeatures.js'
import { type BlobBlock, toBlobSeries } from '../features/blobSeries.js'
import { type BlobParameters, gasPerBlob } from '../fees/blobGas.js'
import { type BlobRegime, blobRegime } from '../fees/blobRegime.js'
import { nextBlobBaseFee } from '../fees/nextBlobBaseFee.js'
import type { BlobFeeForecast, BlobFeeForecaster } from '../model/blobForecaster.js'
import { interpolateQuantile } from '../model/normal.js'
import type { BlobCalibrationState } from './blobCalibration.js'
import { maxFeePerBlobGasFor } from './blobMaxFee.js'
import { type CalibratedThresholds, calibrateRunMax } from './calibration.js'

/** A block as the blob prediction reads it: the blob fields, and the base fee EIP-7918 compares with. */
export type BlobPredictionBlock = BlobBlock & { baseFeePerGas?: bigint | null }

export type BuildBlobPredictionParameters = {
  /** The newest block records, ascending; the last is the head. Only the newest consecutive blob run is read. */
  records: readonly BlobPredictionBlock[]
  schedule: BlobSchedule
  forecaster: BlobFeeForecaster
  calibration: BlobCalibrationState
  confidences?: readonly number[]
  horizons?: readonly number[]
  /** Seconds between blocks (the next block's time, and so its fork, is the head's plus this). */
  slotSeconds?: number
  /** The next block's excess blob gas when already known (a history file); otherwise from the head header. */
  nextExcessBlobGas?: bigint
}

export type BlobEstimate = { confidence: number; withinBlocks: number; maxFeePerBlobGas: bigint }

export type BlobPrediction = {
  /** Exact (the higher candidate within two slots of a fork). */
  nextBlobBaseFeePerGas: bigint
  nextExcessBlobGas: bigint
  /** The fork the next blob base fee was read under. */
  fork: BlobParameters
  regime: BlobRegime
  estimates: BlobEstimate[]
  /** Quantiles (wei) of the blob base fee `blocksAhead` blocks after the head. */
  blobBaseFeeForecast: { blocksAhead: number; quantiles: Record<'50' | '90' | '99', bigint> }[]
  /** What the caller records in `calibration[regime]` to score this prediction (recordEstimate). */
  thresholds: CalibratedThresholds
  logNextBlobFee: number
  /** Blob features outside the model's trained range (clamped into it): a doubt the trust label carries. */
  inputsOutsideRange: number
}

/** Blocks ahead of the blob base-fee forecast: the prediction's horizons past the next block (exact). */
const forecastBlocks = predictionHorizons.filter((n) => n > 1)
const forecastLevels = [0.5, 0.9, 0.99] as const

/** The newest run of consecutive blocks that carry blob fields. */
function latestBlobRun(records: readonly BlobPredictionBlock[]): BlobPredictionBlock[] {
  let start = records.length
  while (start > 0) {
    const r = records[start - 1]
    const after = records[start]
    if (r?.blobGasUsed == null || r.excessBlobGas == null || r.timestamp === null) break
    if (after && after.number !== r.number + 1) break
    start--
  }
  return records.slice(start)
}

type BlobEstimatesParameters = {
  schedule: BlobSchedule
  headTime: number
  slotSeconds: number
  next: NonNullable<ReturnType<typeof nextBlobBaseFee>>
  thresholds: CalibratedThresholds
  horizons: readonly number[]
  confidences: readonly number[]
}

/** maxFeePerBlobGas for each horizon and confidence, under every fork the horizon's blocks may fall in. */
function blobEstimatesOf(p: BlobEstimatesParameters): BlobEstimate[] {
  const { next, thresholds } = p
  const estimates: BlobEstimate[] = []
  for (const withinBlocks of p.horizons) {
    const horizonForks = blobForksBetween(
      p.schedule,
      p.headTime + 1,
      p.headTime + 2 * p.slotSeconds * withinBlocks,
    )
    for (const confidence of p.confidences)
      estimates.push({
        confidence,
        withinBlocks,
        maxFeePerBlobGas: maxFeePerBlobGasFor({
          nextExcessBlobGas: next.excessBlobGas,
          nextFork: next.parameters,
          horizonForks,
          thresholds,
          withinBlocks,
          confidence,
          nextBlobBaseFeePerGas: next.blobBaseFeePerGas,
        }),
      })
  }
  return estimates
}

/** The model's marginal quantiles of the blob base fee k blocks ahead, read back into wei through the excess. */
function blobBaseFeeForecastOf(
  forecast: BlobFeeForecast,
  nextExcessBlobGas: bigint,
  fraction: number,
): BlobPrediction['blobBaseFeeForecast'] {
  const layout = forecast.layout
  return forecastBlocks.flatMap((blocksAhead) => {
    // blocksAhead after the head is k = blocksAhead blocks from the pending one's own count (k = 1: pending).
    const h = layout.horizons.indexOf(blocksAhead)
    const curve = forecast.marginal[h]
    if (h < 0 || !curve) return []
    // A forecast, not a cap: e^(excess / fraction) floored is EIP-4844's fee up to a millionth.
    const at = (level: number) => {
      const q = interpolateQuantile(layout.marginalLevels, curve, level)
      const excess = Math.max(0, Number(nextExcessBlobGas) + Math.round(q * fraction))
      return BigInt(Math.max(1, Math.floor(Math.exp(excess / fraction))))
    }
    return [
      {
        blocksAhead,
        quantiles: { '50': at(forecastLevels[0]), '90': at(forecastLevels[1]), '99': at(forecastLevels[2]) },
      },
    ]
  })
}

/**
 * The blob part of a chain's prediction (pure: the caller stores it and records the thresholds): the exact
 * next blob base fee from the head header and the fork the next block may be in, the model's forecast of the
 * following blocks, the calibrated threshold of each horizon and confidence, and maxFeePerBlobGas read through
 * EIP-4844's own arithmetic. null when the chain has no blobs at the next block (no schedule, before its first
 * blob fork, or records without blob fields): no blob prediction, never an invented number.
 */
export function buildBlobPrediction({
  records,
  schedule,
  forecaster,
  calibration,
  confidences = [...confidenceLevels],
  horizons = [...defaultHorizons],
  slotSeconds = 12,
  nextExcessBlobGas,
}: BuildBlobPredictionParameters): BlobPrediction | null {
  const run = latestBlobRun(records).slice(-(blobFeatureLookback + 1))
  const head = run[run.length - 1]
  if (!head || head.timestamp === null || head.blobGasUsed == null || head.excessBlobGas == null) return null
  const candidates = nextBlockBlobForks(schedule, head.timestamp, slotSeconds)
  const next = nextBlobBaseFee({
    parent: {
      excessBlobGas: head.excessBlobGas,
      blobGasUsed: head.blobGasUsed,
      baseFeePerGas: head.baseFeePerGas,
    },
    candidates,
    ...(nextExcessBlobGas === undefined ? {} : { excessBlobGas: nextExcessBlobGas }),
  })
  if (next === null) return null
  const fork = next.parameters
  const fraction = Number(fork.baseFeeUpdateFraction)
  const maxStep = ((fork.max - fork.target) * Number(gasPerBlob)) / fraction
  // The pending block closes the window: its excess is exact, its blob gas unknown (never read).
  const pending: BlobBlock = {
    number: head.number + 1,
    timestamp: Math.max(head.timestamp + slotSeconds, (fork as Partial<BlobFork>).activationTime ?? 0),
    blobGasUsed: 0n,
    excessBlobGas: next.excessBlobGas,
  }
  const series = toBlobSeries({ blocks: [...run, pending], schedule, exactFees: false })
  const end = series.length - 1
  const features = computeBlobFeatures(series, end)
  const forecast = forecaster.forecast(features, maxStep)
  const regime = blobRegime(next.blobBaseFeePerGas)
  const thresholds = calibrateRunMax({ state: calibration[regime], forecast, maxStep })
  const estimates = blobEstimatesOf({
    schedule,
    headTime: head.timestamp,
    slotSeconds,
    next,
    thresholds,
    horizons,
    confidences,
  })
  return {
    nextBlobBaseFeePerGas: next.blobBaseFeePerGas,
    nextExcessBlobGas: next.excessBlobGas,
    fork,
    regime,
    estimates,
    blobBaseFeeForecast: blobBaseFeeForecastOf(forecast, next.excessBlobGas, fraction),
    thresholds,
    logNextBlobFee: Number(next.excessBlobGas) / fraction,
    inputsOutsideRange: forecaster.inputsOutsideRange?.(features) ?? 0,
  }
}
