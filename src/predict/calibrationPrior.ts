import type { Features } from '../features/computeFeatures.js'
import { maxLogStep } from '../features/feeRule.js'
import type { FeeRule } from '../features/types.js'
import { at } from '../lib/at.js'
import type { ExampleSet } from '../model/examples.js'
import type { BaseFeeForecaster } from '../model/forecast.js'
import type { FeeModel } from '../model/loadFeeModel.js'
import { normalQuantile } from '../model/normal.js'
import {
  defaultCalibrationConfidences,
  defaultCalibrationHorizons,
  type TailRule,
  thresholdAtScore,
} from './calibration.js'

export type CalibrationPriorParameters = {
  forecaster: BaseFeeForecaster
  /** Examples the model was not fitted on (its time-held-out validation set). */
  examples: ExampleSet
  rule: FeeRule
  /**
   * Log units of one unit of the examples' targets (default: the rule's largest one-block step). The blob
   * model's targets are in each fork's own step; its prior is read in those units (1).
   */
  maxStep?: number
  confidences?: number[]
  horizons?: number[]
  /** Offsets are clamped to these bounds (a small validation set says little about far tails). */
  bounds?: [number, number]
  capSlack?: number
  /** The tail rule of the states the prior starts (the same reading of the curve as the calibration's). */
  tail?: TailRule
}

export type CalibrationPrior = { confidences: number[]; horizons: number[]; offset: number[][] }

/**
 * Split-conformal starting point for the online calibration: on held-out examples, the level shift δ
 * per horizon and confidence at which the model's own quantiles would have covered exactly p. For each
 * example, z* is the smallest normal score whose quantile covers the outcome; δ is the p-quantile of z*
 * minus Φ⁻¹(p). Written to scaling.json by training, so a chain's calibration does not start cold.
 */
export function calibrationPrior({
  forecaster,
  examples,
  rule,
  maxStep,
  confidences = defaultCalibrationConfidences,
  horizons = defaultCalibrationHorizons,
  bounds = [-1.5, 2],
  capSlack = 0.02,
  tail = 'spread',
}: CalibrationPriorParameters): CalibrationPrior {
  const layout = forecaster.layout
  const H = layout.horizons.length
  const F = examples.features.length / Math.max(1, examples.count)
  const step = maxStep ?? maxLogStep(rule)
  const levelScores = layout.runMaxLevels.map(normalQuantile)
  const scores: Float64Array[] = horizons.map(() => new Float64Array(examples.count))
  const features = { vector: new Float64Array(F) } as unknown as Features
  for (let i = 0; i < examples.count; i++) {
    features.vector.set(examples.features.subarray(i * F, (i + 1) * F))
    const forecast = forecaster.forecast(features, rule)
    horizons.forEach((n, k) => {
      const h = layout.horizons.indexOf(n)
      if (h < 0) throw new RangeError(`calibrationPrior: the model has no horizon ${n}`)
      const y = at(examples.runMax, i * H + h) * step
      const curve = at(forecast.runMax, h)
      const horizonScores = at(scores, k)
      const cap = (n - 1) * step + capSlack
      const covers = (z: number) => thresholdAtScore(levelScores, curve, z, cap, tail) >= y - 1e-9
      let lo = -8
      let hi = 8
      if (covers(lo)) horizonScores[i] = lo
      else if (!covers(hi)) horizonScores[i] = Number.POSITIVE_INFINITY
      else {
        for (let it = 0; it < 40; it++) {
          const mid = (lo + hi) / 2
          if (covers(mid)) hi = mid
          else lo = mid
        }
        horizonScores[i] = hi
      }
    })
  }
  const offset = scores.map((horizonScores) => {
    const sorted = Float64Array.from(horizonScores).sort()
    return confidences.map((p) => {
      if (sorted.length === 0) return 0
      const rank = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)
      const delta = at(sorted, Math.max(0, rank)) - normalQuantile(p / 100)
      return Math.min(bounds[1], Math.max(bounds[0], Number.isFinite(delta) ? delta : bounds[1]))
    })
  })
  return { confidences: [...confidences], horizons: [...horizons], offset }
}

/**
 * Fits the prior of a just-trained base-fee model on its validation examples (those it was not fitted on:
 * they say how far off its levels are) and records it in its meta (scaling.json) and forecaster. Without
 * validation examples the model keeps no prior and its calibration starts at zero offsets.
 */
export function withCalibrationPrior<
  T extends {
    model: FeeModel
    meta: FeeModel['meta']
    examples: { validation: ExampleSet }
    rule: FeeRule | null
  },
>(fit: T): T {
  if (fit.examples.validation.count === 0 || fit.rule === null) return fit
  const prior = calibrationPrior({ forecaster: fit.model, examples: fit.examples.validation, rule: fit.rule })
  fit.meta.calibrationPrior = prior
  fit.model.calibrationPrior = prior
  return fit
}
