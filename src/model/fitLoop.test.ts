import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../lib/random.js'
import type { ExampleSet } from './examples.js'
import {
  cosineLearningRate,
  createEarlyStopping,
  fitLoop,
  gatherBatch,
  type PreparedSet,
  shuffleInPlace,
  type TrainProgress,
  validationLoss,
} from './fitLoop.js'
import { defaultLayout } from './layout.js'
import { createQuantileNetwork } from './quantileNetwork.js'
import { loadTf } from './tfRuntime.js'

const layout = defaultLayout(20)
const H = layout.horizons.length

/** One feature that sets the scale of the targets: a network can learn it, a constant cannot. */
function prepared(count: number, seed: number): PreparedSet {
  const random = mulberry32(seed)
  const x = Float32Array.from({ length: count }, () => random() * 2 - 1)
  const runMax = new Float32Array(count * H)
  const marginal = new Float32Array(count * H)
  for (let i = 0; i < count; i++)
    layout.horizons.forEach((n, h) => {
      const scale = (1.5 + x[i]!) * Math.sqrt(n - 1)
      runMax[i * H + h] = scale * random()
      marginal[i * H + h] = scale * (random() - 0.5)
    })
  const set: ExampleSet = {
    count,
    features: x,
    runMax,
    marginal,
    source: new Int32Array(count),
    block: new Float64Array(count),
  }
  return { set, x, weight: new Float32Array(count).fill(1) }
}

describe('fit loop steps', () => {
  it('decays the learning rate along a cosine from the base rate to a tenth', () => {
    expect(cosineLearningRate(1e-3, 1, 10)).toBeCloseTo(1e-3, 12)
    expect(cosineLearningRate(1e-3, 6, 10)).toBeCloseTo(0.55e-3, 12)
    expect(cosineLearningRate(1e-3, 11, 10)).toBeCloseTo(1e-4, 12)
    for (let e = 2; e <= 10; e++)
      expect(cosineLearningRate(1e-3, e, 10)).toBeLessThan(cosineLearningRate(1e-3, e - 1, 10))
  })

  it('shuffles into a permutation, the same one for the same seed', () => {
    const a = Int32Array.from({ length: 50 }, (_, i) => i)
    const b = Int32Array.from({ length: 50 }, (_, i) => i)
    shuffleInPlace(a, mulberry32(5))
    shuffleInPlace(b, mulberry32(5))
    expect(Array.from(a)).toEqual(Array.from(b))
    expect(Array.from(a)).not.toEqual(Array.from({ length: 50 }, (_, i) => i))
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i))
  })

  it('stops after `patience` epochs without a better score, remembering the best', () => {
    const stopping = createEarlyStopping(2)
    expect(stopping.observe(1, 1.0)).toBe('best')
    expect(stopping.observe(2, 0.8)).toBe('best')
    expect(stopping.observe(3, 0.8 - 1e-7)).toBe('continue') // not better by more than 1e-6
    expect(stopping.observe(4, 0.9)).toBe('stop')
    expect(stopping.state).toEqual({ best: 0.8, bestEpoch: 2 })
  })

  it('gathers rows of features, both targets and weights', () => {
    const data = prepared(10, 1)
    data.weight[7] = 3
    const b = gatherBatch(Int32Array.from([7, 2]), data, H)
    expect(b.n).toBe(2)
    expect(b.features).toBe(1)
    expect(Array.from(b.x)).toEqual([data.x[7], data.x[2]])
    expect(Array.from(b.runMax.subarray(0, H))).toEqual(Array.from(data.set.runMax.subarray(7 * H, 8 * H)))
    expect(Array.from(b.marginal.subarray(H))).toEqual(Array.from(data.set.marginal.subarray(2 * H, 3 * H)))
    expect(Array.from(b.weight)).toEqual([3, 1])
  })
})

describe('fitLoop', () => {
  it('lowers the validation loss, reports progress, and ends on the weights of its best epoch', async () => {
    const { tf } = await loadTf('cpu')
    const train = prepared(1500, 2)
    const validation = prepared(500, 3)
    const model = createQuantileNetwork({ tf, inputs: 1, layout, hidden: [16], seed: 1, train: train.set })
    const loss = { tf, model, layout, marginalWeight: 0.5, levelWeights: undefined }
    const before = validationLoss(loss, validation)
    const progress: TrainProgress[] = []
    const fit = await fitLoop({
      ...loss,
      train,
      validation,
      epochs: 6,
      batchSize: 256,
      learningRate: 1e-2,
      weightDecay: 1e-4,
      patience: 8,
      seed: 1,
      onProgress: (p) => progress.push(p),
    })
    expect(fit.epochsRun).toBe(6)
    expect(fit.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6])
    expect(fit.bestValidationLoss).toBeLessThan(before * 0.95)
    expect(fit.bestValidationLoss).toBe(Math.min(...fit.history.map((h) => h.validationLoss)))
    expect(fit.history[fit.bestEpoch - 1]!.validationLoss).toBe(fit.bestValidationLoss)
    // The model holds the best epoch's weights, whatever came after.
    expect(validationLoss(loss, validation)).toBeCloseTo(fit.bestValidationLoss, 5)
    // 6 batches per epoch plus an end-of-epoch report, which carries that epoch's validation loss.
    expect(progress).toHaveLength(6 * 7)
    expect(progress.at(-1)).toMatchObject({ epoch: 6, batch: 6, batches: 6 })
    expect(progress.at(-1)!.validationLoss).toBe(fit.history[5]!.validationLoss)
  }, 60_000)

  it('stops early once the validation loss has not improved for `patience` epochs', async () => {
    const { tf } = await loadTf('cpu')
    const train = prepared(600, 4)
    // Validation targets the network cannot reach: far above anything in training, so it never improves much.
    const validation = prepared(200, 5)
    validation.set.runMax.fill(50)
    const model = createQuantileNetwork({ tf, inputs: 1, layout, hidden: [8], seed: 2, train: train.set })
    const fit = await fitLoop({
      tf,
      model,
      layout,
      train,
      validation,
      marginalWeight: 0.5,
      epochs: 30,
      batchSize: 600,
      learningRate: 1e-2,
      weightDecay: 0,
      patience: 2,
      seed: 1,
    })
    expect(fit.epochsRun).toBeLessThan(30)
    expect(fit.epochsRun - fit.bestEpoch).toBe(2)
  }, 60_000)
})
