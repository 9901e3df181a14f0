import { describe, expect, it } from 'vitest'
import { ethStep, knownRandomWalkForecaster, randomWalkSeries } from '../../test/helpers/synthetic.js'
import type { FeeSeries } from '../features/types.js'
import { summarize, walkForward } from './walkForward.js'

const sigma = 0.25 * ethStep

describe('walk-forward backtest', () => {
  it('gives the known coverage on a series with a known distribution', () => {
    const series = randomWalkSeries({ length: 30_000, sigma: () => sigma, seed: 5 })
    const result = walkForward({
      sources: [{ name: 'synthetic', series: [series] }],
      forecaster: knownRandomWalkForecaster(sigma),
      confidences: [50, 70, 90, 95, 99],
      horizons: [3, 5, 10, 20],
      calibration: false,
      baselines: [],
    })
    const rows = summarize(result.cells)
    expect(rows).toHaveLength(20)
    for (const r of rows) {
      expect(r.samples).toBeGreaterThan(29_900)
      // Exact quantiles: coverage equals p up to sampling noise (overlapping windows, so a few points at most).
      expect(Math.abs(r.coverage * 100 - r.confidence!)).toBeLessThan(r.confidence === 99 ? 0.6 : 2)
    }
  })

  it('scores baselines against the latest base fee: a flat fee gives full coverage and the multiplier as headroom', () => {
    const flat: FeeSeries = {
      ...randomWalkSeries({ length: 200, sigma: () => 0, seed: 1 }),
    }
    const result = walkForward({
      sources: [{ name: 'flat', series: [flat] }],
      forecaster: knownRandomWalkForecaster(0.01, 1000),
      confidences: [90],
      horizons: [3, 10],
    })
    const rows = summarize(result.cells)
    const viem = rows.find((r) => r.predictor === 'viem' && r.withinBlocks === 10)!
    expect(viem.coverage).toBe(1)
    expect(viem.medianHeadroom).toBeCloseTo(0.2, 6)
    const ethers = rows.find((r) => r.predictor === 'ethers' && r.withinBlocks === 3)!
    expect(ethers.medianHeadroom).toBeCloseTo(1, 6)
    expect(viem.samples).toBe(200 - 10)
  })

  it('never lets a decision see the future: changing what follows block t leaves the estimate at t unchanged', () => {
    const a = randomWalkSeries({ length: 400, sigma: () => sigma, seed: 11 })
    const b: FeeSeries = {
      ...a,
      logBaseFee: Float64Array.from(a.logBaseFee),
      gasUsedRatio: Float64Array.from(a.gasUsedRatio),
    }
    for (let i = 301; i < 400; i++) b.logBaseFee[i] = b.logBaseFee[i]! + 0.5 * (i - 300) * ethStep
    const seen: number[][] = []
    const spy = (store: number[]) => ({
      ...knownRandomWalkForecaster(sigma, 1000),
      forecast(features: { vector: Float64Array }) {
        store.push(features.vector.reduce((s, x) => s + x, 0))
        return knownRandomWalkForecaster(sigma, 1000).forecast(features as never, a.rule)
      },
    })
    for (const s of [a, b]) {
      const store: number[] = []
      seen.push(store)
      walkForward({
        sources: [{ name: 'x', series: [s] }],
        forecaster: spy(store),
        confidences: [90],
        horizons: [3],
      })
    }
    // Decisions at t <= 299 use base fees up to index t + 1 <= 300: identical.
    expect(seen[0]!.slice(0, 299)).toEqual(seen[1]!.slice(0, 299))
    expect(seen[0]![320]).not.toEqual(seen[1]![320])
  })
})
