import {
  type BlobFork,
  type BlobSchedule,
  blobForksBetween,
  nextBlockBlobForks,
} from '../chains/blobSchedule.js'
import { blobFeatureNames } from '../features/blobFeatureNames.js'
import { blobFeatureMatrix } from '../features/blobFeatures.js'
import type { BlobSeries } from '../features/blobSeries.js'
import { blobBaseFee } from '../fees/blobBaseFee.js'
import { gasPerBlob } from '../fees/blobGas.js'
import { blobRegime } from '../fees/blobRegime.js'
import { type BlobFeeForecaster, blobForecastFromRaw } from '../model/blobForecaster.js'
import { outputSize } from '../model/layout.js'
import {
  type BlobCalibrationState,
  createBlobCalibrationState,
  observeBlobBlock,
} from '../predict/blobCalibration.js'
import { blobFeeCapAtThreshold } from '../predict/blobMaxFee.js'
import {
  type CalibratedThresholds,
  type CreateCalibrationStateParameters,
  calibrateRunMax,
  createCalibrationState,
  recordEstimate,
} from '../predict/calibration.js'
import { thresholdFor } from '../predict/maxFee.js'
import { type BlobBaseline, blobBaselines } from './blobBaselines.js'
import type { BacktestRow, CellOutcome } from './walkForward.js'

export type BlobBacktestSource = { name: string; series: readonly BlobSeries[] }

export type BlobWalkForwardParameters = {
  sources: readonly BlobBacktestSource[]
  forecaster: BlobFeeForecaster
  /** The chain's blob forks (the next block's candidates near a fork come from it). */
  schedule: BlobSchedule
  /** Percent. */
  confidences: readonly number[]
  horizons: readonly number[]
  baselines?: readonly BlobBaseline[]
  /** Options of each source's fresh calibration states; `false` runs the model uncalibrated. */
  calibration?: Omit<CreateCalibrationStateParameters, 'prior'> | false
  /** Also score the raw model, as predictor 'feecast-uncalibrated'. */
  includeUncalibrated?: boolean
  /** Which decision blocks count (all by default); the walk itself runs over every block. */
  counts?: (source: string, block: number) => boolean
  onProgress?: (done: number, total: number) => void
  slotSeconds?: number
}

/** Coverage over every decision, priced or not (the floor regime included). */
export type AllDecisionsOutcome = {
  predictor: string
  source: string
  confidence: number | null
  withinBlocks: number
  samples: number
  covered: number
}

export type BlobWalkForwardReturnType = {
  /** Priced decisions only (next blob fee >= 1000 wei), with every headroom. */
  cells: CellOutcome[]
  all: AllDecisionsOutcome[]
  calibration: Map<string, BlobCalibrationState>
  decisions: number
  pricedDecisions: number
}

class Growable {
  data = new Float64Array(1024)
  length = 0
  push(x: number) {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2)
      next.set(this.data)
      this.data = next
    }
    this.data[this.length++] = x
  }
}

type Acc = { covered: number; headroom: Growable; samplesAll: number; coveredAll: number }

/** The pending block's fee as a decision sees it: the higher candidate near a fork. */
export type NextBlob = { fee: number; excess: number; fork: BlobFork; logFee: number; maxStep: number }

function nextBlobOf(
  series: BlobSeries,
  end: number,
  schedule: BlobSchedule,
  slotSeconds: number,
): NextBlob | null {
  const candidates = nextBlockBlobForks(schedule, series.timestamp[end - 1] ?? 0, slotSeconds)
  const excess = series.excessBlobGas[end] ?? 0
  let best: NextBlob | null = null
  for (const fork of candidates) {
    const fraction = Number(fork.baseFeeUpdateFraction)
    const fee =
      fraction === series.updateFraction[end]
        ? (series.blobFee[end] ?? 0)
        : Number(blobBaseFee({ excessBlobGas: BigInt(excess), parameters: fork }))
    if (best === null || fee > best.fee)
      best = {
        fee,
        excess,
        fork,
        logFee: excess / fraction,
        maxStep: ((fork.max - fork.target) * Number(gasPerBlob)) / fraction,
      }
  }
  return best
}

/**
 * The blob walk-forward backtest, as the base-fee one: at each block t, with blocks up to t and the exact
 * next blob base fee known (the next row's excess blob gas, which block t's header fixes), every predictor
 * names a maxFeePerBlobGas for each horizon N, scored against the blob base fees of blocks t+1..t+N. The
 * model runs in batches over the window (its inputs are the past only); the calibration learns each outcome
 * only once block t+N has been observed, exactly as live. Each source starts cold.
 */
export function blobWalkForward({
  sources,
  forecaster,
  schedule,
  confidences,
  horizons,
  baselines = blobBaselines,
  calibration = {},
  includeUncalibrated = false,
  counts = () => true,
  onProgress,
  slotSeconds = 12,
}: BlobWalkForwardParameters): BlobWalkForwardReturnType {
  const acc = new Map<string, Acc>()
  const cell = (predictor: string, source: string, confidence: number | null, n: number) => {
    const key = `${predictor}|${source}|${confidence}|${n}`
    let a = acc.get(key)
    if (!a) {
      a = { covered: 0, headroom: new Growable(), samplesAll: 0, coveredAll: 0 }
      acc.set(key, a)
    }
    return a
  }
  const sortedHorizons = [...horizons].sort((a, b) => a - b)
  const total = sources.reduce((n, s) => n + s.series.reduce((m, x) => m + x.length, 0), 0)
  const layout = forecaster.layout
  const O = outputSize(layout)
  const F = blobFeatureNames.length
  let done = 0
  let decisions = 0
  let pricedDecisions = 0
  const states = new Map<string, BlobCalibrationState>()
  const uncalibrated = createCalibrationState({
    confidences: [...confidences],
    horizons: [...new Set([2, ...horizons])].sort((a, b) => a - b),
    stepSize: 0,
  })

  for (const source of sources) {
    const state =
      calibration === false
        ? createBlobCalibrationState({ confidences: [...confidences], stepSize: 0 })
        : createBlobCalibrationState({ priors: forecaster.calibrationPriors, ...calibration })
    states.set(source.name, state)
    for (const series of source.series) {
      const features = blobFeatureMatrix(series, 1, series.length)
      const raw = forecaster.rawBatch ? forecaster.rawBatch(features, series.length - 1) : null
      for (let end = 1; end < series.length; end++) {
        const t = series.firstNumber + end - 1
        observeBlobBlock({ state, block: t, logBlobFee: series.logBlobFee[end - 1] ?? 0 })
        const next = nextBlobOf(series, end, schedule, slotSeconds)
        if (next === null) continue
        const r = end - 1
        const forecast = raw
          ? blobForecastFromRaw(raw.subarray(r * O, (r + 1) * O), layout, next.maxStep)
          : forecaster.forecast(features.subarray(r * F, (r + 1) * F), next.maxStep)
        const regime = blobRegime(next.fee)
        const thresholds = calibrateRunMax({ state: state[regime], forecast, maxStep: next.maxStep })
        recordEstimate({ state: state[regime], block: t, logNextBaseFee: next.logFee, thresholds })
        if (!counts(source.name, t)) continue
        decisions++
        const priced = regime === 'priced'
        if (priced) pricedDecisions++
        const raw0 = includeUncalibrated
          ? calibrateRunMax({ state: uncalibrated, forecast, maxStep: next.maxStep })
          : null
        scoreDecision({
          series,
          end,
          next,
          schedule,
          horizons: sortedHorizons,
          confidences,
          thresholds,
          raw: raw0,
          baselines,
          priced,
          cell: (predictor, confidence, n) => cell(predictor, source.name, confidence, n),
        })
        if (end % 8192 === 0) onProgress?.(done + end, total)
      }
      done += series.length
      onProgress?.(done, total)
    }
  }
  const cells: CellOutcome[] = []
  const all: AllDecisionsOutcome[] = []
  for (const [key, a] of acc) {
    const [predictor = '', source = '', confidence, n] = key.split('|')
    const parsed = {
      predictor,
      source,
      confidence: confidence === 'null' ? null : Number(confidence),
      withinBlocks: Number(n),
    }
    const headroom = a.headroom.data.slice(0, a.headroom.length)
    cells.push({ ...parsed, samples: headroom.length, covered: a.covered, headroom })
    all.push({ ...parsed, samples: a.samplesAll, covered: a.coveredAll })
  }
  return { cells, all, calibration: states, decisions, pricedDecisions }
}

type ScoreDecisionParameters = {
  series: BlobSeries
  end: number
  next: NextBlob
  schedule: BlobSchedule
  horizons: readonly number[]
  confidences: readonly number[]
  thresholds: CalibratedThresholds
  raw: CalibratedThresholds | null
  baselines: readonly BlobBaseline[]
  priced: boolean
  cell: (predictor: string, confidence: number | null, n: number) => Acc
}

/** Scores one decision for every horizon whose blocks the series holds. */
function scoreDecision({
  series,
  end,
  next,
  schedule,
  horizons,
  confidences,
  thresholds,
  raw,
  baselines,
  priced,
  cell,
}: ScoreDecisionParameters): void {
  const fraction = Number(next.fork.baseFeeUpdateFraction)
  const headTime = series.timestamp[end - 1] ?? 0
  let maxFee = 0
  let maxExcess = 0
  let sameFork = true
  let k = end
  for (const n of horizons) {
    const last = end + n - 1
    if (last >= series.length) break
    for (; k <= last; k++) {
      maxFee = Math.max(maxFee, series.blobFee[k] ?? 0)
      maxExcess = Math.max(maxExcess, series.excessBlobGas[k] ?? 0)
      if (series.updateFraction[k] !== fraction) sameFork = false
    }
    const forks = blobForksBetween(schedule, headTime + 1, headTime + 24 * n)
    const fast = sameFork && forks.length === 1 && forks[0] === next.fork
    const score = (a: Acc, theta: number) => {
      const { covered, fee } = fast
        ? scoreBlobCapFast({ next, threshold: theta, withinBlocks: n, maxFee, maxExcess })
        : scoreBlobCapExact({ next, threshold: theta, withinBlocks: n, maxFee, forks })
      a.samplesAll++
      if (covered) a.coveredAll++
      if (priced) {
        if (covered) a.covered++
        a.headroom.push(fee / maxFee - 1)
      }
    }
    for (const p of confidences) {
      score(cell('feecast', p, n), thresholdFor(thresholds, n, p))
      if (raw) score(cell('feecast-uncalibrated', p, n), thresholdFor(raw, n, p))
    }
    for (const b of baselines) {
      const a = cell(b.name, null, n)
      const cap = b.multiplier * next.fee
      const covered = maxFee <= cap
      a.samplesAll++
      if (covered) a.coveredAll++
      if (priced) {
        if (covered) a.covered++
        a.headroom.push(cap / maxFee - 1)
      }
    }
  }
}

/** Priced-decision rows (coverage, median headroom, samples) with every-decision coverage beside them. */
export type BlobBacktestRow = BacktestRow & { coverageAll: number; samplesAll: number }

/** Adds every-decision coverage to summarized priced rows (pooled over the same sources). */
export function withAllDecisions(
  rows: readonly BacktestRow[],
  all: readonly AllDecisionsOutcome[],
  sourceFilter?: (source: string) => boolean,
): BlobBacktestRow[] {
  return rows.map((row) => {
    let samples = 0
    let covered = 0
    for (const a of all)
      if (
        a.predictor === row.predictor &&
        a.confidence === row.confidence &&
        a.withinBlocks === row.withinBlocks &&
        (!sourceFilter || sourceFilter(a.source))
      ) {
        samples += a.samples
        covered += a.covered
      }
    return { ...row, coverageAll: samples > 0 ? covered / samples : Number.NaN, samplesAll: samples }
  })
}

export type ScoreBlobCapParameters = {
  next: NextBlob
  /** log(cap / next blob base fee). */
  threshold: number
  withinBlocks: number
  /** The largest blob base fee (wei) of the N blocks. */
  maxFee: number
}

/**
 * Whether the cap a threshold stands for (blobFeeCapAtThreshold) covers the N blocks, and the cap, without
 * bigint arithmetic where the pending block's fork holds throughout: the cap's excess is compared with the
 * largest excess of the N blocks (the fee rises with the excess), and only where it is below but the fees
 * may tie under EIP-4844's floors is the exact fee computed. The cap is approximate (1e-6) in headroom only.
 */
export function scoreBlobCapFast({
  next,
  threshold,
  withinBlocks,
  maxFee,
  maxExcess,
}: ScoreBlobCapParameters & { maxExcess: number }): { covered: boolean; fee: number } {
  const fraction = Number(next.fork.baseFeeUpdateFraction)
  const worst = next.excess + (withinBlocks - 1) * (next.fork.max - next.fork.target) * Number(gasPerBlob)
  const excess =
    withinBlocks > 1 ? Math.min(worst, next.excess + Math.ceil(threshold * fraction)) : next.excess
  // EIP-4844's fee is e^(excess / fraction) floored, up to a millionth: enough for headroom.
  const fee = excess === next.excess ? next.fee : Math.max(1, Math.floor(Math.exp(excess / fraction)))
  let covered = excess >= maxExcess
  if (!covered && fee * (1 + 1e-4) + 1 >= maxFee)
    covered = blobBaseFee({ excessBlobGas: BigInt(excess), parameters: next.fork }) >= BigInt(maxFee)
  return { covered, fee }
}

/** The same, exactly (bigint), under every fork the horizon may reach. */
export function scoreBlobCapExact({
  next,
  threshold,
  withinBlocks,
  maxFee,
  forks,
}: ScoreBlobCapParameters & { forks: readonly BlobFork[] }): { covered: boolean; fee: number } {
  const cap = blobFeeCapAtThreshold({
    nextExcessBlobGas: BigInt(next.excess),
    nextFork: next.fork,
    horizonForks: forks,
    withinBlocks,
    threshold,
  })
  return { covered: cap >= BigInt(maxFee), fee: Number(cap) }
}
