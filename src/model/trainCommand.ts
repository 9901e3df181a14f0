import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { formatGrid } from '../backtest/formatRows.js'
import { reliabilitySvg } from '../backtest/reliabilitySvg.js'
import { summarize, walkForward } from '../backtest/walkForward.js'
import { FeecastError } from '../errors.js'
import { withCalibrationPrior } from '../predict/calibrationPrior.js'
import { fitFeeModel } from './fitFeeModel.js'
import { defaultLayout } from './layout.js'
import { writeModelCard } from './modelCard.js'
import { createProgress } from './progress.js'
import { readSources } from './readSources.js'
import { saveFeeModel } from './saveFeeModel.js'
import { loadTf, type TfBackendPreference } from './tfRuntime.js'

export type TrainCommandOptions = {
  data: string[]
  out: string
  epochs?: string | number
  horizon?: string | number
  validation?: string | number
  seed?: string | number
  backend?: string
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
  if (!Number.isFinite(n) || !check(n)) throw new FeecastError(`Invalid --${name}: ${value}`)
  return n
}

/**
 * `feecast train --data <csv...> --out models/<name>`: examples from the history files, a time-ordered
 * split, training with progress on stderr, then model.json + weights.bin + scaling.json, a walk-forward
 * backtest of the held-out tail of every file and the model card (README.md + reliability.svg).
 */
export async function runTrainCommand(options: TrainCommandOptions): Promise<void> {
  const started = performance.now()
  const epochs = toNumber(options.epochs, 30, 'epochs', (n) => Number.isInteger(n) && n > 0)
  const horizon = toNumber(options.horizon, 20, 'horizon', (n) => Number.isInteger(n) && n >= 20 && n <= 64)
  const validationShare = toNumber(options.validation, 0.15, 'validation', (n) => n > 0 && n < 0.5)
  const seed = toNumber(options.seed, 1, 'seed', Number.isInteger)
  const backend = (options.backend ?? 'auto') as TfBackendPreference
  if (!['auto', 'node', 'wasm', 'cpu'].includes(backend))
    throw new FeecastError(`Invalid --backend: ${backend} (auto, node, wasm or cpu)`)
  const command =
    options.command ??
    `feecast train --data ${options.data.join(' ')} --out ${options.out}${options.epochs === undefined ? '' : ` --epochs ${epochs}`}${options.horizon === undefined ? '' : ` --horizon ${horizon}`}`
  const log = (line: string) => process.stderr.write(`${line}\n`)

  const sources = await readSources(options.data)
  for (const s of sources)
    log(
      `  ${s.name}: ${s.rows} rows, ${s.series.length} run(s) after bridging one-block gaps, columns ${s.presentColumns.join(' ')}`,
    )
  const runtime = await loadTf(backend)
  log(`TF.js backend: ${runtime.backend} (${runtime.package})`)
  const layout = defaultLayout(horizon)
  const progress = createProgress('training')
  const fit = withCalibrationPrior(
    await fitFeeModel({
      runtime,
      sources,
      layout,
      validationShare,
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

  // Walk forward over every file, scoring only the held-out tail (blocks training never saw). The
  // calibration starts cold here: its prior was fitted on these same tails.
  const cuts = new Map(
    sources.map((s) => {
      const first = s.series[0]?.firstNumber ?? 0
      const last = s.series.length > 0 ? s.series.at(-1)!.firstNumber + s.series.at(-1)!.length - 1 : 0
      return [s.name, last - Math.floor((last - first + 1) * validationShare)]
    }),
  )
  const backtestProgress = createProgress('backtest')
  const confidences = [50, 60, 70, 80, 90, 95, 97.5, 99, 99.5]
  const result = walkForward({
    sources,
    forecaster: { ...fit.model, calibrationPrior: undefined },
    confidences,
    horizons: [3, 5, 10, 20],
    includeUncalibrated: true,
    counts: (source, block) => block > cuts.get(source)!,
    onProgress: (done, total) => backtestProgress.update(done, total),
  })
  backtestProgress.stop()
  const rows = summarize(result.cells)
  const svg = reliabilitySvg({
    rows,
    compare: 'feecast-uncalibrated',
    title: 'maxFee reliability, held-out tails',
  })
  await writeFile(join(options.out, 'reliability.svg'), svg)
  await writeModelCard({
    dir: options.out,
    meta: fit.meta,
    fit,
    sources,
    rows,
    validationShare,
    trainSeconds,
    backend: runtime.backend,
  })
  const shown = rows.filter((r) => r.confidence === null || [50, 70, 90, 95, 99].includes(r.confidence))
  log(formatGrid(shown.filter((r) => r.predictor !== 'feecast-uncalibrated')))
  log(
    `wrote ${options.out}/{model.json,weights.bin,scaling.json,README.md,reliability.svg} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
  )
}
