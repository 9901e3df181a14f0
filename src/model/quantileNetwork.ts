import type * as Tf from '@tensorflow/tfjs'
import { at, last } from '../lib/at.js'
import type { ExampleSet } from './examples.js'
import { type ModelLayout, outputSize } from './layout.js'
import { inverseSoftplus } from './quantileHead.js'

export type CreateQuantileNetworkParameters = {
  tf: typeof Tf
  /** Features per example. */
  inputs: number
  layout: ModelLayout
  /** Units of each hidden ReLU layer. */
  hidden: readonly number[]
  /** Seeds the initializers: the same seed gives the same starting weights. */
  seed: number
  /** Training examples: the output biases start at their unconditional quantiles. */
  train: ExampleSet
}

function empiricalQuantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0
  const position = p * (sorted.length - 1)
  const lo = Math.floor(position)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return at(sorted, lo) + (position - lo) * (at(sorted, hi) - at(sorted, lo))
}

/**
 * Output biases that make the untrained network answer the unconditional quantiles of the training
 * targets: training then starts from a sane forecast and only learns what the features add.
 */
export function initialBias(train: ExampleSet, layout: ModelLayout): Float32Array {
  const H = layout.horizons.length
  const L = layout.runMaxLevels.length
  const M = layout.marginalLevels.length
  const bias = new Float32Array(outputSize(layout))
  const column = (data: Float32Array, h: number) => {
    const out = new Float64Array(train.count)
    for (let i = 0; i < train.count; i++) out[i] = at(data, i * H + h)
    return out.sort()
  }
  const floor = 1e-3
  let previous = new Float64Array(L)
  for (let h = 0; h < H; h++) {
    const sorted = column(train.runMax, h)
    const q = layout.runMaxLevels.map((p) => empiricalQuantile(sorted, p))
    for (let l = 1; l < L; l++) q[l] = Math.max(at(q, l), at(q, l - 1))
    const row = new Float64Array(L)
    for (let l = 0; l < L; l++) {
      const value = Math.max(at(q, l), at(previous, l))
      row[l] = value
      // 2D increment of the cumulative parametrisation (quantileHead.ts)
      const d = value - at(previous, l) - (l > 0 ? at(row, l - 1) - at(previous, l - 1) : 0)
      bias[h * L + l] = inverseSoftplus(Math.max(floor, d))
    }
    previous = row
  }
  for (let h = 0; h < H; h++) {
    const sorted = column(train.marginal, h)
    const q = layout.marginalLevels.map((p) => empiricalQuantile(sorted, p))
    const start = H * L + h * M
    bias[start] = at(q, 0)
    for (let l = 1; l < M; l++) bias[start + l] = inverseSoftplus(Math.max(floor, at(q, l) - at(q, l - 1)))
  }
  return bias
}

/**
 * The quantile network: dense ReLU layers (He-initialised) and a linear output of every head's raw values,
 * its kernel shrunk tenfold and its biases at the training targets' unconditional quantiles (initialBias).
 */
export function createQuantileNetwork({
  tf,
  inputs,
  layout,
  hidden,
  seed,
  train,
}: CreateQuantileNetworkParameters): Tf.Sequential {
  const model = tf.sequential()
  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
        ...(i === 0 ? { inputShape: [inputs] } : {}),
      }),
    )
  })
  model.add(
    tf.layers.dense({
      units: outputSize(layout),
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 99 }),
    }),
  )
  const out = last(model.layers)
  const [kernel] = out.getWeights()
  if (kernel === undefined) throw new RangeError('createQuantileNetwork: the output layer has no kernel')
  const small = tf.mul(kernel, 0.1)
  out.setWeights([small, tf.tensor1d(initialBias(train, layout))])
  small.dispose()
  return model
}
