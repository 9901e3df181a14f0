import { describe, expect, it } from 'vitest'
import { ethRule, ethStep, randomWalkSeries } from '../../test/helpers/synthetic.js'
import { buildExamples } from '../model/examples.js'
import { fitFeeModel } from '../model/fitFeeModel.js'
import type { BaseFeeForecaster } from '../model/forecast.js'
import { defaultLayout } from '../model/layout.js'
import { randomWalkForecaster } from '../model/randomWalkForecaster.js'
import { loadTf } from '../model/tfRuntime.js'
import { calibrationPrior, withCalibrationPrior } from './calibrationPrior.js'

const layout = defaultLayout()
const series = [randomWalkSeries({ length: 1500, sigma: () => 0.4 * ethStep, seed: 11 })]
const { validation } = buildExamples({ sources: [{ source: 0, series }], layout, validationShare: 0.5 })

/** The random-walk forecaster with its running-max quantiles scaled by `factor` (too narrow below 1). */
function scaled(factor: number): BaseFeeForecaster {
  const inner = randomWalkForecaster({ layout })
  return {
    ...inner,
    forecast: (features, rule) => {
      const f = inner.forecast(features, rule)
      return { ...f, runMax: f.runMax.map((row) => row.map((q) => q * factor)) }
    },
  }
}

describe('calibrationPrior', () => {
  it('shifts a too-narrow model up and a too-wide one down, per horizon and confidence', () => {
    const narrow = calibrationPrior({ forecaster: scaled(0.4), examples: validation, rule: ethRule })
    const wide = calibrationPrior({ forecaster: scaled(2.5), examples: validation, rule: ethRule })
    expect(narrow.offset).toHaveLength(narrow.horizons.length)
    for (const row of narrow.offset) expect(row).toHaveLength(narrow.confidences.length)
    const at = (prior: typeof narrow, n: number, p: number) =>
      prior.offset[prior.horizons.indexOf(n)]![prior.confidences.indexOf(p)]!
    for (const n of [3, 10, 20]) {
      expect(at(narrow, n, 90)).toBeGreaterThan(0.2)
      expect(at(wide, n, 90)).toBeLessThan(-0.2)
    }
  })

  it('clamps the offsets into its bounds', () => {
    const prior = calibrationPrior({
      forecaster: scaled(0.05),
      examples: validation,
      rule: ethRule,
      bounds: [-0.5, 0.5],
    })
    for (const row of prior.offset) for (const x of row) expect(Math.abs(x)).toBeLessThanOrEqual(0.5)
    expect(Math.max(...prior.offset.flat())).toBe(0.5)
  })
})

describe('withCalibrationPrior', () => {
  it('records the prior of a just-trained model in its meta (scaling.json) and its forecaster', async () => {
    const runtime = await loadTf('cpu')
    const sources = [1, 2].map((seed) => ({
      name: `s${seed}`,
      series: [randomWalkSeries({ length: 900, sigma: () => 0.3 * ethStep, seed })],
    }))
    const fit = await fitFeeModel({ runtime, sources, version: 'prior@1', epochs: 1, hidden: [8] })
    expect(fit.meta.calibrationPrior).toBeUndefined()
    const calibrated = withCalibrationPrior(fit)
    expect(calibrated.meta.calibrationPrior?.offset.length).toBe(19)
    expect(calibrated.model.calibrationPrior).toBe(calibrated.meta.calibrationPrior)
    expect(calibrated.meta.calibrationPrior).toEqual(
      calibrationPrior({ forecaster: fit.model, examples: fit.examples.validation, rule: ethRule }),
    )
    // No validation examples: no prior (the calibration starts at zero offsets).
    const none = withCalibrationPrior({
      ...fit,
      meta: { ...fit.meta, calibrationPrior: undefined },
      model: { ...fit.model, calibrationPrior: undefined },
      examples: { ...fit.examples, validation: { ...fit.examples.validation, count: 0 } },
    })
    expect(none.meta.calibrationPrior).toBeUndefined()
  }, 60_000)
})
