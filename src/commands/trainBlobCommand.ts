import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type BlobBacktestRow, blobWalkForward, withAllDecisions } from '../backtest/blobWalkForward.js'
import { formatGrid } from '../backtest/formatRows.js'
import { reliabilitySvg } from '../backtest/reliabilitySvg.js'
import { summarize } from '../backtest/walkForward.js'
import type { BlobSchedule } from '../chains/blobSchedule.js'
import { blobFeatureLookback } from '../features/blobFeatureNames.js'
import { sliceBlobSeries } from '../features/blobSeries.js'
import { fitBlobModel } from '../model/fitBlobModel.js'
import { defaultLayout } from '../model/layout.js'
import type { BlobFeeModel } from '../model/loadBlobFeeModel.js'
import { createProgress } from '../model/progress.js'
import { type BlobHistorySource, readBlobSources } from '../model/readBlobSources.js'
import { saveFeeModel } from '../model/saveFeeModel.js'
import { loadTf, type TfBackendPreference } from '../model/tfRuntime.js'
import { withBlobCalibrationPriors } from '../predict/blobCalibrationPriors.js'
import { type BlobLeaveOneOutFigures, blobModelCardText } from './blobModelCard.js'
import { type BlobScheduleOptions, resolveBlobSchedule } from './blobScheduleOption.js'
import { headlineRows } from './modelCard.js'
import { backendOption, numberOption, readLeaveOneOutFigures } from './options.js'
import { cardTrainingFields, modelVersion, trainedLine, trainProgressUpdate } from './training.js'

export type TrainBlobCommandOptions = BlobScheduleOptions & {
  data: string[]
  out: string
  epochs?: string | number
  horizon?: string | number
  validation?: string | number
  seed?: string | number
  /** One example every `stride` blocks. */
  stride?: string | number
  backend?: string
  /** bench/results/blob-backtest.json, whose leave-one-file-out figures go into the model card. */
  loo?: string
  /** Recorded in the model card (defaults to a reconstruction from the options). */
  command?: string
}

type TrainBlobSettings = {
  epochs: number
  horizon: number
  validationShare: number
  seed: number
  stride: number
  backend: TfBackendPreference
}

/** The command's numeric options, each checked (the option at fault is named). */
function trainBlobSettings(options: TrainBlobCommandOptions): TrainBlobSettings {
  return {
    epochs: numberOption(options.epochs, 6, 'epochs', (n) => Number.isInteger(n) && n > 0),
    horizon: numberOption(options.horizon, 20, 'horizon', (n) => Number.isInteger(n) && n >= 20 && n <= 64),
    validationShare: numberOption(options.validation, 0.15, 'validation', (n) => n > 0 && n < 0.5),
    seed: numberOption(options.seed, 1, 'seed', Number.isInteger),
    stride: numberOption(options.stride, 5, 'stride', (n) => Number.isInteger(n) && n >= 1 && n <= 100),
    backend: backendOption(options.backend),
  }
}

/** The command line recorded in the card: the caller's, or one rebuilt from the options given. */
function trainBlobCommandLine(options: TrainBlobCommandOptions, settings: TrainBlobSettings): string {
  return (
    options.command ??
    `feecast train --fee blob --data ${options.data.join(' ')} --out ${options.out}${options.blobSchedule ? ` --blob-schedule ${options.blobSchedule}` : options.chainId === undefined ? '' : ` --chain-id ${options.chainId}`}${options.epochs === undefined ? '' : ` --epochs ${settings.epochs}`}${options.stride === undefined ? '' : ` --stride ${settings.stride}`}${options.loo ? ` --loo ${options.loo}` : ''}`
  )
}

/**
 * The held-out tail of every file, with the lookback before it as history, walked forward with calibration
 * cold (the priors were fitted on these tails).
 */
function heldOutTailRows(
  sources: readonly BlobHistorySource[],
  model: BlobFeeModel,
  schedule: BlobSchedule,
  validationShare: number,
): BlobBacktestRow[] {
  const tails = sources.map((s) => {
    const first = s.series[0]?.firstNumber ?? 0
    const lastSeries = s.series.at(-1)
    const last = lastSeries ? lastSeries.firstNumber + lastSeries.length - 1 : 0
    const cut = last - Math.floor((last - first + 1) * validationShare)
    const series = s.series
      .map((x) => sliceBlobSeries(x, cut - blobFeatureLookback - x.firstNumber, x.length))
      .filter((x) => x.length > 1)
    return { name: s.name, series, cut }
  })
  const cuts = new Map(tails.map((t) => [t.name, t.cut]))
  const progress = createProgress('backtest')
  const result = blobWalkForward({
    sources: tails,
    forecaster: { ...model, calibrationPriors: undefined },
    schedule,
    confidences: [50, 60, 70, 80, 90, 95, 97.5, 99, 99.5],
    horizons: [3, 5, 10, 20],
    includeUncalibrated: true,
    counts: (source, block) => block > (cuts.get(source) ?? 0),
    onProgress: (done, total) => progress.update(done, total),
  })
  progress.stop()
  return withAllDecisions(summarize(result.cells), result.all)
}

/** The history files as blob series (every transition checked), each named with its rows on stderr. */
async function readTrainingSources(paths: string[], schedule: BlobSchedule, log: (line: string) => void) {
  const sources = await readBlobSources({
    paths,
    schedule,
    onFile: (name, rows) => log(`  ${name}: ${rows} rows`),
  })
  for (const s of sources)
    if (s.series.length === 0) log(`  warning: ${s.name} has no run of consecutive blob-carrying blocks`)
  return sources
}

/**
 * `feecast train --fee blob --data <csv...> --out models/blobfee`: blob series from the history files (every
 * transition checked against the schedule), a time-ordered split, training with progress on stderr, then
 * model.json + weights.bin + scaling.json, a walk-forward backtest of every file's held-out tail, and the
 * model card (README.md + reliability.svg).
 */
export async function runTrainBlobCommand(options: TrainBlobCommandOptions): Promise<void> {
  const started = performance.now()
  const settings = trainBlobSettings(options)
  const { schedule, label } = await resolveBlobSchedule(options)
  const looFigures = options.loo
    ? await readLeaveOneOutFigures<BlobLeaveOneOutFigures>(options.loo)
    : undefined
  const log = (line: string) => process.stderr.write(`${line}\n`)

  log(`blob schedule: ${label}`)
  const sources = await readTrainingSources(options.data, schedule, log)
  const runtime = await loadTf(settings.backend)
  log(`TF.js backend: ${runtime.backend} (${runtime.package})`)
  const progress = createProgress('training')
  const fit = withBlobCalibrationPriors(
    await fitBlobModel({
      runtime,
      sources,
      layout: defaultLayout(settings.horizon),
      validationShare: settings.validationShare,
      stride: settings.stride,
      version: modelVersion(options.out),
      command: trainBlobCommandLine(options, settings),
      epochs: settings.epochs,
      seed: settings.seed,
      onProgress: trainProgressUpdate(progress),
    }),
  )
  progress.stop()
  const trainSeconds = (performance.now() - started) / 1000
  log(trainedLine(fit, trainSeconds))
  await saveFeeModel({ runtime, tfModel: fit.training.model, meta: fit.meta, dir: options.out })

  const rows = heldOutTailRows(sources, fit.model, schedule, settings.validationShare)
  await writeFile(
    join(options.out, 'reliability.svg'),
    reliabilitySvg({
      rows,
      compare: 'feecast-uncalibrated',
      title: 'maxFeePerBlobGas reliability, held-out tails, priced',
    }),
  )
  await writeFile(
    join(options.out, 'README.md'),
    blobModelCardText({
      meta: fit.meta,
      ...cardTrainingFields(fit, sources),
      schedule: label,
      validationShare: settings.validationShare,
      stride: settings.stride,
      trainSeconds,
      backend: runtime.backend,
      rows,
      looFigures,
    }),
  )
  log(formatGrid(headlineRows(rows)))
  log(
    `wrote ${options.out}/{model.json,weights.bin,scaling.json,README.md,reliability.svg} in ${((performance.now() - started) / 1000).toFixed(0)} s (training ${trainSeconds.toFixed(0)} s)`,
  )
}
