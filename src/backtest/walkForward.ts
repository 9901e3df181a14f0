import { computeFeatures } from '../features/computeFeatures.js'
import { maxLogStep } from '../features/feeRule.js'
import type { FeeSeries } from '../features/types.js'
import { at } from '../lib/at.js'
import type { BaseFeeForecaster } from '../model/forecast.js'
import {
  type CalibratedThresholds,
  type CalibrationState,
  type CreateCalibrationStateParameters,
  calibrateRunMax,
  createCalibrationState,
  observeBlock,
  recordEstimate,
} from '../predict/calibration.js'
import { thresholdFor } from '../predict/maxFee.js'
import { type Baseline, baselines as defaultBaselines } from './baselines.js'
import { type CellOutcome, createOutcomeCells, type OutcomeCell, type OutcomeCells } from './outcomeCells.js'

export type { CellOutcome } from './outcomeCells.js'

export type BacktestSource = { name: string; series: readonly FeeSeries[] }

export type WalkForwardParameters = {
  sources: readonly BacktestSource[]
  forecaster: BaseFeeForecaster
  /** Percent. */
  confidences: readonly number[]
  horizons: readonly number[]
  baselines?: readonly Baseline[]
  /** Options of each source's fresh calibration state; `false` runs the model uncalibrated. */
  calibration?: CreateCalibrationStateParameters | false
  /** Also score the raw model beside the calibrated one, as predictor 'feecast-uncalibrated'. */
  includeUncalibrated?: boolean
  /** Which decision blocks count (all by default); the walk itself always runs over every block. */
  counts?: (source: string, block: number) => boolean
  onProgress?: (done: number, total: number) => void
}

export type WalkForwardReturnType = {
  cells: CellOutcome[]
  /** Final calibration state per source (to inspect offsets). */
  calibration: Map<string, CalibrationState>
  decisions: number
}

/**
 * The walk-forward backtest. At each block t of each source, with only blocks up to t and the exact next
 * base fee known, every predictor names a maxFee for each horizon N; it is scored against the N blocks
 * after t. feecast's online calibration sees each outcome only once block t + N has been observed, exactly
 * as it would live. Each source starts with a fresh calibration state (a new window is a cold start).
 */
export function walkForward({
  sources,
  forecaster,
  confidences,
  horizons,
  baselines = defaultBaselines,
  calibration = {},
  includeUncalibrated = false,
  counts = () => true,
  onProgress,
}: WalkForwardParameters): WalkForwardReturnType {
  const cells = createOutcomeCells()
  const total = sources.reduce((n, s) => n + s.series.reduce((m, x) => m + x.length, 0), 0)
  let done = 0
  let decisions = 0
  const states = new Map<string, CalibrationState>()
  const uncalibrated = includeUncalibrated
    ? createCalibrationState({
        confidences: [...confidences],
        horizons: [...new Set([2, ...horizons])].sort((a, b) => a - b),
        stepSize: 0,
      })
    : null
  const walk = { forecaster, confidences, horizons: [...horizons].sort((a, b) => a - b), baselines, counts }
  for (const source of sources) {
    const state =
      calibration === false
        ? createCalibrationState({ confidences: [...confidences], stepSize: 0 })
        : createCalibrationState({ prior: forecaster.calibrationPrior, ...calibration })
    states.set(source.name, state)
    for (const series of source.series) {
      decisions += walkSeries({ ...walk, source: source.name, series, state, uncalibrated, cells })
      done += series.length
      onProgress?.(done, total)
    }
  }
  return { cells: cells.outcomes(), calibration: states, decisions }
}

type WalkSeriesParameters = Pick<WalkForwardParameters, 'forecaster' | 'confidences'> & {
  /** Ascending. */
  horizons: readonly number[]
  baselines: readonly Baseline[]
  counts: (source: string, block: number) => boolean
  source: string
  series: FeeSeries
  state: CalibrationState
  /** The raw model's thresholds (a calibration that never moves), when it is scored too. */
  uncalibrated: CalibrationState | null
  cells: OutcomeCells
}

/** Walks one run of consecutive blocks; returns how many decisions counted. */
function walkSeries(p: WalkSeriesParameters): number {
  const { series, state } = p
  const lb = series.logBaseFee
  const step = maxLogStep(series.rule)
  let decisions = 0
  for (let end = 1; end < series.length; end++) {
    const t = series.firstNumber + end - 1
    // The latest mined block is t (index end - 1): the calibration learns what it reveals first.
    observeBlock({ state, block: t, logBaseFee: at(lb, end - 1) })
    if (!Number.isFinite(at(lb, end)) || !Number.isFinite(at(lb, end - 1))) continue
    const forecast = p.forecaster.forecast(computeFeatures({ series, end }), series.rule)
    const thresholds = calibrateRunMax({ state, forecast, maxStep: step })
    recordEstimate({ state, block: t, logNextBaseFee: at(lb, end), thresholds })
    if (!p.counts(p.source, t)) continue
    decisions++
    const raw = p.uncalibrated ? calibrateRunMax({ state: p.uncalibrated, forecast, maxStep: step }) : null
    scoreDecision(p, end, thresholds, raw)
  }
  return decisions
}

/** Scores one decision at index `end` for every horizon whose blocks the series holds. */
function scoreDecision(
  p: WalkSeriesParameters,
  end: number,
  thresholds: CalibratedThresholds,
  raw: CalibratedThresholds | null,
): void {
  const lb = p.series.logBaseFee
  const score = (c: OutcomeCell, threshold: number, rise: number) => {
    // threshold and rise: log ratios to the same reference
    if (rise <= threshold + 1e-9) c.covered++
    c.headroom.push(Math.expm1(threshold - rise))
  }
  let running = at(lb, end)
  let k = 1
  for (const n of p.horizons) {
    if (end + n - 1 >= p.series.length) break
    for (; k < n; k++) running = Math.max(running, at(lb, end + k))
    if (!Number.isFinite(running)) break
    const rise = running - at(lb, end) // vs the next base fee
    for (const c of p.confidences) {
      score(p.cells.cell('feecast', p.source, c, n), thresholdFor(thresholds, n, c), rise)
      if (raw) score(p.cells.cell('feecast-uncalibrated', p.source, c, n), thresholdFor(raw, n, c), rise)
    }
    // Baselines multiply the latest block's base fee, b[t].
    const latest = at(lb, end - 1) - at(lb, end)
    for (const b of p.baselines)
      score(p.cells.cell(b.name, p.source, null, n), latest + Math.log(b.multiplier), rise)
  }
}

export type BacktestRow = {
  predictor: string
  confidence: number | null
  withinBlocks: number
  /** Share of decision blocks where maxFee >= every base fee of the next N blocks, in [0, 1]. */
  coverage: number
  /** Median of maxFee / max base fee of the next N blocks - 1. */
  medianHeadroom: number
  samples: number
}

function median(values: Float64Array): number {
  if (values.length === 0) return Number.NaN
  const s = Float64Array.from(values).sort()
  const m = s.length >> 1
  return s.length % 2 ? at(s, m) : (at(s, m - 1) + at(s, m)) / 2
}

/** Pools cells over sources (optionally only some) into one row per predictor, confidence and horizon. */
export function summarize(
  cells: readonly CellOutcome[],
  sourceFilter?: (source: string) => boolean,
): BacktestRow[] {
  const groups = new Map<string, CellOutcome[]>()
  for (const c of cells) {
    if (sourceFilter && !sourceFilter(c.source)) continue
    const key = `${c.predictor}|${c.confidence}|${c.withinBlocks}`
    groups.set(key, [...(groups.get(key) ?? []), c])
  }
  const rows: BacktestRow[] = []
  for (const group of groups.values()) {
    const samples = group.reduce((n, c) => n + c.samples, 0)
    const headroom = new Float64Array(samples)
    let offset = 0
    for (const c of group) {
      headroom.set(c.headroom, offset)
      offset += c.headroom.length
    }
    const [first] = group
    if (first === undefined) continue // a group exists because a cell joined it
    rows.push({
      predictor: first.predictor,
      confidence: first.confidence,
      withinBlocks: first.withinBlocks,
      coverage: samples > 0 ? group.reduce((n, c) => n + c.covered, 0) / samples : Number.NaN,
      medianHeadroom: median(headroom),
      samples,
    })
  }
  const order = (p: string) => (p === 'feecast' ? 0 : p === 'feecast-uncalibrated' ? 1 : 2)
  return rows.sort(
    (a, b) =>
      order(a.predictor) - order(b.predictor) ||
      a.predictor.localeCompare(b.predictor) ||
      (a.confidence ?? 0) - (b.confidence ?? 0) ||
      a.withinBlocks - b.withinBlocks,
  )
}
