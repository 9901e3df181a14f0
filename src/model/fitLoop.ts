import type * as Tf from '@tensorflow/tfjs'
import { at } from '../lib/at.js'
import { mulberry32 } from '../lib/random.js'
import type { ExampleSet } from './examples.js'
import type { ModelLayout } from './layout.js'
import { quantileLoss } from './quantileLoss.js'

export type TrainProgress = {
  epoch: number
  epochs: number
  batch: number
  batches: number
  trainLoss: number
  validationLoss: number | null
}

/** A set ready for the loop: its standardised features and its examples' loss weights beside the targets. */
export type PreparedSet = { set: ExampleSet; x: Float32Array; weight: Float32Array }

export type FitLoopParameters = {
  tf: typeof Tf
  model: Tf.Sequential
  layout: ModelLayout
  train: PreparedSet
  validation: PreparedSet
  epochs: number
  batchSize: number
  learningRate: number
  marginalWeight: number
  levelWeights?: number[] | undefined
  /** L2 penalty on the dense kernels. */
  weightDecay: number
  /** Epochs without a better validation loss before stopping. */
  patience: number
  /** Seeds the shuffling of the training examples. */
  seed: number
  onProgress?: ((progress: TrainProgress) => void) | undefined
}

export type FitLoopReturnType = {
  epochsRun: number
  bestEpoch: number
  bestValidationLoss: number
  history: { epoch: number; trainLoss: number; validationLoss: number }[]
}

/** Cosine decay from the base rate to a tenth of it over the epochs: large steps early, fine ones late. */
export const cosineLearningRate = (base: number, epoch: number, epochs: number): number =>
  base * (0.1 + 0.45 * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs)))

/** Fisher-Yates shuffle in place, drawing from `random`. */
export function shuffleInPlace(order: Int32Array, random: () => number): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = at(order, i)
    order[i] = at(order, j)
    order[j] = t
  }
}

/**
 * Keeps the best score seen: `observe` answers 'best' for a new best (by more than 1e-6), 'stop' once
 * `patience` epochs have passed without one, else 'continue'.
 */
export function createEarlyStopping(patience: number) {
  const state = { best: Number.POSITIVE_INFINITY, bestEpoch: 0 }
  return {
    state,
    observe(epoch: number, score: number): 'best' | 'continue' | 'stop' {
      if (score < state.best - 1e-6) {
        state.best = score
        state.bestEpoch = epoch
        return 'best'
      }
      return epoch - state.bestEpoch >= patience ? 'stop' : 'continue'
    },
  }
}

/** The rows `idx` of a prepared set, row-major: features, both heads' targets and the loss weights. */
export function gatherBatch(idx: Int32Array, data: PreparedSet, horizons: number) {
  const F = data.set.count > 0 ? data.x.length / data.set.count : 0
  const H = horizons
  const n = idx.length
  const x = new Float32Array(n * F)
  const runMax = new Float32Array(n * H)
  const marginal = new Float32Array(n * H)
  const weight = new Float32Array(n)
  for (const [k, i] of idx.entries()) {
    x.set(data.x.subarray(i * F, (i + 1) * F), k * F)
    runMax.set(data.set.runMax.subarray(i * H, (i + 1) * H), k * H)
    marginal.set(data.set.marginal.subarray(i * H, (i + 1) * H), k * H)
    weight[k] = at(data.weight, i)
  }
  return { n, features: F, x, runMax, marginal, weight }
}

function batchTensors(tf: typeof Tf, idx: Int32Array, data: PreparedSet, horizons: number) {
  const b = gatherBatch(idx, data, horizons)
  return {
    x: tf.tensor2d(b.x, [b.n, b.features]),
    r: tf.tensor2d(b.runMax, [b.n, horizons]),
    m: tf.tensor2d(b.marginal, [b.n, horizons]),
    w: tf.tensor1d(b.weight),
  }
}

type LossParameters = Pick<FitLoopParameters, 'tf' | 'model' | 'layout' | 'marginalWeight' | 'levelWeights'>

/** The weighted pinball loss over the validation set, in chunks of 4096 (NaN without validation examples). */
export function validationLoss(p: LossParameters, validation: PreparedSet): number {
  const { tf, model, layout } = p
  const count = validation.set.count
  if (count === 0) return Number.NaN
  let total = 0
  let weight = 0
  for (let start = 0; start < count; start += 4096) {
    const idx = Int32Array.from({ length: Math.min(4096, count - start) }, (_, k) => start + k)
    const b = batchTensors(tf, idx, validation, layout.horizons.length)
    const loss = tf.tidy(() =>
      quantileLoss(
        tf,
        layout,
        model.apply(b.x) as Tf.Tensor2D,
        b.r,
        b.m,
        b.w,
        p.marginalWeight,
        p.levelWeights,
      ),
    )
    let bw = 0
    for (const i of idx) bw += at(validation.weight, i)
    total += at(loss.dataSync(), 0) * bw
    weight += bw
    tf.dispose([loss, b.x, b.r, b.m, b.w])
  }
  return total / weight
}

type EpochParameters = FitLoopParameters & {
  optimizer: Tf.Optimizer
  kernels: Tf.LayerVariable[]
  order: Int32Array
  epoch: number
  lastValidationLoss: number | null
}

/** One pass over the shuffled training examples in batches; returns the mean training loss. */
async function trainEpoch(p: EpochParameters): Promise<number> {
  const { tf, model, layout, train, batchSize, order, epoch } = p
  const batches = Math.ceil(train.set.count / batchSize)
  let sum = 0
  for (let b = 0; b < batches; b++) {
    const idx = order.subarray(b * batchSize, Math.min(train.set.count, (b + 1) * batchSize))
    const batch = batchTensors(tf, idx, train, layout.horizons.length)
    const loss = p.optimizer.minimize(() => {
      const fit = quantileLoss(
        tf,
        layout,
        model.apply(batch.x) as Tf.Tensor2D,
        batch.r,
        batch.m,
        batch.w,
        p.marginalWeight,
        p.levelWeights,
      )
      if (p.weightDecay <= 0) return fit
      const penalty = tf.addN(p.kernels.map((k) => tf.sum(tf.square(k.read()))))
      return tf.add(fit, tf.mul(penalty, p.weightDecay / 2)) as Tf.Scalar
    }, true)
    // minimize returns the cost when asked to (returnCost true): null would be a TF.js bug
    if (loss === null) throw new RangeError('trainEpoch: the optimizer returned no loss')
    sum += at(loss.dataSync(), 0)
    tf.dispose([loss, batch.x, batch.r, batch.m, batch.w])
    p.onProgress?.({
      epoch,
      epochs: p.epochs,
      batch: b + 1,
      batches,
      trainLoss: sum / (b + 1),
      validationLoss: p.lastValidationLoss,
    })
    // Let the progress display and other work run between batches.
    if (b % 8 === 7) await new Promise((resolve) => setImmediate(resolve))
  }
  return sum / batches
}

/**
 * Adam on the pinball loss (plus weight decay) over shuffled batches, epoch after epoch at a cosine-decayed
 * rate, until `epochs` or early stopping; the model ends with the weights of its best validation epoch (of
 * its best training epoch without validation examples).
 */
export async function fitLoop(p: FitLoopParameters): Promise<FitLoopReturnType> {
  const { tf, model, epochs } = p
  const kernels = model.trainableWeights.filter((w) => w.originalName.endsWith('kernel'))
  const optimizer = tf.train.adam(p.learningRate)
  const random = mulberry32(p.seed)
  const order = Int32Array.from({ length: p.train.set.count }, (_, i) => i)
  const history: FitLoopReturnType['history'] = []
  const stopping = createEarlyStopping(p.patience)
  let bestWeights: Tf.Tensor[] | null = null
  let epochsRun = 0
  for (let epoch = 1; epoch <= epochs; epoch++) {
    ;(optimizer as unknown as { learningRate: number }).learningRate = cosineLearningRate(
      p.learningRate,
      epoch,
      epochs,
    )
    shuffleInPlace(order, random)
    const lastValidationLoss = history.at(-1)?.validationLoss ?? null
    const trainLoss = await trainEpoch({ ...p, optimizer, kernels, order, epoch, lastValidationLoss })
    const valid = validationLoss(p, p.validation)
    history.push({ epoch, trainLoss, validationLoss: valid })
    const batches = Math.ceil(p.train.set.count / p.batchSize)
    p.onProgress?.({ epoch, epochs, batch: batches, batches, trainLoss, validationLoss: valid })
    epochsRun = epoch
    const verdict = stopping.observe(epoch, Number.isNaN(valid) ? trainLoss : valid)
    if (verdict === 'best') {
      if (bestWeights) tf.dispose(bestWeights)
      bestWeights = model.getWeights().map((w) => w.clone())
    } else if (verdict === 'stop') break
  }
  if (bestWeights) {
    model.setWeights(bestWeights)
    tf.dispose(bestWeights)
  }
  optimizer.dispose()
  return {
    epochsRun,
    bestEpoch: stopping.state.bestEpoch,
    bestValidationLoss: stopping.state.best,
    history,
  }
}
