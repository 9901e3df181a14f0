import { describe, expect, it } from 'vitest'
import { maxLogStep } from '../features/feeRule.js'
import { ethereumEip1559 } from '../fees/nextBaseFee.js'
import { mulberry32 } from '../lib/random.js'
import type { FeeQuantileForecast } from '../model/forecast.js'
import { defaultLayout, outputSize } from '../model/layout.js'
import { headQuantiles } from '../model/quantileHead.js'
import { calibrateRunMax, createCalibrationState } from './calibration.js'
import { maxFeePerGasFor, thresholdFor, worstCaseBaseFee } from './maxFee.js'

const layout = defaultLayout(20)
const step = maxLogStep({ elasticity: 2, denominator: 8 })

function forecast(seed: number): FeeQuantileForecast {
  const random = mulberry32(seed)
  const raw = Float64Array.from({ length: outputSize(layout) }, () => (random() - 0.7) * 4)
  const { runMax, marginal } = headQuantiles(raw, layout)
  return { layout, runMax: runMax.map((r) => r.map((q) => q * step)), marginal }
}

describe('maxFeePerGasFor', () => {
  const confidences = [1, 10, 50, 55, 60, 70, 75, 80, 85, 90, 92.5, 95, 97.5, 98, 99, 99.5, 99.9]
  const horizons = [1, 2, 3, 4, 5, 7, 10, 12, 15, 19, 20, 21, 30, 50]

  it('is monotone in confidence and in withinBlocks, whatever the calibration offsets', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const state = createCalibrationState()
      const random = mulberry32(seed * 13)
      // Arbitrary per-cell offsets: the cells are calibrated independently and may disagree.
      state.offset = state.offset.map((row) => row.map(() => (random() - 0.5) * 5))
      const thresholds = calibrateRunMax({ state, forecast: forecast(seed), maxStep: step })
      const next = 12_345_678_901n
      const fees = horizons.map((n) =>
        confidences.map((p) =>
          maxFeePerGasFor({ nextBaseFeePerGas: next, thresholds, withinBlocks: n, confidence: p }),
        ),
      )
      for (let i = 0; i < horizons.length; i++)
        for (let j = 0; j < confidences.length; j++) {
          if (j > 0) expect(fees[i]![j]! >= fees[i]![j - 1]!).toBe(true)
          if (i > 0) expect(fees[i]![j]! >= fees[i - 1]![j]!).toBe(true)
        }
    }
  })

  it('is the next base fee for one block and never above the worst case', () => {
    const state = createCalibrationState()
    state.offset = state.offset.map((row) => row.map(() => 3))
    const thresholds = calibrateRunMax({ state, forecast: forecast(3), maxStep: step })
    const next = 1_000_000_007n
    expect(maxFeePerGasFor({ nextBaseFeePerGas: next, thresholds, withinBlocks: 1, confidence: 99 })).toBe(
      next,
    )
    for (const n of [2, 3, 10, 20, 40]) {
      const fee = maxFeePerGasFor({ nextBaseFeePerGas: next, thresholds, withinBlocks: n, confidence: 99.9 })
      expect(fee <= worstCaseBaseFee(next, n - 1)).toBe(true)
      expect(fee >= next).toBe(true)
    }
  })

  it('rounds up: the fee covers the threshold it stands for, up to the exact worst case', () => {
    const state = createCalibrationState()
    const thresholds = calibrateRunMax({ state, forecast: forecast(5), maxStep: step })
    for (const next of [999n, 30_000_000_001n]) {
      for (const p of [50, 90, 99]) {
        const fee = maxFeePerGasFor({ nextBaseFeePerGas: next, thresholds, withinBlocks: 5, confidence: p })
        const wanted = Number(next) * Math.exp(thresholdFor(thresholds, 5, p))
        const cap = worstCaseBaseFee(next, 4)
        if (wanted < Number(cap)) expect(Number(fee)).toBeGreaterThanOrEqual(wanted * (1 - 1e-12))
        else expect(fee).toBe(cap)
      }
    }
  })

  it('worst case follows EIP-1559 integer arithmetic (full blocks: +12.5% each)', () => {
    expect(worstCaseBaseFee(800n, 1, ethereumEip1559)).toBe(900n)
    expect(worstCaseBaseFee(800n, 2, ethereumEip1559)).toBe(1012n)
    expect(worstCaseBaseFee(7n, 1, ethereumEip1559)).toBe(8n) // at least 1 wei
  })
})
