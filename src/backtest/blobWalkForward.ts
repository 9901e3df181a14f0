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
  type CalibrationState,
  type CreateCalibrationStateParameters,
  calibrateRunMax,
  createCalibrationState,
  recordEstimate,
} from '../predict/calibration.js'
import { thresholdFor } from '../predict/maxFee.js'
import { type BlobBaseline, blobBaselines } from './blobBaselines.js'
import {
  type AllDecisionsOutcome,
  type CellOutcome,
  createOutcomeCells,
  type OutcomeCell,
  type OutcomeCells,
} from './outcomeCells.js'
import type { BacktestRow } from './walkForward.js'

export type { AllDecisionsOutcome } from './outcomeCells.js'

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

export type BlobWalkForwardReturnType = {
  /** Priced decisions only (next blob fee >= 1000 wei), with every headroom. */
  cells: CellOutcome[]
  all: AllDecisionsOutcome[]
  calibration: Map<string, BlobCalibrationState>
  decisions: number
  pricedDecisions: number
}

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
  const cells = createOutcomeCells()
  const total = sources.reduce((n, s) => n + s.series.reduce((m, x) => m + x.length, 0), 0)
  let done = 0
  const counted = { decisions: 0, pricedDecisions: 0 }
  const states = new Map<string, BlobCalibrationState>()
  const uncalibrated = includeUncalibrated
    ? createCalibrationState({
        confidences: [...confidences],
        horizons: [...new Set([2, ...horizons])].sort((a, b) => a - b),
        stepSize: 0,
      })
    : null
  const walk = {
    forecaster,
    schedule,
    confidences,
    horizons: [...horizons].sort((a, b) => a - b),
    baselines,
    counts,
    slotSeconds,
    uncalibrated,
    cells,
    counted,
  }
  for (const source of sources) {
    const state =
      calibration === false
        ? createBlobCalibrationState({ confidences: [...confidences], stepSize: 0 })
        : createBlobCalibrationState({ priors: forecaster.calibrationPriors, ...calibration })
    states.set(source.name, state)
    for (const series of source.series) {
      walkBlobSeries({
        ...walk,
        source: source.name,
        series,
        state,
        onProgress: (end) => {
          if (end % 8192 === 0) onProgress?.(done + end, total)
        },
      })
      done += series.length
      onProgress?.(done, total)
    }
  }
  return { cells: cells.outcomes(), all: cells.allDecisions(), calibration: states, ...counted }
}

type WalkBlobSeriesParameters = Pick<BlobWalkForwardParameters, 'forecaster' | 'schedule' | 'confidences'> & {
  counts: (source: string, block: number) => boolean
  /** Ascending. */
  horizons: readonly number[]
  baselines: readonly BlobBaseline[]
  slotSeconds: number
  source: string
  series: BlobSeries
  state: BlobCalibrationState
  /** The raw model's thresholds (a calibration that never moves), when it is scored too. */
  uncalibrated: CalibrationState | null
  cells: OutcomeCells
  counted: { decisions: number; pricedDecisions: number }
  onProgress: (end: number) => void
}

/** Walks one run of consecutive blob-carrying blocks, the model batched over it. */
function walkBlobSeries(p: WalkBlobSeriesParameters): void {
  const { forecaster, series, state } = p
  const layout = forecaster.layout
  const O = outputSize(layout)
  const F = blobFeatureNames.length
  const features = blobFeatureMatrix(series, 1, series.length)
  const raw = forecaster.rawBatch ? forecaster.rawBatch(features, series.length - 1) : null
  for (let end = 1; end < series.length; end++) {
    const t = series.firstNumber + end - 1
    observeBlobBlock({ state, block: t, logBlobFee: series.logBlobFee[end - 1] ?? 0 })
    const next = nextBlobOf(series, end, p.schedule, p.slotSeconds)
    if (next === null) continue
    const r = end - 1
    const forecast = raw
      ? blobForecastFromRaw(raw.subarray(r * O, (r + 1) * O), layout, next.maxStep)
      : forecaster.forecast(features.subarray(r * F, (r + 1) * F), next.maxStep)
    const regime = blobRegime(next.fee)
    const thresholds = calibrateRunMax({ state: state[regime], forecast, maxStep: next.maxStep })
    recordEstimate({ state: state[regime], block: t, logNextBaseFee: next.logFee, thresholds })
    if (!p.counts(p.source, t)) continue
    p.counted.decisions++
    const priced = regime === 'priced'
    if (priced) p.counted.pricedDecisions++
    const raw0 = p.uncalibrated
      ? calibrateRunMax({ state: p.uncalibrated, forecast, maxStep: next.maxStep })
      : null
    scoreDecision({
      series,
      end,
      next,
      schedule: p.schedule,
      horizons: p.horizons,
      confidences: p.confidences,
      thresholds,
      raw: raw0,
      baselines: p.baselines,
      priced,
      cell: (predictor, confidence, n) => p.cells.cell(predictor, p.source, confidence, n),
    })
    p.onProgress(end)
  }
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
  cell: (predictor: string, confidence: number | null, n: number) => OutcomeCell
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
    const score = (a: OutcomeCell, theta: number) => {
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
