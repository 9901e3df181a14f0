import { featureNames, featureVersion } from '../features/featureNames.js'
import type { FeeSeries } from '../features/types.js'
import { calibrationPrior } from '../predict/calibrationPrior.js'
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
}

/** Examples from the sources (time-ordered split), training, and the result as a ready forecaster. */
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
  const uncalibrated = feeModelFromTf({
    tf: runtime.tf,
    tfModel: training.model,
    meta,
    tfBackend: runtime.backend,
  })
  // The validation examples were not fitted on: they say how far off the model's levels are.
  if (examples.validation.count > 0)
    meta.calibrationPrior = calibrationPrior({
      forecaster: uncalibrated,
      examples: examples.validation,
      rule: sources[0]!.series[0]!.rule,
    })
  const model = { ...uncalibrated, calibrationPrior: meta.calibrationPrior }
  return { model, meta, training, examples }
}
