import { maxLogStep } from '../../src/features/feeRule.js'
import type { FeeRule, FeeSeries } from '../../src/features/types.js'
import { mulberry32 } from '../../src/lib/random.js'
import type { BaseFeeForecaster } from '../../src/model/forecast.js'
import { defaultLayout } from '../../src/model/layout.js'
import { normalQuantile } from '../../src/model/normal.js'

export const ethRule: FeeRule = { elasticity: 2, denominator: 8 }
export const ethStep = maxLogStep(ethRule)

export function gaussian(seed: number): () => number {
  const random = mulberry32(seed)
  return () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
}

/** A base-fee path whose log steps are i.i.d. normal with the given σ per block (clamped to EIP-1559's bounds). */
export function randomWalkSeries({
  length,
  sigma,
  seed,
  firstNumber = 1_000_000,
}: {
  length: number
  sigma: (i: number) => number
  seed: number
  firstNumber?: number
}): FeeSeries {
  const normal = gaussian(seed)
  const logBaseFee = new Float64Array(length)
  logBaseFee[0] = Math.log(20e9)
  for (let i = 1; i < length; i++)
    logBaseFee[i] = logBaseFee[i - 1]! + Math.max(-ethStep, Math.min(ethStep, sigma(i) * normal()))
  const gasUsedRatio = new Float64Array(length).fill(Number.NaN)
  for (let i = 0; i + 1 < length; i++)
    gasUsedRatio[i] = 1 + 8 * Math.expm1(logBaseFee[i + 1]! - logBaseFee[i]!)
  return {
    firstNumber,
    length,
    logBaseFee,
    relative: false,
    gasUsedRatio,
    blockTime: new Float64Array(length).fill(12),
    tipThreshold: new Float64Array(length).fill(Number.NaN),
    rule: ethRule,
  }
}

/**
 * The exact forecaster for a Gaussian random walk of step σ: running-max quantiles by Monte Carlo
 * (deterministic seed, many paths), marginal ones in closed form. Ignores the features: the process has
 * no memory.
 */
export function knownRandomWalkForecaster(sigma: number, paths = 40_000): BaseFeeForecaster {
  const layout = defaultLayout(20)
  const normal = gaussian(99)
  const K = layout.horizons.at(-1)!
  const maxima = layout.horizons.map(() => new Float64Array(paths))
  for (let p = 0; p < paths; p++) {
    let x = 0
    let m = 0
    for (let k = 2; k <= K; k++) {
      x += Math.max(-ethStep, Math.min(ethStep, sigma * normal()))
      m = Math.max(m, x)
      maxima[k - 2]![p] = m
    }
  }
  const runMax = maxima.map((values) => {
    const sorted = values.sort()
    return Float64Array.from(layout.runMaxLevels, (l) => sorted[Math.min(paths - 1, Math.floor(l * paths))]!)
  })
  const marginal = layout.horizons.map((k) =>
    Float64Array.from(layout.marginalLevels, (l) => sigma * Math.sqrt(k - 1) * normalQuantile(l)),
  )
  return {
    version: 'known-random-walk',
    backend: 'js',
    layout,
    forecast: () => ({ layout, runMax, marginal }),
  }
}
