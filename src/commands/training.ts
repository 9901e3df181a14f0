import type { TrainProgress } from '../model/fitLoop.js'
import type { Progress } from '../model/progress.js'
import type { TrainFeeModelReturnType } from '../model/trainFeeModel.js'

/** What the train commands read of a fit (base-fee or blob), for their log lines and model cards. */
type Fit = {
  training: Pick<TrainFeeModelReturnType, 'bestEpoch' | 'epochsRun' | 'bestValidationLoss'>
  examples: { train: { count: number }; validation: { count: number } }
}

/** `<name>@<date>`: the output directory's name and today's date. */
export const modelVersion = (out: string): string =>
  `${out.split('/').filter(Boolean).pop() ?? 'model'}@${new Date().toISOString().slice(0, 10)}`

/** The training progress line: batches done of all epochs', with the losses so far. */
export const trainProgressUpdate = (progress: Progress) => (p: TrainProgress) =>
  progress.update(
    (p.epoch - 1) * p.batches + p.batch,
    p.epochs * p.batches,
    `epoch ${p.epoch}/${p.epochs} loss ${p.trainLoss.toFixed(4)}${p.validationLoss === null ? '' : ` validation ${p.validationLoss.toFixed(4)}`}`,
  )

/** The line a train command prints once the network is fitted. */
export const trainedLine = (fit: Fit, trainSeconds: number): string =>
  `trained on ${fit.examples.train.count} examples (validation ${fit.examples.validation.count}); best epoch ${fit.training.bestEpoch} of ${fit.training.epochsRun}, validation pinball ${fit.training.bestValidationLoss.toFixed(4)}, ${trainSeconds.toFixed(0)} s`

/** The fields of a model card that come from the training run and the files it read. */
export const cardTrainingFields = (
  fit: Fit,
  sources: readonly { path: string; rows: number; sha256: string }[],
) => ({
  files: sources.map((s) => ({ path: s.path, rows: s.rows, sha256: s.sha256 })),
  examples: { train: fit.examples.train.count, validation: fit.examples.validation.count },
  bestEpoch: fit.training.bestEpoch,
  epochsRun: fit.training.epochsRun,
})
