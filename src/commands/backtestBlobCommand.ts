import { type BlobBacktestRow, blobWalkForward, withAllDecisions } from '../backtest/blobWalkForward.js'
import { formatGrid } from '../backtest/formatRows.js'
import { summarize } from '../backtest/walkForward.js'
import type { BlobFeeForecaster } from '../model/blobForecaster.js'
import { blobRandomWalkForecaster } from '../model/blobRandomWalkForecaster.js'
import { defaultBlobModelDir } from '../model/defaultModel.js'
import { loadBlobFeeModel } from '../model/loadBlobFeeModel.js'
import { createProgress } from '../model/progress.js'
import { readBlobSources } from '../model/readBlobSources.js'
import { backtestModel, withJsonStdout } from './backtestModel.js'
import { type BlobScheduleOptions, resolveBlobSchedule } from './blobScheduleOption.js'
import { backendOption } from './options.js'

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

/** The rows as --json prints them. */
const jsonOf = (rows: readonly BlobBacktestRow[]): BacktestBlobJson => ({
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
})

function printRows(rows: readonly BlobBacktestRow[]): void {
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

/**
 * `feecast backtest --fee blob --data <csv...> [--json] [--chain-id N] [--blob-schedule FILE]`: the blob
 * walk-forward beside blob-1x and blob-2x. With --json, stdout carries the JSON object and nothing else
 * (progress and warnings go to stderr).
 */
export function runBacktestBlobCommand(options: BacktestBlobCommandOptions): Promise<BacktestBlobJson> {
  const log = (line: string) => process.stderr.write(`${line}\n`)
  return withJsonStdout(options.json, async () => {
    const { schedule, label } = await resolveBlobSchedule(options)
    log(`blob schedule: ${label}`)
    const sources = await readBlobSources({ paths: options.data, schedule })
    const backend = backendOption(options.backend)
    const forecaster: BlobFeeForecaster = await backtestModel({
      model: options.model,
      defaultDir: defaultBlobModelDir,
      load: (dir) => loadBlobFeeModel({ dir, backend }),
      fallback: () => blobRandomWalkForecaster(),
      sources,
      honestFigures: 'bench/blob-backtest.ts',
      trainCommand: 'feecast train --fee blob --data <csv...> --out <dir>',
      log,
    })
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
    const rows = withAllDecisions(summarize(result.cells), result.all)
    const json = jsonOf(rows)
    if (options.json) process.stdout.write(`${JSON.stringify(json)}\n`)
    else printRows(rows)
    return json
  })
}
