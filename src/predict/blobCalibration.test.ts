import { describe, expect, it } from 'vitest'
import { blobRegime, pricedBlobFeeWei } from '../fees/blobRegime.js'
import { blobRandomWalkForecaster } from '../model/blobRandomWalkForecaster.js'
import { createBlobCalibrationState, observeBlobBlock } from './blobCalibration.js'
import { calibrateRunMax, recordEstimate } from './calibration.js'

describe('blob calibration', () => {
  it('puts a decision in the floor regime below 1000 wei and in the priced one from it', () => {
    expect(blobRegime(1n)).toBe('floor')
    expect(blobRegime(999)).toBe('floor')
    expect(blobRegime(pricedBlobFeeWei)).toBe('priced')
    expect(blobRegime(3.5e6)).toBe('priced')
  })

  it('starts each regime from its own prior and scores each regime only on the estimates it recorded', () => {
    const prior = (shift: number) => ({ confidences: [90], horizons: [3], offset: [[shift]] })
    const state = createBlobCalibrationState({
      confidences: [90],
      horizons: [3],
      priors: { priced: prior(0.4), floor: prior(-0.2) },
    })
    expect(state.priced.offset[0]![0]).toBe(0.4)
    expect(state.floor.offset[0]![0]).toBe(-0.2)
    const step = 0.1178
    const forecast = blobRandomWalkForecaster().forecast(new Float64Array(64).fill(0.3), step)
    const thresholds = calibrateRunMax({ state: state.priced, forecast, maxStep: step })
    observeBlobBlock({ state, block: 10, logBlobFee: 20 })
    recordEstimate({ state: state.priced, block: 10, logNextBaseFee: 20, thresholds })
    // The fee jumps far above any threshold: a miss for the priced estimate, nothing for the floor state.
    for (const [block, logBlobFee] of [
      [11, 20],
      [12, 25],
      [13, 25],
    ] as const)
      observeBlobBlock({ state, block, logBlobFee })
    expect(state.priced.scored[0]![0]).toBe(1)
    expect(state.priced.covered[0]![0]).toBe(0)
    expect(state.priced.offset[0]![0]).toBeGreaterThan(0.4)
    expect(state.floor.scored[0]![0]).toBe(0)
  })
})
