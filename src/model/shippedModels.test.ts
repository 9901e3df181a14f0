import { describe, expect, it } from 'vitest'
import { ethStep, randomWalkSeries } from '../../test/helpers/synthetic.js'
import { computeFeatures } from '../features/computeFeatures.js'
import { defaultBlobModelDir, defaultModelDir } from './defaultModel.js'
import { loadBlobFeeModel } from './loadBlobFeeModel.js'
import { loadFeeModel } from './loadFeeModel.js'

/**
 * The shipped models are not retrained when the trainer changes: their files must keep loading and keep
 * answering what they answered when they were trained (figures recorded from models/ as committed; the
 * forecast runs on plain-JS dense layers, so they do not depend on the TF.js backend).
 */
describe('shipped models', () => {
  it('models/basefee loads and forecasts as recorded', async () => {
    const model = await loadFeeModel({ dir: defaultModelDir })
    expect(model.version).toBe('basefee@2026-11-23')
    expect(model.calibrationPrior?.offset).toHaveLength(19)
    const series = randomWalkSeries({ length: 400, sigma: () => 0.3 * ethStep, seed: 7 })
    const recorded: Record<number, number[]> = {
      // runMax N=3 @99 %, N=10 @50 %, N=10 @99 %, N=20 @99.5 %; marginal k=5 @50 %, k=10 @90 %
      0: [
        1.2266710531898184, 0.12187071921081105, 1.9709693984529373, 2.8236027617180706, 0.0814572175265251,
        0.2186265338259046,
      ],
      50: [
        0.3186209484384133, 0.016819812705711406, 0.4739956538608204, 0.6752011101772946,
        -0.01815093186730154, 0.04749251824925161,
      ],
      399: [
        0.24054270914839052, 0.08977926222092171, 0.3434514458510314, 0.47639131707486787,
        0.02385850827814995, 0.11054343687872453,
      ],
    }
    for (const [end, expected] of Object.entries(recorded)) {
      const f = model.forecast(computeFeatures({ series, end: Number(end) }), series.rule)
      const h = (n: number) => f.layout.horizons.indexOf(n)
      const got = [
        f.runMax[h(3)]![13]!,
        f.runMax[h(10)]![6]!,
        f.runMax[h(10)]![13]!,
        f.runMax[h(20)]![14]!,
        f.marginal[h(5)]![4]!,
        f.marginal[h(10)]![6]!,
      ]
      got.forEach((x, i) => {
        expect(x, `end ${end}, value ${i}`).toBeCloseTo(expected[i]!, 9)
      })
    }
  })

  it('models/blobfee loads and forecasts as recorded', async () => {
    const model = await loadBlobFeeModel({ dir: defaultBlobModelDir })
    expect(model.version).toBe('blobfee@2026-11-30')
    expect(Object.keys(model.calibrationPriors ?? {})).toContain('priced')
    const recorded = [
      // runMax N=3 @99 %, N=10 @50 %, N=10 @99 %; marginal k=5 @50 %
      [0.2634881957996924, 0.21314733219841178, 0.7908908822163886, 0.08487845823653331],
      [0.2654712882872259, 0.1900300568505917, 0.7945988902234827, 0.05356933028165144],
    ]
    recorded.forEach((expected, k) => {
      const features = model.meta.featureMean.map(
        (m, j) => m + Math.sin(j + k) * (model.meta.featureStd[j] ?? 1),
      )
      const f = model.forecast(features, Math.log(1.125))
      const h = (n: number) => f.layout.horizons.indexOf(n)
      const got = [f.runMax[h(3)]![13]!, f.runMax[h(10)]![6]!, f.runMax[h(10)]![13]!, f.marginal[h(5)]![4]!]
      got.forEach((x, i) => {
        expect(x, `input ${k}, value ${i}`).toBeCloseTo(expected[i]!, 9)
      })
    })
  })

  it('models/blobfee counts the inputs outside its trained range (which it clamps)', async () => {
    const model = await loadBlobFeeModel({ dir: defaultBlobModelDir })
    const range = model.meta.featureRange
    expect(range).toBeDefined()
    const middle = range!.low.map((low, j) => (low + range!.high[j]!) / 2)
    expect(model.inputsOutsideRange?.(middle)).toBe(0)
    const beyond = [...middle]
    beyond[0] = range!.high[0]! + 1
    beyond[1] = range!.low[1]! - 1
    expect(model.inputsOutsideRange?.(beyond)).toBe(2)
  })
})
