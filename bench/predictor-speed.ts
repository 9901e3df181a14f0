/**
 * Time of one full base-fee prediction for a chain, as the predictor loop runs it on every block:
 * window of 257 block records → series → features → network → calibrated thresholds → maxFee for 5
 * confidences × 3 horizons, plus scoring the block in the calibration state.
 *
 *   npx tsx bench/predictor-speed.ts [--model models/basefee] [--data <csv>]
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { computeFeatures } from '../src/features/computeFeatures.js'
import { maxLogStep } from '../src/features/feeRule.js'
import { featureBlockFromHistoryRow } from '../src/features/historySeries.js'
import { toFeeSeries } from '../src/features/toFeeSeries.js'
import { readHistoryFile } from '../src/history/readHistoryFile.js'
import { defaultModelDir } from '../src/model/defaultModel.js'
import { loadFeeModel } from '../src/model/loadFeeModel.js'
import {
  calibrateRunMax,
  createCalibrationState,
  observeBlock,
  recordEstimate,
} from '../src/predict/calibration.js'
import { maxFeePerGasFor } from '../src/predict/maxFee.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: {
    model: { type: 'string', default: defaultModelDir },
    data: { type: 'string', default: resolve(root, '../shared/data/blocks/eth-2022-09-premerge.csv') },
  },
})
const loadStarted = performance.now()
const model = await loadFeeModel({ dir: values.model! })
const loadMs = performance.now() - loadStarted
const { rows } = await readHistoryFile(values.data!)
const blocks = rows.map(featureBlockFromHistoryRow)
const state = createCalibrationState({ prior: model.calibrationPrior })
const window = 257

function predict(at: number): bigint {
  const series = toFeeSeries({ blocks: blocks.slice(at - window + 1, at + 1) })
  const end = series.length - 1 // the last row plays the pending block (its base fee is known exactly)
  observeBlock({ state, block: blocks[at - 1]!.number, logBaseFee: series.logBaseFee[end - 1]! })
  const forecast = model.forecast(computeFeatures({ series, end }), series.rule)
  const thresholds = calibrateRunMax({ state, forecast, maxStep: maxLogStep(series.rule) })
  recordEstimate({
    state,
    block: blocks[at - 1]!.number,
    logNextBaseFee: series.logBaseFee[end]!,
    thresholds,
  })
  let total = 0n
  for (const withinBlocks of [1, 3, 10])
    for (const confidence of [50, 70, 90, 95, 99])
      total += maxFeePerGasFor({
        nextBaseFeePerGas: blocks[at]!.baseFeePerGas!,
        thresholds,
        withinBlocks,
        confidence,
      })
  return total
}

const times: number[] = []
let sink = 0n
for (let at = window; at < blocks.length; at++) {
  const t0 = performance.now()
  sink += predict(at)
  times.push(performance.now() - t0)
}
const warm = times.slice(50).sort((a, b) => a - b)
const q = (p: number) => warm[Math.min(warm.length - 1, Math.floor(p * warm.length))]!
const result = {
  date: new Date().toISOString(),
  model: model.version,
  backend: model.backend,
  loadMs: Math.round(loadMs),
  predictions: warm.length,
  meanMs: warm.reduce((a, b) => a + b, 0) / warm.length,
  p50Ms: q(0.5),
  p99Ms: q(0.99),
  maxMs: warm.at(-1),
}
console.log(
  `one prediction (window ${window} blocks, 15 maxFees, calibration update): mean ${result.meanMs.toFixed(3)} ms, p50 ${result.p50Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(3)} ms over ${result.predictions} blocks; backend ${result.backend}; model load ${result.loadMs} ms ${sink > 0n ? '' : '!'}`,
)
await mkdir(join(root, 'bench/results'), { recursive: true })
await writeFile(join(root, 'bench/results/predictor-speed.json'), `${JSON.stringify(result, null, 1)}\n`)
