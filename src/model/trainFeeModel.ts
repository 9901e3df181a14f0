import type * as Tf from '@tensorflow/tfjs'
import { mulberry32 } from '../lib/random.js'
import type { ExampleSet } from './examples.js'
import { type ModelLayout, outputSize } from './layout.js'
import { inverseSoftplus } from './quantileHead.js'

export type TrainProgress = {
  epoch: number
  epochs: number
  batch: number
  batches: number
  trainLoss: number
  validationLoss: number | null
}

export type TrainFeeModelParameters = {
  tf: typeof Tf
  train: ExampleSet
  validation: ExampleSet
  layout: ModelLayout
  hidden?: number[]
  epochs?: number
  batchSize?: number
  learningRate?: number
  /**
   * Weight of each running-max level in the loss (default: all 1). Levels at and above the median are what
   * maxFee reads; the lowest ones only shape the curve the calibration may move down to.
   */
  levelWeights?: number[]
  /** Weight of the marginal head's loss beside the running-max head's (which sets maxFee). */
  marginalWeight?: number
  /**
   * Each source's total weight grows as (its example count)^balance: 1 weighs examples equally, 0 weighs
   * files equally. In between keeps one long file from dictating what a regime looks like.
   */
  balance?: number
  /** L2 penalty on the dense kernels (keeps the network from memorising one file's quirks). */
  weightDecay?: number
  /** Epochs without a better validation loss before stopping. */
  patience?: number
  seed?: number
  onProgress?: (progress: TrainProgress) => void
}

export type TrainFeeModelReturnType = {
  model: Tf.Sequential
  featureMean: number[]
  featureStd: number[]
  epochsRun: number
  bestEpoch: number
  bestValidationLoss: number
  history: { epoch: number; trainLoss: number; validationLoss: number }[]
}

function empiricalQuantile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0
  const at = p * (sorted.length - 1)
  const lo = Math.floor(at)
  const hi = Math.min(sorted.length - 1, lo + 1)
  return sorted[lo]! + (at - lo) * (sorted[hi]! - sorted[lo]!)
}

/**
 * Output biases that make the untrained network answer the unconditional quantiles of the training
 * targets: training then starts from a sane forecast and only learns what the features add.
 */
function initialBias(train: ExampleSet, layout: ModelLayout): Float32Array {
  const H = layout.horizons.length
  const L = layout.runMaxLevels.length
  const M = layout.marginalLevels.length
  const bias = new Float32Array(outputSize(layout))
  const column = (data: Float32Array, h: number) => {
    const out = new Float64Array(train.count)
    for (let i = 0; i < train.count; i++) out[i] = data[i * H + h]!
    return out.sort()
  }
  const floor = 1e-3
  let previous = new Float64Array(L)
  for (let h = 0; h < H; h++) {
    const sorted = column(train.runMax, h)
    const q = layout.runMaxLevels.map((p) => empiricalQuantile(sorted, p))
    for (let l = 1; l < L; l++) q[l] = Math.max(q[l]!, q[l - 1]!)
    const row = new Float64Array(L)
    for (let l = 0; l < L; l++) {
      row[l] = Math.max(q[l]!, previous[l]!)
      // 2D increment of the cumulative parametrisation (quantileHead.ts)
      const d = row[l]! - previous[l]! - (l > 0 ? row[l - 1]! - previous[l - 1]! : 0)
      bias[h * L + l] = inverseSoftplus(Math.max(floor, d))
    }
    previous = row
  }
  for (let h = 0; h < H; h++) {
    const sorted = column(train.marginal, h)
    const q = layout.marginalLevels.map((p) => empiricalQuantile(sorted, p))
    const at = H * L + h * M
    bias[at] = q[0]!
    for (let l = 1; l < M; l++) bias[at + l] = inverseSoftplus(Math.max(floor, q[l]! - q[l - 1]!))
  }
  return bias
}

/**
 * quantileHead.ts's transform in TF.js, for training: raw [B, outputs] → running-max quantiles [B, H, L]
 * and marginal quantiles [B, H, M].
 */
export function headQuantilesTf(
  tf: typeof Tf,
  layout: ModelLayout,
  raw: Tf.Tensor2D,
): [Tf.Tensor3D, Tf.Tensor3D] {
  const B = raw.shape[0]
  const H = layout.horizons.length
  const L = layout.runMaxLevels.length
  const M = layout.marginalLevels.length
  // Cumulative sums as products with triangular matrices: TF.js 4.22's Cumsum gradient is wrong for
  // any axis but the last, and a matmul is as fast.
  const upper = (n: number) =>
    tf.tensor2d(
      Array.from({ length: n * n }, (_, k) => (Math.floor(k / n) <= k % n ? 1 : 0)),
      [n, n],
    )
  const rm = tf.softplus(tf.reshape(tf.slice(raw, [0, 0], [B, H * L]), [B * H, L]))
  const byLevel = tf.reshape(tf.matMul(rm, upper(L)), [B, H, L])
  const byHorizon = tf.matMul(tf.reshape(tf.transpose(byLevel, [0, 2, 1]), [B * L, H]), upper(H))
  const qr = tf.transpose(tf.reshape(byHorizon, [B, L, H]), [0, 2, 1]) as Tf.Tensor3D
  const mg = tf.reshape(tf.slice(raw, [0, H * L], [B, H * M]), [B, H, M])
  const first = tf.slice(mg, [0, 0, 0], [B, H, 1])
  const rest = tf.softplus(tf.slice(mg, [0, 0, 1], [B, H, M - 1]))
  const qm = tf.reshape(tf.matMul(tf.reshape(tf.concat([first, rest], 2), [B * H, M]), upper(M)), [
    B,
    H,
    M,
  ]) as Tf.Tensor3D
  return [qr, qm]
}

/**
 * Pinball loss of both heads, through the same non-crossing transform as quantileHead.ts.
 * raw: [B, outputs]; runMax, marginal: [B, H]; weight: [B].
 */
export function quantileLoss(
  tf: typeof Tf,
  layout: ModelLayout,
  raw: Tf.Tensor2D,
  runMax: Tf.Tensor2D,
  marginal: Tf.Tensor2D,
  weight: Tf.Tensor1D,
  marginalWeight: number,
  levelWeights?: number[],
): Tf.Scalar {
  return tf.tidy(() => {
    const pinball = (y: Tf.Tensor2D, q: Tf.Tensor3D, levels: number[], weights?: number[]) => {
      const tau = tf.tensor3d(levels, [1, 1, levels.length])
      const d = tf.sub(tf.expandDims(y, 2), q)
      const loss = tf.maximum(tf.mul(d, tau), tf.mul(d, tf.sub(tau, 1)))
      if (!weights) return tf.mean(loss, [1, 2]) // [B]
      const w = tf.tensor3d(weights, [1, 1, weights.length])
      return tf.div(tf.mean(tf.mul(loss, w), [1, 2]), weights.reduce((a, b) => a + b, 0) / weights.length)
    }
    const [qr, qm] = headQuantilesTf(tf, layout, raw)
    const perExample = tf.add(
      pinball(runMax, qr, layout.runMaxLevels, levelWeights),
      tf.mul(pinball(marginal, qm, layout.marginalLevels), marginalWeight),
    )
    return tf.div(tf.sum(tf.mul(perExample, weight)), tf.sum(weight)) as Tf.Scalar
  })
}

/**
 * Trains the quantile network with Adam on pinball loss, in time-ordered train/validation sets, keeping
 * the weights of the best validation epoch.
 */
export async function trainFeeModel({
  tf,
  train,
  validation,
  layout,
  hidden = [64, 64],
  epochs = 40,
  batchSize = 512,
  learningRate = 1e-3,
  marginalWeight = 0.5,
  levelWeights,
  balance = 0.5,
  weightDecay = 1e-4,
  patience = 8,
  seed = 1,
  onProgress,
}: TrainFeeModelParameters): Promise<TrainFeeModelReturnType> {
  // Features per example from the set itself: the base-fee and blob-fee models share this trainer.
  const F = train.count > 0 ? train.features.length / train.count : 0
  const H = layout.horizons.length
  const O = outputSize(layout)
  if (train.count === 0) throw new RangeError('trainFeeModel: no training examples')

  // Feature standardisation from the training set only.
  const featureMean = new Array<number>(F).fill(0)
  const featureStd = new Array<number>(F).fill(0)
  for (let i = 0; i < train.count; i++)
    for (let j = 0; j < F; j++) featureMean[j]! += train.features[i * F + j]!
  for (let j = 0; j < F; j++) featureMean[j]! /= train.count
  for (let i = 0; i < train.count; i++)
    for (let j = 0; j < F; j++) featureStd[j]! += (train.features[i * F + j]! - featureMean[j]!) ** 2
  for (let j = 0; j < F; j++) featureStd[j] = Math.max(1e-3, Math.sqrt(featureStd[j]! / train.count))
  const standardise = (set: ExampleSet) => {
    const x = new Float32Array(set.features.length)
    for (let i = 0; i < set.count; i++)
      for (let j = 0; j < F; j++) x[i * F + j] = (set.features[i * F + j]! - featureMean[j]!) / featureStd[j]!
    return x
  }
  const weightsOf = (set: ExampleSet) => {
    const counts = new Map<number, number>()
    for (let i = 0; i < set.count; i++) counts.set(set.source[i]!, (counts.get(set.source[i]!) ?? 0) + 1)
    const w = new Float32Array(set.count)
    for (let i = 0; i < set.count; i++) w[i] = counts.get(set.source[i]!)! ** (balance - 1)
    return w
  }
  const trainX = standardise(train)
  const trainW = weightsOf(train)
  const validX = standardise(validation)
  const validW = weightsOf(validation)

  const model = tf.sequential()
  hidden.forEach((units, i) => {
    model.add(
      tf.layers.dense({
        units,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: seed + i }),
        ...(i === 0 ? { inputShape: [F] } : {}),
      }),
    )
  })
  model.add(
    tf.layers.dense({ units: O, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 99 }) }),
  )
  {
    const out = model.layers[model.layers.length - 1]!
    const [kernel] = out.getWeights()
    const small = tf.mul(kernel!, 0.1)
    out.setWeights([small, tf.tensor1d(initialBias(train, layout))])
    small.dispose()
  }

  const kernels = model.trainableWeights.filter((w) => w.originalName.endsWith('kernel'))
  const optimizer = tf.train.adam(learningRate)
  const setLearningRate = (lr: number) => {
    ;(optimizer as unknown as { learningRate: number }).learningRate = lr
  }
  const random = mulberry32(seed)
  const order = Int32Array.from({ length: train.count }, (_, i) => i)
  const batches = Math.ceil(train.count / batchSize)
  const history: TrainFeeModelReturnType['history'] = []
  let best = Number.POSITIVE_INFINITY
  let bestEpoch = 0
  let bestWeights: Tf.Tensor[] | null = null
  let epochsRun = 0

  const gather = (idx: Int32Array, x: Float32Array, w: Float32Array, set: ExampleSet) => {
    const n = idx.length
    const bx = new Float32Array(n * F)
    const br = new Float32Array(n * H)
    const bm = new Float32Array(n * H)
    const bw = new Float32Array(n)
    for (let k = 0; k < n; k++) {
      const i = idx[k]!
      bx.set(x.subarray(i * F, (i + 1) * F), k * F)
      br.set(set.runMax.subarray(i * H, (i + 1) * H), k * H)
      bm.set(set.marginal.subarray(i * H, (i + 1) * H), k * H)
      bw[k] = w[i]!
    }
    return {
      x: tf.tensor2d(bx, [n, F]),
      r: tf.tensor2d(br, [n, H]),
      m: tf.tensor2d(bm, [n, H]),
      w: tf.tensor1d(bw),
    }
  }
  const validationLoss = () => {
    if (validation.count === 0) return Number.NaN
    let total = 0
    let weight = 0
    for (let start = 0; start < validation.count; start += 4096) {
      const idx = Int32Array.from({ length: Math.min(4096, validation.count - start) }, (_, k) => start + k)
      const b = gather(idx, validX, validW, validation)
      const loss = tf.tidy(() =>
        quantileLoss(
          tf,
          layout,
          model.apply(b.x) as Tf.Tensor2D,
          b.r,
          b.m,
          b.w,
          marginalWeight,
          levelWeights,
        ),
      )
      let bw = 0
      for (const i of idx) bw += validW[i]!
      total += loss.dataSync()[0]! * bw
      weight += bw
      tf.dispose([loss, b.x, b.r, b.m, b.w])
    }
    return total / weight
  }

  for (let epoch = 1; epoch <= epochs; epoch++) {
    // Cosine decay to a tenth: large steps early, fine ones late.
    setLearningRate(learningRate * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs))))
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      const t = order[i]!
      order[i] = order[j]!
      order[j] = t
    }
    let sum = 0
    for (let b = 0; b < batches; b++) {
      const batch = gather(
        order.subarray(b * batchSize, Math.min(train.count, (b + 1) * batchSize)),
        trainX,
        trainW,
        train,
      )
      const loss = optimizer.minimize(() => {
        const fit = quantileLoss(
          tf,
          layout,
          model.apply(batch.x) as Tf.Tensor2D,
          batch.r,
          batch.m,
          batch.w,
          marginalWeight,
          levelWeights,
        )
        if (weightDecay <= 0) return fit
        const penalty = tf.addN(kernels.map((k) => tf.sum(tf.square(k.read()))))
        return tf.add(fit, tf.mul(penalty, weightDecay / 2)) as Tf.Scalar
      }, true)!
      sum += loss.dataSync()[0]!
      tf.dispose([loss, batch.x, batch.r, batch.m, batch.w])
      onProgress?.({
        epoch,
        epochs,
        batch: b + 1,
        batches,
        trainLoss: sum / (b + 1),
        validationLoss: history.at(-1)?.validationLoss ?? null,
      })
      // Let the progress display and other work run between batches.
      if (b % 8 === 7) await new Promise((resolve) => setImmediate(resolve))
    }
    const valid = validationLoss()
    history.push({ epoch, trainLoss: sum / batches, validationLoss: valid })
    onProgress?.({ epoch, epochs, batch: batches, batches, trainLoss: sum / batches, validationLoss: valid })
    epochsRun = epoch
    const score = Number.isNaN(valid) ? sum / batches : valid
    if (score < best - 1e-6) {
      best = score
      bestEpoch = epoch
      if (bestWeights) tf.dispose(bestWeights)
      bestWeights = model.getWeights().map((w) => w.clone())
    } else if (epoch - bestEpoch >= patience) break
  }
  if (bestWeights) {
    model.setWeights(bestWeights)
    tf.dispose(bestWeights)
  }
  optimizer.dispose()
  return { model, featureMean, featureStd, epochsRun, bestEpoch, bestValidationLoss: best, history }
}
