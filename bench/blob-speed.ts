/**
 * Time of one prediction of a blob-carrying chain, as the predictor would run it on every block:
 * - blob part (buildBlobPrediction): the newest 257 blocks -> blob series -> features -> network -> the
 *   regime's calibrated thresholds -> maxFeePerBlobGas for 5 confidences x 3 horizons through fake_exponential,
 *   the blob base-fee forecast, plus feeding the block to the blob calibration and recording the estimate;
 * - full: the base-fee Prediction (buildPrediction with tips, as bench/predictor-speed.ts times it) and the
 *   blob part, one after the other, timed together.
 * The blob files have no execution columns, so the base-fee half runs on a base-fee history file beside them
 * (what it costs does not depend on the fee level); the next excess blob gas comes from the next row.
 *
 *   npx tsx bench/blob-speed.ts [--blob-model models/blobfee] [--blobs <csv>] [--blocks <csv>]
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { blobForkAt, mainnetBlobSchedule } from '../src/chains/blobSchedule.js'
import { chainProfile } from '../src/chains/chains.js'
import { readHistoryFile } from '../src/history/readHistoryFile.js'
import { mulberry32 } from '../src/lib/random.js'
import { defaultBlobModelDir, defaultModelDir } from '../src/model/defaultModel.js'
import { loadBlobFeeModel } from '../src/model/loadBlobFeeModel.js'
import { loadFeeModel } from '../src/model/loadFeeModel.js'
import { createBlobCalibrationState, observeBlobBlock } from '../src/predict/blobCalibration.js'
import { buildBlobPrediction } from '../src/predict/buildBlobPrediction.js'
import { buildPrediction } from '../src/predict/buildPrediction.js'
import { createCalibrationState, recordEstimate } from '../src/predict/calibration.js'
import { createTipCalibrationState } from '../src/predict/tipCalibration.js'
import type { BlockRecord } from '../src/types.js'

const root = fileURLToPath(new URL('..', import.meta.url))
const { values } = parseArgs({
  options: {
    'blob-model': { type: 'string', default: defaultBlobModelDir },
    model: { type: 'string', default: defaultModelDir },
    blobs: {
      type: 'string',
      default: resolve(root, '../shared/data/blobs/eth-blobs-2025-11-fusaka-bpo1.csv'),
    },
    blocks: { type: 'string', default: resolve(root, '../shared/data/blocks/eth-2022-09-premerge.csv') },
    predictions: { type: 'string', default: '1500' },
  },
})
const blobModel = await loadBlobFeeModel({ dir: values['blob-model']! })
const baseModel = await loadFeeModel({ dir: values.model! })
const blobRows = (await readHistoryFile(values.blobs!)).rows
const baseRows = (await readHistoryFile(values.blocks!)).rows
const window = 257
const count = Math.min(Number(values.predictions), blobRows.length - window - 1, baseRows.length - window)

// Base-fee records with drawn τ, as bench/predictor-speed.ts does (history files have no tips).
const random = mulberry32(11)
const baseRecords: BlockRecord[] = baseRows.map((row) => {
  const tau = BigInt(Math.round(1e8 * Math.exp(1.5 * (random() + random() + random() - 1.5))))
  const tips = {
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
  }
  return { ...row, hash: null, parentHash: null, blobGasUsed: null, excessBlobGas: null, tips }
})
const blobState = createBlobCalibrationState({ priors: blobModel.calibrationPriors })
const baseState = createCalibrationState({ prior: baseModel.calibrationPrior })
const tipState = createTipCalibrationState()
const profile = chainProfile(1)

const blobTimes: number[] = []
const fullTimes: number[] = []
let sink = 0n
const firstBlob = blobRows.length - count - 1
for (let i = 0; i < count; i++) {
  const at = firstBlob + i // the head
  const head = blobRows[at]!
  const t0 = performance.now()
  const built = buildBase(window + i)
  const t1 = performance.now()
  const headFork = blobForkAt(mainnetBlobSchedule, head.timestamp!)!
  observeBlobBlock({
    state: blobState,
    block: head.number,
    logBlobFee: Number(head.excessBlobGas) / Number(headFork.baseFeeUpdateFraction),
  })
  const blob = buildBlobPrediction({
    records: blobRows.slice(at - window + 1, at + 1),
    schedule: mainnetBlobSchedule,
    forecaster: blobModel,
    calibration: blobState,
    nextExcessBlobGas: blobRows[at + 1]!.excessBlobGas!,
  })
  if (!blob) throw new Error('no blob prediction')
  recordEstimate({
    state: blobState[blob.regime],
    block: head.number,
    logNextBaseFee: blob.logNextBlobFee,
    thresholds: blob.thresholds,
  })
  const t2 = performance.now()
  sink += blob.estimates.at(-1)!.maxFeePerBlobGas + BigInt(built)
  blobTimes.push(t2 - t1)
  fullTimes.push(t2 - t0)
}

function buildBase(at: number): number {
  const built = buildPrediction({
    profile,
    records: baseRecords.slice(at - window + 1, at + 1),
    forecaster: baseModel,
    calibration: baseState,
    tips: tipState,
    now: (baseRecords[at]!.timestamp ?? 0) * 1000,
  })
  return built.prediction.estimates.length
}

const stats = (times: number[]) => {
  const warm = times.slice(50).sort((a, b) => a - b)
  const q = (p: number) => warm[Math.min(warm.length - 1, Math.floor(p * warm.length))]!
  return {
    meanMs: warm.reduce((a, b) => a + b, 0) / warm.length,
    p50Ms: q(0.5),
    p99Ms: q(0.99),
    maxMs: warm.at(-1),
  }
}
const result = {
  date: new Date().toISOString(),
  command: 'npx tsx bench/blob-speed.ts',
  blobModel: blobModel.version,
  baseModel: baseModel.version,
  backend: blobModel.backend,
  predictions: count - 50,
  blob: stats(blobTimes),
  full: stats(fullTimes),
}
const f = (x: number) => x.toFixed(3)
console.log(
  `blob part (buildBlobPrediction, 15 maxFeePerBlobGas, forecast, calibration): mean ${f(result.blob.meanMs)} ms, p50 ${f(result.blob.p50Ms)} ms, p99 ${f(result.blob.p99Ms)} ms over ${result.predictions} blocks; backend ${result.backend} ${sink > 0n ? '' : '!'}`,
)
console.log(
  `full prediction of a blob chain (buildPrediction + blob part): mean ${f(result.full.meanMs)} ms, p50 ${f(result.full.p50Ms)} ms, p99 ${f(result.full.p99Ms)} ms`,
)
await mkdir(join(root, 'bench/results'), { recursive: true })
await writeFile(join(root, 'bench/results/blob-speed.json'), `${JSON.stringify(result, null, 1)}\n`)
