import type { Features } from '../features/computeFeatures.js'
import { featureNames } from '../features/featureNames.js'
import { maxLogStep } from '../features/feeRule.js'
import type { FeeRule } from '../features/types.js'
import { at } from '../lib/at.js'
import type { BaseFeeForecaster } from './forecast.js'
import { defaultLayout, type ModelLayout } from './layout.js'
import { normalQuantile } from './normal.js'

const volatilityIndex = featureNames.indexOf('volatility_32')
const historyIndex = featureNames.indexOf('history_share')

export type RandomWalkForecasterParameters = {
  layout?: ModelLayout
  /** Step volatility (max-step units) assumed while history is short. */
  priorVolatility?: number
}

/**
 * The fallback when no trained model is available: log base fee as a driftless random walk with the
 * recent step volatility. The running max of such a walk over N - 1 steps exceeds a with about twice the
 * probability that the walk ends above a (reflection), so its p-quantile is σ√(N-1)·Φ⁻¹((1+p)/2).
 * Crude, but scale-free and sane, and the online calibration corrects its levels.
 */
export function randomWalkForecaster({
  layout = defaultLayout(),
  priorVolatility = 0.6,
}: RandomWalkForecasterParameters = {}): BaseFeeForecaster {
  const runZ = layout.runMaxLevels.map((p) => normalQuantile((1 + p) / 2))
  const marginalZ = layout.marginalLevels.map((p) => normalQuantile(p))
  return {
    version: 'random-walk-fallback',
    backend: 'js',
    layout,
    forecast(features: Features, rule: FeeRule) {
      const step = maxLogStep(rule)
      const history = at(features.vector, historyIndex) * 256
      const observed = at(features.vector, volatilityIndex)
      // Shrink towards the prior while fewer than 32 blocks are known.
      const w = Math.min(1, history / 32)
      const sigma = (w * observed + (1 - w) * priorVolatility) * step
      const runMax = layout.horizons.map((n) => {
        const cap = (n - 1) * step
        return Float64Array.from(runZ, (z) => Math.min(cap, sigma * Math.sqrt(n - 1) * z))
      })
      const marginal = layout.horizons.map((k) => {
        const cap = (k - 1) * step
        return Float64Array.from(marginalZ, (z) =>
          Math.max(-cap, Math.min(cap, sigma * Math.sqrt(k - 1) * z)),
        )
      })
      return { layout, runMax, marginal }
    },
  }
}
