import { blobFeatureNames } from '../features/blobFeatureNames.js'
import type { BlobFeeForecaster } from './blobForecaster.js'
import { defaultLayout, type ModelLayout } from './layout.js'
import { normalQuantile } from './normal.js'

const volatilityIndex = blobFeatureNames.indexOf('volatility_32')
const historyIndex = blobFeatureNames.indexOf('history_share')

/**
 * The blob fallback when no trained model is there: log blob fee as a driftless random walk with the recent
 * step volatility (reflection: the running max's p-quantile is σ√(N-1)·Φ⁻¹((1+p)/2)). Crude but scale-free, and the online calibration corrects its levels.
 */
export function blobRandomWalkForecaster({
  layout = defaultLayout(),
  priorVolatility = 0.6,
}: {
  layout?: ModelLayout
  priorVolatility?: number
} = {}): BlobFeeForecaster {
  const runZ = layout.runMaxLevels.map((p) => normalQuantile((1 + p) / 2))
  const marginalZ = layout.marginalLevels.map((p) => normalQuantile(p))
  return {
    version: 'blob-random-walk-fallback',
    backend: 'js',
    layout,
    forecast(features, maxStep) {
      const history = (features[historyIndex] ?? 0) * 256
      const w = Math.min(1, history / 32)
      const sigma = (w * (features[volatilityIndex] ?? 0) + (1 - w) * priorVolatility) * maxStep
      // Not capped here: the calibration clamps at the worst case plus its slack. A curve that sat exactly
      // on the worst case would sit on an atom of the outcome (N - 1 full blocks), where the calibration's
      // recorded thresholds (rounded to 1e-6) and the published ones could score the same outcome apart.
      const runMax = layout.horizons.map((n) => Float64Array.from(runZ, (z) => sigma * Math.sqrt(n - 1) * z))
      const marginal = layout.horizons.map((k) =>
        Float64Array.from(marginalZ, (z) =>
          Math.max(-(k - 1) * 2 * maxStep, Math.min((k - 1) * maxStep, sigma * Math.sqrt(k - 1) * z)),
        ),
      )
      return { layout, runMax, marginal }
    },
  }
}
