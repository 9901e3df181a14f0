/**
 * Time of one prediction for a chain, as the predictor loop runs it on every block, two ways:
 * - base fee: window of 257 block records → series → features → network → calibrated thresholds →
 *   maxFee for 5 confidences × 3 horizons, plus scoring the block in the calibration state;
 * - full Prediction (`buildPrediction`, what the predictor stores and the API serves): the same plus
 *   tips from the τ window minima (in both congestion states) for 6 horizons × 5 levels, the base-fee
 *   forecast and the trust label. The history file has no tips: τ is drawn per block (seeded,
 *   log-normal), which costs what real τ would.
 *
 *   npx tsx bench/predictor-speed.ts [--model models/basefee] [--data <csv>]
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { chainProfile } from '../src/chains/chains.js'
import { computeFeatures } from '../src/features/computeFeatures.js'
import { maxLogStep } from '../src/features/feeRule.js'
import { featureBlockFromHistoryRow } from '../src/features/historySeries.js'
import { toFeeSeries } from '../src/features/toFeeSeries.js'
import { readHistoryFile } from '../src/history/readHistoryFile.js'
import { mulberry32 } from '../src/lib/random.js'
import { defaultModelDir } from '../src/model/defaultModel.js'
import { loadFeeModel } from '../src/model/loadFeeModel.js'
import { buildPrediction } from '../src/predict/buildPrediction.js'
import {
  calibrateRunMax,
  createCalibrationState,
  observeBlock,
  recordEstimate,
} from '../src/predict/calibration.js'
import { maxFeePerGasFor } from '../src/predict/maxFee.js'
import { createTipCalibrationState } from '../src/predict/tipCalibration.js'
import type { BlockRecord } from '../src/types.js'

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

// The full Prediction over the same blocks, with drawn τ.
const random = mulberry32(11)
const records: BlockRecord[] = rows.map((row) => {
  const tau = BigInt(Math.round(1e8 * Math.exp(1.5 * (random() + random() + random() - 1.5))))
  return {
    number: row.number,
    hash: null,
    parentHash: null,
    timestamp: row.timestamp,
    baseFeePerGas: row.baseFeePerGas,
    gasUsed: row.gasUsed,
    gasLimit: row.gasLimit,
    txCount: row.txCount,
    blobGasUsed: null,
    excessBlobGas: null,
    tips: {
      count: 1,
      threshold: tau,
      min: tau,
      p10: tau,
      p25: tau,
      p50: tau,
      p75: tau,
      p90: tau,
      max: tau,
      avg: tau,
    },
  }
})
const fullState = createCalibrationState({ prior: model.calibrationPrior })
const tipState = createTipCalibrationState()
const profile = chainProfile(1)
const fullTimes: number[] = []
for (let at = window; at < records.length; at++) {
  const t0 = performance.now()
  const built = buildPrediction({
    profile,
    records: records.slice(at - window + 1, at + 1),
    forecaster: model,
    calibration: fullState,
    tips: tipState,
    now: (records[at]!.timestamp ?? 0) * 1000,
  })
  fullTimes.push(performance.now() - t0)
  if (built.prediction.estimates.length === 0) throw new Error('no estimates')
}
const fullWarm = fullTimes.slice(50).sort((a, b) => a - b)
const fq = (p: number) => fullWarm[Math.min(fullWarm.length - 1, Math.floor(p * fullWarm.length))]!

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
  /** buildPrediction: the whole Prediction, tips included. */
  full: {
    meanMs: fullWarm.reduce((a, b) => a + b, 0) / fullWarm.length,
    p50Ms: fq(0.5),
    p99Ms: fq(0.99),
    maxMs: fullWarm.at(-1),
  },
}
console.log(
  `one prediction (window ${window} blocks, 15 maxFees, calibration update): mean ${result.meanMs.toFixed(3)} ms, p50 ${result.p50Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(3)} ms over ${result.predictions} blocks; backend ${result.backend}; model load ${result.loadMs} ms ${sink > 0n ? '' : '!'}`,
)
console.log(
  `full Prediction (buildPrediction, tips for 6 horizons x 5 levels, forecast, trust): mean ${result.full.meanMs.toFixed(3)} ms, p50 ${result.full.p50Ms.toFixed(3)} ms, p99 ${result.full.p99Ms.toFixed(3)} ms`,
)
await mkdir(join(root, 'bench/results'), { recursive: true })
await writeFile(join(root, 'bench/results/predictor-speed.json'), `${JSON.stringify(result, null, 1)}\n`)
