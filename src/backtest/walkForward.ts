import { computeFeatures } from '../features/computeFeatures.js'
import { maxLogStep } from '../features/feeRule.js'
import type { FeeSeries } from '../features/types.js'
import type { BaseFeeForecaster } from '../model/forecast.js'
import {
  type CalibrationState,
  type CreateCalibrationStateParameters,
  calibrateRunMax,
  createCalibrationState,
  observeBlock,
  recordEstimate,
} from '../predict/calibration.js'
import { thresholdFor } from '../predict/maxFee.js'
import { type Baseline, baselines as defaultBaselines } from './baselines.js'

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

/** One predictor's outcome for one confidence (null for baselines) and horizon. */
export type CellOutcome = {
  predictor: string
  source: string
  confidence: number | null
  withinBlocks: number
  samples: number
  covered: number
  /** maxFee / max base fee of the N blocks - 1, for every sample. */
  headroom: Float64Array
}

export type WalkForwardReturnType = {
  cells: CellOutcome[]
  /** Final calibration state per source (to inspect offsets). */
  calibration: Map<string, CalibrationState>
  decisions: number
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
  values() {
    return this.data.slice(0, this.length)
  }
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
  type Acc = { covered: number; headroom: Growable }
  const acc = new Map<string, Acc>()
  const cell = (predictor: string, source: string, confidence: number | null, n: number) => {
    const key = `${predictor}|${source}|${confidence}|${n}`
    let a = acc.get(key)
    if (!a) {
      a = { covered: 0, headroom: new Growable() }
      acc.set(key, a)
    }
    return a
  }
  const score = (a: Acc, threshold: number, rise: number) => {
    // threshold and rise: log ratios to the same reference
    if (rise <= threshold + 1e-9) a.covered++
    a.headroom.push(Math.expm1(threshold - rise))
  }
  const total = sources.reduce((n, s) => n + s.series.reduce((m, x) => m + x.length, 0), 0)
  let done = 0
  let decisions = 0
  const states = new Map<string, CalibrationState>()
  const uncalibratedState = createCalibrationState({
    confidences: [...confidences],
    horizons: [...new Set([2, ...horizons])].sort((a, b) => a - b),
    stepSize: 0,
  })

  for (const source of sources) {
    const state =
      calibration === false
        ? createCalibrationState({ confidences: [...confidences], stepSize: 0 })
        : createCalibrationState({ prior: forecaster.calibrationPrior, ...calibration })
    states.set(source.name, state)
    for (const series of source.series) {
      const lb = series.logBaseFee
      const step = maxLogStep(series.rule)
      for (let end = 1; end < series.length; end++) {
        const t = series.firstNumber + end - 1
        // The latest mined block is t (index end - 1): the calibration learns what it reveals first.
        observeBlock({ state, block: t, logBaseFee: lb[end - 1]! })
        if (!Number.isFinite(lb[end]!) || !Number.isFinite(lb[end - 1]!)) continue
        const forecast = forecaster.forecast(computeFeatures({ series, end }), series.rule)
        const thresholds = calibrateRunMax({ state, forecast, maxStep: step })
        recordEstimate({ state, block: t, logNextBaseFee: lb[end]!, thresholds })
        if (!counts(source.name, t)) continue
        decisions++
        const raw = includeUncalibrated
          ? calibrateRunMax({ state: uncalibratedState, forecast, maxStep: step })
          : null
        let running = lb[end]!
        let k = 1
        for (const n of [...horizons].sort((a, b) => a - b)) {
          if (end + n - 1 >= series.length) break
          for (; k < n; k++) running = Math.max(running, lb[end + k]!)
          if (!Number.isFinite(running)) break
          const rise = running - lb[end]! // vs the next base fee
          for (const p of confidences) {
            score(cell('feecast', source.name, p, n), thresholdFor(thresholds, n, p), rise)
            if (raw) score(cell('feecast-uncalibrated', source.name, p, n), thresholdFor(raw, n, p), rise)
          }
          // Baselines multiply the latest block's base fee, b[t].
          const latest = lb[end - 1]! - lb[end]!
          for (const b of baselines)
            score(cell(b.name, source.name, null, n), latest + Math.log(b.multiplier), rise)
        }
      }
      done += series.length
      onProgress?.(done, total)
    }
  }
  const cells: CellOutcome[] = []
  for (const [key, a] of acc) {
    const [predictor, source, confidence, n] = key.split('|')
    const headroom = a.headroom.values()
    cells.push({
      predictor: predictor!,
      source: source!,
      confidence: confidence === 'null' ? null : Number(confidence),
      withinBlocks: Number(n),
      samples: headroom.length,
      covered: a.covered,
      headroom,
    })
  }
  return { cells, calibration: states, decisions }
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
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2
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
    let at = 0
    for (const c of group) {
      headroom.set(c.headroom, at)
      at += c.headroom.length
    }
    rows.push({
      predictor: group[0]!.predictor,
      confidence: group[0]!.confidence,
      withinBlocks: group[0]!.withinBlocks,
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
