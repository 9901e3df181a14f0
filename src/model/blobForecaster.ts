import type { FeeQuantileForecast } from './forecast.js'
import type { ModelLayout } from './layout.js'
import { headQuantiles } from './quantileHead.js'

/** Starting offsets of an online calibration (normal-score units by [horizon][confidence]). */
export type CalibrationPriorOffsets = { confidences: number[]; horizons: number[]; offset: number[][] }

/**
 * A forecast of the blob base fee in the shape of the base-fee one (the calibration reads both alike):
 * quantiles of log(max blob fee of the next N blocks / the exact next one) and of log(blob fee k blocks
 * ahead / the next one), natural-log units.
 */
export type BlobFeeForecast = FeeQuantileForecast

/** Anything that turns blob features into a blob forecast: the trained network, or the random-walk fallback. */
export type BlobFeeForecaster = {
  /** Reported with every prediction. */
  version: string
  backend: string
  layout: ModelLayout
  /**
   * One decision: `features` in the order of blobFeatureNames, `maxStep` the largest one-block log rise of
   * the pending block's fork (the model's outputs are in that unit).
   */
  forecast(features: ArrayLike<number>, maxStep: number): BlobFeeForecast
  /**
   * How many of these features lie outside the range the forecaster was trained on (it clamps them: its
   * answer there is the edge's, not a learned one). Absent: it has no trained range (the random walk).
   */
  inputsOutsideRange?(features: ArrayLike<number>): number
  /**
   * Many decisions at once (row-major features, `count` rows): the network's raw outputs, row-major, to be
   * read with blobForecastFromRaw. Absent: call forecast per decision.
   */
  rawBatch?(features: Float32Array, count: number): Float32Array
  /** Starting offsets of the online calibration by regime (scaling.json `calibrationPriors`). */
  calibrationPriors?: Record<string, CalibrationPriorOffsets> | undefined
}

/** One row of raw network outputs as a forecast in log units. */
export function blobForecastFromRaw(
  raw: ArrayLike<number>,
  layout: ModelLayout,
  maxStep: number,
): BlobFeeForecast {
  const { runMax, marginal } = headQuantiles(raw, layout)
  for (const row of runMax) for (let l = 0; l < row.length; l++) row[l] = (row[l] ?? 0) * maxStep
  for (const row of marginal) for (let l = 0; l < row.length; l++) row[l] = (row[l] ?? 0) * maxStep
  return { layout, runMax, marginal }
}
