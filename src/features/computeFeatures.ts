import { at, outOfRange } from '../lib/at.js'
import {
  featureLookback,
  featureNames,
  fullnessSpans,
  fullShareSpans,
  lagCount,
  momentumSpans,
  rangeSpans,
  volatilitySpans,
} from './featureNames.js'
import { maxLogStep } from './feeRule.js'
import type { FeeSeries } from './types.js'

export type CongestionLevel = 'low' | 'medium' | 'high' | 'extreme'

export type Congestion = {
  level: CongestionLevel
  /** 0 (blocks at most half of target) .. 1 (every block full), averaged over the last 16 blocks. */
  score: number
  /** The latest block's gas used / gas limit (eth_feeHistory's gasUsedRatio), null if unknown. */
  gasUsedRatio: number | null
}

export type Features = {
  /** Model inputs in the order of `featureNames`. */
  vector: Float64Array
  /** Blocks of usable history behind the pending block (capped at `featureLookback`). */
  historyBlocks: number
  congestion: Congestion
  /** Mean seconds between the last 16 blocks whose times are known (null: none known). */
  blockTimeSeconds: number | null
  /** Median tip threshold τ of the last 16 blocks that have one, in wei (null: none known). */
  tipThresholdMedian: number | null
  /** log(median τ of the last 4 / of the last 16 known): above 0, tips are rising. */
  tipTrend: number | null
}

export type ComputeFeaturesParameters = {
  series: FeeSeries
  /**
   * Index of the pending block: the block being predicted for, whose base fee is already exact.
   * Only indices <= end are read (base fees) and < end (gas used): the past is all there is.
   */
  end: number
}

const fullAt = 0.95
const emptyAt = 0.05

/** Congestion score of one block from gas used / target u (0 at half of target or less, 1 when full). */
function pressure(u: number, elasticity: number): number {
  return Math.min(1, Math.max(0, (u - 0.5) / (elasticity - 0.5)))
}

export function congestionLevel(score: number): CongestionLevel {
  return score < 0.35 ? 'low' : score < 0.6 ? 'medium' : score < 0.85 ? 'high' : 'extreme'
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? at(s, m) : (at(s, m - 1) + at(s, m)) / 2
}

/** One point of a series as the feature steps read it: checked element reads, the usable history. */
type FeatureWindow = {
  series: FeeSeries
  end: number
  /** First index of the usable history (the longest run of known base fees ending at `end`). */
  start: number
  /** Blocks of usable history: end - start. */
  h: number
  /** Log base fee at `end`. */
  last: number
  /** The largest one-block log step the fee rule allows. */
  step: number
  elasticity: number
  logBaseFeeAt(i: number): number
  gasUsedRatioAt(i: number): number
  /** Normalised step into block i + 1. */
  z(i: number): number
  /** Gas used over the target of block i (from the base fee step when the ratio is unknown). */
  fullness(i: number): number
}

/**
 * The feature vector at one point of a series: pure, no I/O, O(lookback). Spans longer than the
 * available history use what there is (the `history_*` inputs tell the model how much that was), so a
 * chain with a few blocks of history still gets an answer; the model was trained on such short windows
 * too, from the starts of every run.
 */
export function computeFeatures({ series, end }: ComputeFeaturesParameters): Features {
  const w = featureWindow(series, end)
  return { vector: modelInputs(w), historyBlocks: w.h, ...reportedContext(w) }
}

function featureWindow(series: FeeSeries, end: number): FeatureWindow {
  const { logBaseFee: lb, gasUsedRatio: gu, rule } = series
  const step = maxLogStep(rule)
  const E = rule.elasticity
  // checked reads written here, not through lib's shared at(): the loads stay specialised to Float64Array
  const logBaseFeeAt = (i: number) => lb[i] ?? outOfRange(lb, i)
  const gasUsedRatioAt = (i: number) => gu[i] ?? outOfRange(gu, i)
  if (end < 0 || end >= series.length || !Number.isFinite(logBaseFeeAt(end)))
    throw new RangeError(`computeFeatures: no known base fee at index ${end}`)
  let start = end
  while (start > 0 && end - start < featureLookback && Number.isFinite(logBaseFeeAt(start - 1))) start--
  return {
    series,
    end,
    start,
    h: end - start,
    last: logBaseFeeAt(end),
    step,
    elasticity: E,
    logBaseFeeAt,
    gasUsedRatioAt,
    z: (i) => (logBaseFeeAt(i + 1) - logBaseFeeAt(i)) / step,
    fullness: (i) => {
      const u = gasUsedRatioAt(i)
      return Number.isFinite(u)
        ? u / E
        : (1 + rule.denominator * Math.expm1(logBaseFeeAt(i + 1) - logBaseFeeAt(i))) / E
    },
  }
}

/** The model's inputs, in the order of featureNames: lags, then span statistics, streaks and history. */
function modelInputs(w: FeatureWindow): Float64Array {
  const v = new Float64Array(featureNames.length)
  let k = 0
  const { end, h, last, step } = w
  for (let j = 0; j < lagCount; j++) v[k++] = j < h ? w.z(end - 1 - j) : 0
  for (const s of momentumSpans) {
    const n = Math.min(s, h)
    v[k++] = n > 0 ? (last - w.logBaseFeeAt(end - n)) / (n * step) : 0
  }
  for (const s of volatilitySpans) v[k++] = volatility(w, Math.min(s, h))
  for (const s of rangeSpans) {
    const n = Math.min(s, h)
    const [lo, hi] = logRange(w, n)
    v[k++] = n > 0 ? (hi - lo) / (step * Math.sqrt(n)) : 0
  }
  for (const s of fullnessSpans) {
    const n = Math.min(s, h)
    let sum = 0
    for (let i = end - n; i < end; i++) sum += w.fullness(i)
    v[k++] = n > 0 ? sum / n : 1 / w.elasticity
  }
  for (const s of fullShareSpans) v[k++] = shareOf(w, Math.min(s, h), (i) => w.fullness(i) >= fullAt)
  v[k++] = shareOf(w, Math.min(32, h), (i) => w.fullness(i) <= emptyAt)
  v[k++] = streak(w, (i) => w.fullness(i) >= fullAt)
  v[k++] = streak(w, (i) => w.z(i) > 1e-3)
  v[k++] = streak(w, (i) => w.z(i) < -1e-3)
  const n64 = Math.min(64, h)
  const [lo, hi] = logRange(w, n64)
  const scale = step * Math.sqrt(Math.max(1, n64))
  v[k++] = (last - hi) / scale
  v[k++] = (last - lo) / scale
  v[k++] = meanReversion(w, Math.min(256, h))
  v[k++] = Math.min(h, featureLookback) / featureLookback
  v[k++] = Math.log1p(h) / Math.log1p(featureLookback)
  return v
}

/** Root mean square of the normalised steps into the last n blocks. */
function volatility(w: FeatureWindow, n: number): number {
  let sum = 0
  for (let i = w.end - n; i < w.end; i++) sum += w.z(i) ** 2
  return n > 0 ? Math.sqrt(sum / n) : 0
}

/** Lowest and highest log base fee over the n blocks before `end`, and `end` itself. */
function logRange(w: FeatureWindow, n: number): [number, number] {
  let lo = w.last
  let hi = w.last
  for (let i = w.end - n; i < w.end; i++) {
    lo = Math.min(lo, w.logBaseFeeAt(i))
    hi = Math.max(hi, w.logBaseFeeAt(i))
  }
  return [lo, hi]
}

/** Share of the n blocks before `end` that pass the test. */
function shareOf(w: FeatureWindow, n: number, test: (i: number) => boolean): number {
  let c = 0
  for (let i = w.end - n; i < w.end; i++) if (test(i)) c++
  return n > 0 ? c / n : 0
}

/** How many blocks before `end` in a row pass the test (up to 64), on a log scale in [0, 1]. */
function streak(w: FeatureWindow, test: (i: number) => boolean): number {
  let c = 0
  for (let i = w.end - 1; i >= w.start && c < 64 && test(i); i--) c++
  return Math.log1p(c) / Math.log(65)
}

/** Distance of the last log base fee from its mean over n + 1 blocks, in steps scaled by √n. */
function meanReversion(w: FeatureWindow, n: number): number {
  let sum = 0
  for (let i = w.end - n; i <= w.end; i++) sum += w.logBaseFeeAt(i)
  return (w.last - sum / (n + 1)) / (w.step * Math.sqrt(Math.max(1, n)))
}

/**
 * Not model inputs: too few training files carry block times or tips to learn from, and a model fed an
 * input it never saw vary would be trusting noise. They are reported for the API and the tip model.
 */
function reportedContext(w: FeatureWindow): Omit<Features, 'vector' | 'historyBlocks'> {
  const { end, start, series } = w
  const E = w.elasticity
  let score = 0
  let scored = 0
  for (let i = end - 1; i >= start && scored < 16; i--, scored++) score += pressure(w.fullness(i) * E, E)
  score = scored > 0 ? score / scored : 0
  const latestU = end >= 1 ? w.gasUsedRatioAt(end - 1) : Number.NaN
  const times = recentFinite(series.blockTime, end, 1)
  const tips = recentFinite(series.tipThreshold, end, 0)
  const tipMedian = tips.length > 0 ? median(tips) : null
  const tipRecent = tips.length > 0 ? median(tips.slice(0, 4)) : null
  return {
    congestion: {
      level: congestionLevel(score),
      score,
      gasUsedRatio: Number.isFinite(latestU) ? latestU / E : null,
    },
    blockTimeSeconds: times.length > 0 ? times.reduce((a, b) => a + b, 0) / times.length : null,
    tipThresholdMedian: tipMedian,
    tipTrend:
      tipMedian !== null && tipRecent !== null && tipMedian > 0 && tipRecent > 0
        ? Math.log(tipRecent / tipMedian)
        : null,
  }
}

/** Up to 16 known values going back from `end` (not below `first`, within the lookback), newest first. */
function recentFinite(values: Float64Array, end: number, first: number): number[] {
  const found: number[] = []
  for (let i = end; i >= first && found.length < 16 && end - i < featureLookback; i--) {
    const t = values[i] ?? outOfRange(values, i)
    if (Number.isFinite(t)) found.push(t)
  }
  return found
}
