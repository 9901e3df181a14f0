import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type BlobBacktestRow, blobWalkForward, withAllDecisions } from '../backtest/blobWalkForward.js'
import { formatGrid } from '../backtest/formatRows.js'
import { reliabilitySvg } from '../backtest/reliabilitySvg.js'
import { summarize } from '../backtest/walkForward.js'
import { blobFeatureLookback } from '../features/blobFeatureNames.js'
import { sliceBlobSeries } from '../features/blobSeries.js'
import { fitBlobModel } from '../model/fitBlobModel.js'
import { defaultLayout } from '../model/layout.js'
import { createProgress } from '../model/progress.js'
import { readBlobSources } from '../model/readBlobSources.js'
import { saveFeeModel } from '../model/saveFeeModel.js'
import { loadTf, type TfBackendPreference } from '../model/tfRuntime.js'
import { withBlobCalibrationPriors } from '../predict/blobCalibrationPriors.js'
import { type BlobLeaveOneOutFigures, blobModelCardText } from './blobModelCard.js'
import { type BlobScheduleOptions, resolveBlobSchedule } from './blobScheduleOption.js'
import { CommandOptionError } from './errors.js'

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

const toNumber = (
  value: string | number | undefined,
  fallback: number,
  name: string,
  check: (n: number) => boolean,
) => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isFinite(n) || !check(n)) throw new CommandOptionError(`Invalid --${name}: ${value}`)
  return n
}

const cardLevels = [50, 70, 90, 95, 99]

/**
 * `feecast train --fee blob --data <csv...> --out models/blobfee`: blob series from the history files (every
 * transition checked against the schedule), a time-ordered split, training with progress on stderr, then
 * model.json + weights.bin + scaling.json, a walk-forward backtest of every file's held-out tail, and the
 * model card (README.md + reliability.svg).
 */
export async function runTrainBlobCommand(options: TrainBlobCommandOptions): Promise<void> {
  const started = performance.now()
  const epochs = toNumber(options.epochs, 6, 'epochs', (n) => Number.isInteger(n) && n > 0)
  const horizon = toNumber(options.horizon, 20, 'horizon', (n) => Number.isInteger(n) && n >= 20 && n <= 64)
  const validationShare = toNumber(options.validation, 0.15, 'validation', (n) => n > 0 && n < 0.5)
  const seed = toNumber(options.seed, 1, 'seed', Number.isInteger)
  const stride = toNumber(options.stride, 5, 'stride', (n) => Number.isInteger(n) && n >= 1 && n <= 100)
  const backend = (options.backend ?? 'auto') as TfBackendPreference
  if (!['auto', 'node', 'wasm', 'cpu'].includes(backend))
    throw new CommandOptionError(`Invalid --backend: ${backend} (auto, node, wasm or cpu)`)
  const { schedule, label } = await resolveBlobSchedule(options)
  let looFigures: BlobLeaveOneOutFigures | undefined
  if (options.loo) {
    try {
      looFigures = JSON.parse(await readFile(options.loo, 'utf8')) as BlobLeaveOneOutFigures
    } catch (error) {
      throw new CommandOptionError(`Invalid --loo: cannot read ${options.loo} as JSON (${String(error)})`)
    }
  }
  const command =
    options.command ??
    `feecast train --fee blob --data ${options.data.join(' ')} --out ${options.out}${options.blobSchedule ? ` --blob-schedule ${options.blobSchedule}` : options.chainId === undefined ? '' : ` --chain-id ${options.chainId}`}${options.epochs === undefined ? '' : ` --epochs ${epochs}`}${options.stride === undefined ? '' : ` --stride ${stride}`}${options.loo ? ` --loo ${options.loo}` : ''}`
  const log = (line: string) => process.stderr.write(`${line}\n`)

  log(`blob schedule: ${label}`)
  const sources = await readBlobSources({
    paths: options.data,
    schedule,
    onFile: (name, rows) => log(`  ${name}: ${rows} rows`),
  })
  for (const s of sources)
    if (s.series.length === 0) log(`  warning: ${s.name} has no run of consecutive blob-carrying blocks`)
  const runtime = await loadTf(backend)
  log(`TF.js backend: ${runtime.backend} (${runtime.package})`)
  const progress = createProgress('training')
  const fit = withBlobCalibrationPriors(
    await fitBlobModel({
      runtime,
      sources,
      layout: defaultLayout(horizon),
      validationShare,
      stride,
      version: `${options.out.split('/').filter(Boolean).pop() ?? 'model'}@${new Date().toISOString().slice(0, 10)}`,
      command,
      epochs,
      seed,
      onProgress: (p) =>
        progress.update(
          (p.epoch - 1) * p.batches + p.batch,
          p.epochs * p.batches,
          `epoch ${p.epoch}/${p.epochs} loss ${p.trainLoss.toFixed(4)}${p.validationLoss === null ? '' : ` validation ${p.validationLoss.toFixed(4)}`}`,
        ),
    }),
  )
  progress.stop()
  const trainSeconds = (performance.now() - started) / 1000
  log(
    `trained on ${fit.examples.train.count} examples (validation ${fit.examples.validation.count}); best epoch ${fit.training.bestEpoch} of ${fit.training.epochsRun}, validation pinball ${fit.training.bestValidationLoss.toFixed(4)}, ${trainSeconds.toFixed(0)} s`,
  )
  await saveFeeModel({ runtime, tfModel: fit.training.model, meta: fit.meta, dir: options.out })

  // The held-out tail of every file, with the lookback before it as history; calibration cold (the priors
  // were fitted on these tails).
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
  const backtestProgress = createProgress('backtest')
  const result = blobWalkForward({
    sources: tails,
    forecaster: { ...fit.model, calibrationPriors: undefined },
    schedule,
    confidences: [50, 60, 70, 80, 90, 95, 97.5, 99, 99.5],
    horizons: [3, 5, 10, 20],
    includeUncalibrated: true,
    counts: (source, block) => block > (cuts.get(source) ?? 0),
    onProgress: (done, total) => backtestProgress.update(done, total),
  })
  backtestProgress.stop()
  const rows: BlobBacktestRow[] = withAllDecisions(summarize(result.cells), result.all)
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
      files: sources.map((s) => ({ path: s.path, rows: s.rows, sha256: s.sha256 })),
      schedule: label,
      examples: { train: fit.examples.train.count, validation: fit.examples.validation.count },
      bestEpoch: fit.training.bestEpoch,
      epochsRun: fit.training.epochsRun,
      validationShare,
      stride,
      trainSeconds,
      backend: runtime.backend,
      rows,
      looFigures,
    }),
  )
  const shown = rows.filter(
    (r) =>
      r.predictor !== 'feecast-uncalibrated' && (r.confidence === null || cardLevels.includes(r.confidence)),
  )
  log(formatGrid(shown))
  log(
    `wrote ${options.out}/{model.json,weights.bin,scaling.json,README.md,reliability.svg} in ${((performance.now() - started) / 1000).toFixed(0)} s (training ${trainSeconds.toFixed(0)} s)`,
  )
}
