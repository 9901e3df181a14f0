import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { formatGrid } from '../backtest/formatRows.js'
import { reliabilitySvg } from '../backtest/reliabilitySvg.js'
import { summarize, walkForward } from '../backtest/walkForward.js'
import { fitFeeModel } from '../model/fitFeeModel.js'
import { defaultLayout } from '../model/layout.js'
import type { FeeModel } from '../model/loadFeeModel.js'
import { createProgress } from '../model/progress.js'
import { type HistorySource, readSources } from '../model/readSources.js'
import { saveFeeModel } from '../model/saveFeeModel.js'
import { loadTf, type TfBackendPreference } from '../model/tfRuntime.js'
import { withCalibrationPrior } from '../predict/calibrationPrior.js'
import { headlineRows, type LeaveOneOutFigures, modelBacktestFile, modelCardText } from './modelCard.js'
import { backendOption, numberOption, readLeaveOneOutFigures } from './options.js'
import { cardTrainingFields, modelVersion, trainedLine, trainProgressUpdate } from './training.js'

export type TrainCommandOptions = {
  data: string[]
  out: string
  epochs?: string | number
  horizon?: string | number
  validation?: string | number
  seed?: string | number
  backend?: string
  /** bench/results/predictor-backtest.json, whose leave-one-file-out figures go into the model card. */
  loo?: string
  /** Recorded in the model card (defaults to a reconstruction from the options). */
  command?: string
}

type TrainSettings = {
  epochs: number
  horizon: number
  validationShare: number
  seed: number
  backend: TfBackendPreference
  command: string
}

/** The command's options as numbers and names, each checked (the option at fault is named). */
export function trainSettings(options: TrainCommandOptions): TrainSettings {
  const epochs = numberOption(options.epochs, 30, 'epochs', (n) => Number.isInteger(n) && n > 0)
  const horizon = numberOption(
    options.horizon,
    20,
    'horizon',
    (n) => Number.isInteger(n) && n >= 20 && n <= 64,
  )
  const validationShare = numberOption(options.validation, 0.15, 'validation', (n) => n > 0 && n < 0.5)
  const seed = numberOption(options.seed, 1, 'seed', Number.isInteger)
  const backend = backendOption(options.backend)
  const command =
    options.command ??
    `feecast train --data ${options.data.join(' ')} --out ${options.out}${options.epochs === undefined ? '' : ` --epochs ${epochs}`}${options.horizon === undefined ? '' : ` --horizon ${horizon}`}${options.loo ? ` --loo ${options.loo}` : ''}`
  return { epochs, horizon, validationShare, seed, backend, command }
}

/**
 * Walks forward over every file, scoring only the held-out tail (blocks training never saw). The
 * calibration starts cold here: its prior was fitted on these same tails.
 */
export function heldOutTailRows(sources: readonly HistorySource[], model: FeeModel, validationShare: number) {
  const cuts = new Map(
    sources.map((s) => {
      const first = s.series[0]?.firstNumber ?? 0
      const lastRun = s.series.at(-1)
      const last = lastRun ? lastRun.firstNumber + lastRun.length - 1 : 0
      return [s.name, last - Math.floor((last - first + 1) * validationShare)]
    }),
  )
  const progress = createProgress('backtest')
  const result = walkForward({
    sources,
    forecaster: { ...model, calibrationPrior: undefined },
    confidences: [50, 60, 70, 80, 90, 95, 97.5, 99, 99.5],
    horizons: [3, 5, 10, 20],
    includeUncalibrated: true,
    counts: (source, block) => block > (cuts.get(source) ?? 0),
    onProgress: (done, total) => progress.update(done, total),
  })
  progress.stop()
  return summarize(result.cells)
}

/**
 * `feecast train --data <csv...> --out models/<name> [--loo FILE]`: examples from the history files, a
 * time-ordered split, training with progress on stderr, the calibration prior, then model.json + weights.bin
 * + scaling.json, a walk-forward backtest of the held-out tail of every file and the model card (README.md +
 * reliability.svg), written from what this run computed (and the figures --loo names).
 */
export async function runTrainCommand(options: TrainCommandOptions): Promise<void> {
  const started = performance.now()
  const settings = trainSettings(options)
  const looFigures = options.loo ? await readLeaveOneOutFigures<LeaveOneOutFigures>(options.loo) : undefined
  const log = (line: string) => process.stderr.write(`${line}\n`)

  const sources = await readSources(options.data)
  for (const s of sources)
    log(
      `  ${s.name}: ${s.rows} rows, ${s.series.length} run(s) after bridging one-block gaps, columns ${s.presentColumns.join(' ')}`,
    )
  const runtime = await loadTf(settings.backend)
  log(`TF.js backend: ${runtime.backend} (${runtime.package})`)
  const progress = createProgress('training')
  const fit = withCalibrationPrior(
    await fitFeeModel({
      runtime,
      sources,
      layout: defaultLayout(settings.horizon),
      validationShare: settings.validationShare,
      version: modelVersion(options.out),
      command: settings.command,
      epochs: settings.epochs,
      seed: settings.seed,
      onProgress: trainProgressUpdate(progress),
    }),
  )
  progress.stop()
  const trainSeconds = (performance.now() - started) / 1000
  log(trainedLine(fit, trainSeconds))
  await saveFeeModel({ runtime, tfModel: fit.training.model, meta: fit.meta, dir: options.out })

  const rows = heldOutTailRows(sources, fit.model, settings.validationShare)
  await writeFile(
    join(options.out, 'reliability.svg'),
    reliabilitySvg({ rows, compare: 'feecast-uncalibrated', title: 'maxFee reliability, held-out tails' }),
  )
  await writeFile(
    join(options.out, 'backtest.json'),
    `${JSON.stringify(modelBacktestFile(fit.meta.version, rows), null, 2)}\n`,
  )
  await writeFile(
    join(options.out, 'README.md'),
    modelCardText({
      meta: fit.meta,
      ...cardTrainingFields(fit, sources),
      validationShare: settings.validationShare,
      trainSeconds,
      backend: runtime.backend,
      rows,
      looFigures,
    }),
  )
  log(formatGrid(headlineRows(rows)))
  log(
    `wrote ${options.out}/{model.json,weights.bin,scaling.json,README.md,reliability.svg,backtest.json} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  )
}
