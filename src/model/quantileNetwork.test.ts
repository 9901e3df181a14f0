import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../lib/random.js'
import type { ExampleSet } from './examples.js'
import { defaultLayout, outputSize } from './layout.js'
import { headQuantiles } from './quantileHead.js'
import { createQuantileNetwork } from './quantileNetwork.js'
import { loadTf } from './tfRuntime.js'

const layout = defaultLayout(20)
const H = layout.horizons.length

/** Targets whose running max is √(N-1)·u for one uniform u per example, and a marginal centred on 0. */
function examples(count: number, seed: number): ExampleSet {
  const random = mulberry32(seed)
  const runMax = new Float32Array(count * H)
  const marginal = new Float32Array(count * H)
  for (let i = 0; i < count; i++) {
    const u = random()
    layout.horizons.forEach((n, h) => {
      runMax[i * H + h] = Math.sqrt(n - 1) * u
      marginal[i * H + h] = Math.sqrt(n - 1) * (random() - 0.5)
    })
  }
  return {
    count,
    features: Float32Array.from({ length: count * 3 }, () => random()),
    runMax,
    marginal,
    source: new Int32Array(count),
    block: new Float64Array(count),
  }
}

describe('createQuantileNetwork', () => {
  it('has the layout hidden layers and outputs, and the same starting weights for the same seed', async () => {
    const { tf } = await loadTf('cpu')
    const train = examples(500, 1)
    const a = createQuantileNetwork({ tf, inputs: 3, layout, hidden: [8, 4], seed: 3, train })
    const b = createQuantileNetwork({ tf, inputs: 3, layout, hidden: [8, 4], seed: 3, train })
    const c = createQuantileNetwork({ tf, inputs: 3, layout, hidden: [8, 4], seed: 4, train })
    expect(a.layers.map((l) => l.outputShape)).toEqual([
      [null, 8],
      [null, 4],
      [null, outputSize(layout)],
    ])
    const weights = (m: typeof a) => m.getWeights().map((w) => Array.from(w.dataSync()))
    expect(weights(a)).toEqual(weights(b))
    expect(weights(a)[0]).not.toEqual(weights(c)[0])
  })

  it('untrained, answers the unconditional quantiles of the training targets, without crossing', async () => {
    const { tf } = await loadTf('cpu')
    const train = examples(4000, 2)
    const model = createQuantileNetwork({ tf, inputs: 3, layout, hidden: [8], seed: 1, train })
    // Standardised inputs at the mean (0): the ReLU layer gives 0, so the output is the bias alone.
    const raw = (model.predict(tf.zeros([1, 3])) as import('@tensorflow/tfjs').Tensor).dataSync()
    const { runMax, marginal } = headQuantiles(raw, layout)
    const empirical = (data: Float32Array, h: number, p: number) => {
      const column = Array.from({ length: train.count }, (_, i) => data[i * H + h]!).sort((a, b) => a - b)
      return column[Math.round(p * (train.count - 1))]!
    }
    for (const n of [2, 5, 10, 20]) {
      const h = layout.horizons.indexOf(n)
      // Up to the floor of 1e-3 that each increment of the cumulative parametrisation gets (at most
      // (h + 1)(l + 1) of them add up).
      for (const l of [0, 6, 10, 13]) {
        const want = empirical(train.runMax, h, layout.runMaxLevels[l]!)
        expect(runMax[h]![l]! - want).toBeGreaterThan(-0.01)
        expect(runMax[h]![l]! - want).toBeLessThan(0.01 + (h + 1) * (l + 1) * 1e-3)
      }
      for (const l of [0, 4, 8])
        expect(marginal[h]![l]!).toBeCloseTo(empirical(train.marginal, h, layout.marginalLevels[l]!), 2)
      for (let l = 1; l < runMax[h]!.length; l++)
        expect(runMax[h]![l]!).toBeGreaterThanOrEqual(runMax[h]![l - 1]!)
    }
  })
})
