import { existsSync } from 'node:fs'
import { type BlobBacktestRow, blobWalkForward, withAllDecisions } from '../backtest/blobWalkForward.js'
import { formatGrid } from '../backtest/formatRows.js'
import { summarize } from '../backtest/walkForward.js'
import type { BlobFeeForecaster } from '../model/blobForecaster.js'
import { blobRandomWalkForecaster } from '../model/blobRandomWalkForecaster.js'
import { defaultBlobModelDir } from '../model/defaultModel.js'
import { loadBlobFeeModel } from '../model/loadBlobFeeModel.js'
import { createProgress } from '../model/progress.js'
import { readBlobSources } from '../model/readBlobSources.js'
import type { TfBackendPreference } from '../model/tfRuntime.js'
import { type BlobScheduleOptions, resolveBlobSchedule } from './blobScheduleOption.js'
import { CommandOptionError } from './errors.js'

export type BacktestBlobCommandOptions = BlobScheduleOptions & {
  data: string[]
  json?: boolean
  /** Model directory (default: the shipped models/blobfee). */
  model?: string
  backend?: string
}

export const blobBacktestConfidences = [50, 70, 90, 95, 99]
export const blobBacktestHorizons = [3, 5, 10, 20]

export type BacktestBlobJson = {
  rows: {
    predictor: string
    confidence: number | null
    withinBlocks: number
    /** Priced decisions (next blob base fee >= 1000 wei): fraction in [0, 1]. */
    coverage: number
    /** Priced decisions: median of maxFeePerBlobGas / the max blob base fee of the N blocks - 1. */
    medianHeadroom: number
    samples: number
    /** Every decision, the 1-wei floor regime included. */
    coverageAll: number
    samplesAll: number
  }[]
}

/**
 * `feecast backtest --fee blob --data <csv...> [--json] [--chain-id N] [--blob-schedule FILE]`: the blob
 * walk-forward beside blob-1x and blob-2x. With --json, stdout carries the JSON object and nothing else
 * (progress and warnings go to stderr).
 */
export async function runBacktestBlobCommand(options: BacktestBlobCommandOptions): Promise<BacktestBlobJson> {
  const log = (line: string) => process.stderr.write(`${line}\n`)
  // Libraries that print (TF.js greets on some backends) must not corrupt --json output.
  const consoleLog = console.log
  if (options.json) console.log = (...args: unknown[]) => console.error(...args)
  try {
    const { schedule, label } = await resolveBlobSchedule(options)
    log(`blob schedule: ${label}`)
    const sources = await readBlobSources({ paths: options.data, schedule })
    const dir = options.model ?? defaultBlobModelDir
    let forecaster: BlobFeeForecaster
    if (existsSync(dir)) {
      const model = await loadBlobFeeModel({
        dir,
        backend: (options.backend ?? 'auto') as TfBackendPreference,
      })
      forecaster = model
      log(`model ${model.version} (${model.backend})`)
      const trained = new Set(model.meta.training.files.map((f) => f.sha256))
      const inSample = sources.filter((s) => trained.has(s.sha256))
      if (inSample.length > 0)
        log(
          `warning: the model was trained on ${inSample.map((s) => s.name).join(', ')}: these figures are in-sample. ` +
            'For honest ones see bench/blob-backtest.ts (leave-one-file-out).',
        )
    } else {
      if (options.model)
        throw new CommandOptionError(`No model in ${dir}`, {
          details: 'Train one with `feecast train --fee blob --data <csv...> --out <dir>`.',
        })
      forecaster = blobRandomWalkForecaster()
      log(`no model in ${dir}: using the random-walk fallback`)
    }
    const progress = createProgress('backtest')
    const started = performance.now()
    const result = blobWalkForward({
      sources,
      forecaster,
      schedule,
      confidences: blobBacktestConfidences,
      horizons: blobBacktestHorizons,
      onProgress: (done, total) => progress.update(done, total),
    })
    progress.stop()
    log(
      `walked ${result.decisions} decisions (${result.pricedDecisions} priced) in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    )
    if (result.decisions === 0)
      log('warning: no decision block: the files have no runs of consecutive blob-carrying blocks')
    const rows: BlobBacktestRow[] = withAllDecisions(summarize(result.cells), result.all)
    const json: BacktestBlobJson = {
      rows: rows.map((r) => ({
        predictor: r.predictor,
        confidence: r.confidence,
        withinBlocks: r.withinBlocks,
        coverage: r.coverage,
        medianHeadroom: r.medianHeadroom,
        samples: r.samples,
        coverageAll: r.coverageAll,
        samplesAll: r.samplesAll,
      })),
    }
    if (options.json) process.stdout.write(`${JSON.stringify(json)}\n`)
    else {
      process.stdout.write(`Priced decisions (next blob base fee >= 1000 wei):\n${formatGrid(rows)}\n`)
      process.stdout.write('\nEvery decision (the 1-wei floor regime included), coverage:\n')
      for (const r of rows)
        process.stdout.write(
          `  ${r.predictor.padEnd(8)} ${r.confidence === null ? '  –' : String(r.confidence).padStart(3)}  N=${String(r.withinBlocks).padEnd(3)} ${(r.coverageAll * 100).toFixed(1)}% of ${r.samplesAll}\n`,
        )
      process.stdout.write(
        '\ncoverage: share of decisions where maxFeePerBlobGas >= every blob base fee of the next N blocks; headroom: median of maxFeePerBlobGas / their max - 1.\n' +
          'blob-1x is the exact next blob base fee (what most clients send), blob-2x twice it; neither states a probability.\n',
      )
    }
    return json
  } finally {
    console.log = consoleLog
  }
}
