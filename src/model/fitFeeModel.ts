import { featureNames, featureVersion } from '../features/featureNames.js'
import type { FeeRule, FeeSeries } from '../features/types.js'
import { buildExamples, type ExampleSet } from './examples.js'
import { defaultLayout, type ModelLayout } from './layout.js'
import { type FeeModel, feeModelFromTf } from './loadFeeModel.js'
import type { ModelMeta } from './modelFiles.js'
import type { TfRuntime } from './tfRuntime.js'
import { type TrainFeeModelParameters, type TrainFeeModelReturnType, trainFeeModel } from './trainFeeModel.js'

export type FitSource = {
  name: string
  series: readonly FeeSeries[]
  /** For the model card: where the data came from. */
  path?: string
  sha256?: string
  rows?: number
}

export type FitFeeModelParameters = {
  runtime: TfRuntime
  sources: readonly FitSource[]
  layout?: ModelLayout
  validationShare?: number
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

export type FitFeeModelReturnType = {
  model: FeeModel
  meta: ModelMeta
  training: TrainFeeModelReturnType
  examples: { train: ExampleSet; validation: ExampleSet }
  /** The fee rule of the first source's first run: the unit of the targets (one chain's files); null without any. */
  rule: FeeRule | null
}

/**
 * Examples from the sources (time-ordered split), training, and the result as a ready forecaster. The
 * calibration prior comes after, from the validation examples (withCalibrationPrior in predict/: the
 * calibration is the predictor's, not the model's).
 */
export async function fitFeeModel({
  runtime,
  sources,
  layout = defaultLayout(),
  validationShare = 0.15,
  version,
  command = '',
  ...options
}: FitFeeModelParameters): Promise<FitFeeModelReturnType> {
  const started = performance.now()
  const examples = buildExamples({
    sources: sources.map((s, i) => ({ source: i, series: [...s.series] })),
    layout,
    validationShare,
  })
  const training = await trainFeeModel({ tf: runtime.tf, layout, ...examples, ...options })
  const meta: ModelMeta = {
    format: 'feecast-basefee-quantiles',
    version,
    featureVersion,
    featureNames: [...featureNames],
    featureMean: training.featureMean,
    featureStd: training.featureStd,
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
  const model = feeModelFromTf({ tf: runtime.tf, tfModel: training.model, meta, tfBackend: runtime.backend })
  return { model, meta, training, examples, rule: sources[0]?.series[0]?.rule ?? null }
}
