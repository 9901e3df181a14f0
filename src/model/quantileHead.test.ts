import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../lib/random.js'
import { defaultLayout, outputSize } from './layout.js'
import { headQuantiles } from './quantileHead.js'
import { headQuantilesTf } from './quantileLoss.js'
import { loadTf } from './tfRuntime.js'

const layout = defaultLayout(20)

function randomRaw(seed: number, scale: number) {
  const random = mulberry32(seed)
  return Float64Array.from({ length: outputSize(layout) }, () => (random() - 0.5) * 2 * scale)
}

describe('quantile head', () => {
  it('never crosses: quantiles rise with the level (both heads) and the running max with the horizon', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const { runMax, marginal } = headQuantiles(randomRaw(seed, seed % 2 ? 3 : 30), layout)
      for (let h = 0; h < runMax.length; h++) {
        for (let l = 1; l < runMax[h]!.length; l++)
          expect(runMax[h]![l]!).toBeGreaterThanOrEqual(runMax[h]![l - 1]!)
        for (let l = 1; l < marginal[h]!.length; l++)
          expect(marginal[h]![l]!).toBeGreaterThanOrEqual(marginal[h]![l - 1]!)
        expect(runMax[h]![0]!).toBeGreaterThanOrEqual(0)
        if (h > 0)
          for (let l = 0; l < runMax[h]!.length; l++)
            expect(runMax[h]![l]!).toBeGreaterThanOrEqual(runMax[h - 1]![l]!)
      }
    }
  })

  it('the TF.js transform used in training equals the JS one used at inference', async () => {
    const { tf } = await loadTf('cpu')
    const raws = [randomRaw(7, 3), randomRaw(8, 1)]
    const [qr, qm] = headQuantilesTf(tf, layout, tf.tensor2d(raws.map((r) => Array.from(r))))
    const tfRun = (await qr.array()) as number[][][]
    const tfMarginal = (await qm.array()) as number[][][]
    raws.forEach((raw, b) => {
      const js = headQuantiles(raw, layout)
      js.runMax.forEach((row, h) => {
        row.forEach((q, l) => {
          expect(tfRun[b]![h]![l]!).toBeCloseTo(q, 3)
        })
      })
      js.marginal.forEach((row, h) => {
        row.forEach((q, l) => {
          expect(tfMarginal[b]![h]![l]!).toBeCloseTo(q, 3)
        })
      })
    })
  })
})
