import type * as Tf from '@tensorflow/tfjs'
import { TrainingDataError } from './errors.js'
import type { ExampleSet } from './examples.js'
import { exampleWeights } from './exampleWeights.js'
import { type FitLoopReturnType, fitLoop, type TrainProgress } from './fitLoop.js'
import type { ModelLayout } from './layout.js'
import { createQuantileNetwork } from './quantileNetwork.js'
import { featuresPerExample, fitFeatureScaling, standardise } from './standardise.js'

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

export type TrainFeeModelReturnType = FitLoopReturnType & {
  model: Tf.Sequential
  featureMean: number[]
  featureStd: number[]
}

/**
 * Trains the quantile network on time-ordered train/validation sets, in four steps: standardise the
 * features on the training set (standardise.ts), weigh the examples by source (exampleWeights.ts), build
 * the network with its biases at the unconditional quantiles (quantileNetwork.ts), and fit it with Adam on
 * pinball loss with early stopping, keeping the weights of the best validation epoch (fitLoop.ts).
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
  if (train.count === 0)
    throw new TrainingDataError('No training examples', {
      details:
        'No run of consecutive blocks in the training part of the files is longer than the longest horizon: give longer files.',
    })
  const scaling = fitFeatureScaling(train)
  const prepare = (set: ExampleSet) => ({
    set,
    x: standardise(set, scaling),
    weight: exampleWeights(set, balance),
  })
  const trainSet = prepare(train)
  const validationSet = prepare(validation)
  const model = createQuantileNetwork({ tf, inputs: featuresPerExample(train), layout, hidden, seed, train })
  const fit = await fitLoop({
    tf,
    model,
    layout,
    train: trainSet,
    validation: validationSet,
    epochs,
    batchSize,
    learningRate,
    marginalWeight,
    levelWeights,
    weightDecay,
    patience,
    seed,
    onProgress,
  })
  return { model, featureMean: scaling.mean, featureStd: scaling.std, ...fit }
}
