import { blobFeatureNames, blobFeatureVersion } from '../features/blobFeatureNames.js'
import type { BlobSeries } from '../features/blobSeries.js'
import { type BlobExampleSet, buildBlobExamples } from './blobExamples.js'
import { defaultLayout, type ModelLayout } from './layout.js'
import { type BlobFeeModel, blobFeeModelFromTf } from './loadBlobFeeModel.js'
import type { ModelMeta } from './modelFiles.js'
import type { TfRuntime } from './tfRuntime.js'
import { type TrainFeeModelParameters, type TrainFeeModelReturnType, trainFeeModel } from './trainFeeModel.js'

export type FitBlobSource = {
  name: string
  series: readonly BlobSeries[]
  path?: string
  sha256?: string
  rows?: number
}

export type FitBlobModelParameters = {
  runtime: TfRuntime
  sources: readonly FitBlobSource[]
  layout?: ModelLayout
  validationShare?: number
  /** One example every `stride` blocks (see buildBlobExamples). */
  stride?: number
  version: string
  command?: string
} & Pick<
  TrainFeeModelParameters,
  | 'hidden'
  | 'epochs'
  | 'batchSize'
  | 'learningRate'
  | 'marginalWeight'
  | 'levelWeights'
  | 'balance'
  | 'weightDecay'
  | 'patience'
  | 'seed'
  | 'onProgress'
>

export type FitBlobModelReturnType = {
  model: BlobFeeModel
  meta: ModelMeta
  training: TrainFeeModelReturnType
  examples: { train: BlobExampleSet; validation: BlobExampleSet }
}

/** Each feature's smallest and largest training value (inputs are clamped into it). */
function featureRange(set: BlobExampleSet): { low: number[]; high: number[] } {
  const F = set.count > 0 ? set.features.length / set.count : 0
  const low = new Array<number>(F).fill(Number.POSITIVE_INFINITY)
  const high = new Array<number>(F).fill(Number.NEGATIVE_INFINITY)
  for (let i = 0; i < set.count; i++)
    for (let j = 0; j < F; j++) {
      const v = set.features[i * F + j] ?? 0
      if (v < (low[j] ?? 0)) low[j] = v
      if (v > (high[j] ?? 0)) high[j] = v
    }
  return { low, high }
}

/**
 * The blob model: examples from blob series (time-ordered split), the base-fee trainer (same network,
 * layout and loss). The calibration priors per regime come after, from the validation examples
 * (withBlobCalibrationPriors in predict/: the calibration is the predictor's, not the model's).
 */
export async function fitBlobModel({
  runtime,
  sources,
  layout = defaultLayout(),
  validationShare = 0.15,
  stride = 5,
  version,
  command = '',
  epochs = 6,
  batchSize = 2048,
  learningRate = 2e-3,
  ...options
}: FitBlobModelParameters): Promise<FitBlobModelReturnType> {
  const started = performance.now()
  const examples = buildBlobExamples({
    sources: sources.map((s, i) => ({ source: i, series: s.series })),
    layout,
    validationShare,
    stride,
  })
  // A million blocks of overlapping windows: few, large batches (what fits the 5-minute budget on 2 cores).
  const training = await trainFeeModel({
    tf: runtime.tf,
    layout,
    ...examples,
    epochs,
    batchSize,
    learningRate,
    ...options,
  })
  const meta: ModelMeta = {
    format: 'feecast-blobfee-quantiles',
    version,
    featureVersion: blobFeatureVersion,
    featureNames: [...blobFeatureNames],
    featureMean: training.featureMean,
    featureStd: training.featureStd,
    featureRange: featureRange(examples.train),
    unit: 'maxLogStep',
    layout,
    training: {
      command,
      files: sources.map((s) => ({ path: s.path ?? s.name, sha256: s.sha256 ?? '', rows: s.rows ?? 0 })),
      examples: { train: examples.train.count, validation: examples.validation.count },
      epochs: training.bestEpoch,
      seconds: Math.round((performance.now() - started) / 100) / 10,
      backend: runtime.backend,
      date: new Date().toISOString(),
    },
  }
  const model = blobFeeModelFromTf({
    tf: runtime.tf,
    tfModel: training.model,
    meta,
    tfBackend: runtime.backend,
  })
  return { model, meta, training, examples }
}
