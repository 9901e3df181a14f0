import { formatGrid } from '../backtest/formatRows.js'
import { type BacktestRow, summarize, walkForward } from '../backtest/walkForward.js'
import { chainProfile } from '../chains/chains.js'
import { defaultModelDir } from '../model/defaultModel.js'
import type { BaseFeeForecaster } from '../model/forecast.js'
import { loadFeeModel } from '../model/loadFeeModel.js'
import { createProgress } from '../model/progress.js'
import { randomWalkForecaster } from '../model/randomWalkForecaster.js'
import { readSources } from '../model/readSources.js'
import { backtestModel, withJsonStdout } from './backtestModel.js'
import { CommandOptionError } from './errors.js'
import { backendOption } from './options.js'

export type BacktestCommandOptions = {
  data: string[]
  json?: boolean
  /** Model directory (default: the shipped models/basefee). */
  model?: string
  backend?: string
  /** Chain whose EIP-1559 parameters the files follow (default 1, Ethereum). */
  chainId?: string | number
}

export const backtestConfidences = [50, 70, 90, 95, 99]
export const backtestHorizons = [3, 5, 10, 20]

export type BacktestJson = {
  rows: {
    predictor: string
    confidence: number | null
    withinBlocks: number
    /** Fraction in [0, 1]. */
    coverage: number
    /** Fraction (0.35 = maxFee 35 % above the largest base fee of the N blocks). */
    medianHeadroom: number
    samples: number
  }[]
}

/** The rows as --json prints them. */
const jsonOf = (rows: readonly BacktestRow[]): BacktestJson => ({
  rows: rows.map((r) => ({
    predictor: r.predictor,
    confidence: r.confidence,
    withinBlocks: r.withinBlocks,
    coverage: r.coverage,
    medianHeadroom: r.medianHeadroom,
    samples: r.samples,
  })),
})

function printRows(rows: readonly BacktestRow[]): void {
  process.stdout.write(`${formatGrid(rows)}\n`)
  process.stdout.write(
    '\ncoverage: share of decision blocks where maxFee >= every base fee of the next N blocks; headroom: median of maxFee / their max - 1.\n' +
      'Baselines multiply the latest base fee (viem 1.2x, ethers 2x, MetaMask fallback 1.10/1.20/1.25x) and state no probability.\n',
  )
}

/**
 * `feecast backtest --data <csv...> [--json]`: walk forward through the files with the model and online
 * calibration, beside the baselines. With --json, stdout carries the JSON object and nothing else
 * (progress and warnings go to stderr).
 */
export function runBacktestCommand(options: BacktestCommandOptions): Promise<BacktestJson> {
  const log = (line: string) => process.stderr.write(`${line}\n`)
  return withJsonStdout(options.json, async () => {
    const chainId = Number(options.chainId ?? 1)
    if (!Number.isInteger(chainId) || chainId <= 0)
      throw new CommandOptionError(`Invalid --chain-id: ${options.chainId}`)
    const sources = await readSources(options.data, chainProfile(chainId).eip1559)
    const backend = backendOption(options.backend)
    const forecaster: BaseFeeForecaster = await backtestModel({
      model: options.model,
      defaultDir: defaultModelDir,
      load: (dir) => loadFeeModel({ dir, backend }),
      fallback: () => randomWalkForecaster(),
      sources,
      honestFigures: 'bench/predictor-backtest.ts',
      trainCommand: 'feecast train --data <csv...> --out <dir>',
      log,
    })
    const progress = createProgress('backtest')
    const result = walkForward({
      sources,
      forecaster,
      confidences: backtestConfidences,
      horizons: backtestHorizons,
      onProgress: (done, total) => progress.update(done, total),
    })
    progress.stop()
    if (result.decisions === 0)
      log(
        'warning: no decision block: the files have no runs of consecutive blocks (a sampled file like every 150th block cannot be backtested)',
      )
    const rows = summarize(result.cells)
    const json = jsonOf(rows)
    if (options.json) process.stdout.write(`${JSON.stringify(json)}\n`)
    else printRows(rows)
    return json
  })
}
