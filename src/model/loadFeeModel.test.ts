import { mkdtemp, readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { ethStep, randomWalkSeries } from '../../test/helpers/synthetic.js'
import { computeFeatures } from '../features/computeFeatures.js'
import { ModelFilesError } from './errors.js'
import { fitFeeModel } from './fitFeeModel.js'
import { loadFeeModel } from './loadFeeModel.js'
import { saveFeeModel } from './saveFeeModel.js'
import { loadTf } from './tfRuntime.js'

describe('model files', () => {
  it('trains, saves in TF.js format, loads back and answers the same through the JS runner', async () => {
    const runtime = await loadTf('auto')
    expect(['tensorflow', 'wasm', 'cpu']).toContain(runtime.backend)
    const sources = [1, 2].map((seed) => ({
      name: `s${seed}`,
      series: [randomWalkSeries({ length: 1200, sigma: () => 0.3 * ethStep, seed })],
    }))
    const fit = await fitFeeModel({ runtime, sources, version: 'test@1', epochs: 2, hidden: [16, 16] })
    // The calibration prior is the predictor's step (predict/calibrationPrior.test.ts), not training's.
    expect(fit.meta.calibrationPrior).toBeUndefined()
    const dir = await mkdtemp(join(tmpdir(), 'feecast-model-'))
    await saveFeeModel({ runtime, tfModel: fit.training.model, meta: fit.meta, dir })
    const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'))
    expect(modelJson.weightsManifest[0].paths).toEqual(['weights.bin'])

    const model = await loadFeeModel({ dir })
    expect(model.version).toBe('test@1')
    expect(model.backend).toBe(`${runtime.backend}+js`)
    const series = sources[0]!.series[0]!
    for (const end of [0, 10, 500]) {
      const a = fit.model.forecast(computeFeatures({ series, end }), series.rule)
      const b = model.forecast(computeFeatures({ series, end }), series.rule)
      a.runMax.forEach((row, h) => {
        row.forEach((q, l) => {
          expect(b.runMax[h]![l]!).toBeCloseTo(q, 5)
        })
      })
      for (const row of b.runMax)
        for (let l = 1; l < row.length; l++) expect(row[l]!).toBeGreaterThanOrEqual(row[l - 1]!)
    }
  }, 120_000)

  it('names what is missing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'feecast-empty-'))
    const error = await loadFeeModel({ dir }).catch((e) => e)
    expect(error).toBeInstanceOf(ModelFilesError)
    expect(error.message).toMatch(/cannot read (model\.json|weights\.bin|scaling\.json) \(ENOENT\)/)
  })
})
