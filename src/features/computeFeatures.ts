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

/**
 * The feature vector at one point of a series: pure, no I/O, O(lookback). Spans longer than the
 * available history use what there is (the `history_*` inputs tell the model how much that was), so a
 * chain with a few blocks of history still gets an answer; the model was trained on such short windows
 * too, from the starts of every run.
 */
export function computeFeatures({ series, end }: ComputeFeaturesParameters): Features {
  const { logBaseFee: lb, gasUsedRatio: gu, rule } = series
  const step = maxLogStep(rule)
  const E = rule.elasticity
  // checked reads written here, not through lib's shared at(): the loads stay specialised to Float64Array
  const logBaseFeeAt = (i: number) => lb[i] ?? outOfRange(lb, i)
  const gasUsedRatioAt = (i: number) => gu[i] ?? outOfRange(gu, i)
  if (end < 0 || end >= series.length || !Number.isFinite(logBaseFeeAt(end)))
    throw new RangeError(`computeFeatures: no known base fee at index ${end}`)
  // Usable history: the longest run of known base fees ending at `end`, capped at the lookback.
  let start = end
  while (start > 0 && end - start < featureLookback && Number.isFinite(logBaseFeeAt(start - 1))) start--
  const h = end - start
  const last = logBaseFeeAt(end)
  const z = (i: number) => (logBaseFeeAt(i + 1) - logBaseFeeAt(i)) / step // normalised step into block i+1
  const fullness = (i: number) => {
    const u = gasUsedRatioAt(i)
    return Number.isFinite(u)
      ? u / E
      : (1 + rule.denominator * Math.expm1(logBaseFeeAt(i + 1) - logBaseFeeAt(i))) / E
  }
  const v = new Float64Array(featureNames.length)
  let k = 0
  for (let j = 0; j < lagCount; j++) v[k++] = j < h ? z(end - 1 - j) : 0
  for (const s of momentumSpans) {
    const n = Math.min(s, h)
    v[k++] = n > 0 ? (last - logBaseFeeAt(end - n)) / (n * step) : 0
  }
  for (const s of volatilitySpans) {
    const n = Math.min(s, h)
    let sum = 0
    for (let i = end - n; i < end; i++) sum += z(i) ** 2
    v[k++] = n > 0 ? Math.sqrt(sum / n) : 0
  }
  for (const s of rangeSpans) {
    const n = Math.min(s, h)
    let lo = last
    let hi = last
    for (let i = end - n; i < end; i++) {
      lo = Math.min(lo, logBaseFeeAt(i))
      hi = Math.max(hi, logBaseFeeAt(i))
    }
    v[k++] = n > 0 ? (hi - lo) / (step * Math.sqrt(n)) : 0
  }
  for (const s of fullnessSpans) {
    const n = Math.min(s, h)
    let sum = 0
    for (let i = end - n; i < end; i++) sum += fullness(i)
    v[k++] = n > 0 ? sum / n : 1 / E
  }
  for (const s of fullShareSpans) {
    const n = Math.min(s, h)
    let c = 0
    for (let i = end - n; i < end; i++) if (fullness(i) >= fullAt) c++
    v[k++] = n > 0 ? c / n : 0
  }
  {
    const n = Math.min(32, h)
    let c = 0
    for (let i = end - n; i < end; i++) if (fullness(i) <= emptyAt) c++
    v[k++] = n > 0 ? c / n : 0
  }
  const streak = (test: (i: number) => boolean) => {
    let c = 0
    for (let i = end - 1; i >= start && c < 64 && test(i); i--) c++
    return Math.log1p(c) / Math.log(65)
  }
  v[k++] = streak((i) => fullness(i) >= fullAt)
  v[k++] = streak((i) => z(i) > 1e-3)
  v[k++] = streak((i) => z(i) < -1e-3)
  {
    const n = Math.min(64, h)
    let lo = last
    let hi = last
    for (let i = end - n; i < end; i++) {
      lo = Math.min(lo, logBaseFeeAt(i))
      hi = Math.max(hi, logBaseFeeAt(i))
    }
    const scale = step * Math.sqrt(Math.max(1, n))
    v[k++] = (last - hi) / scale
    v[k++] = (last - lo) / scale
  }
  {
    const n = Math.min(256, h)
    let sum = 0
    for (let i = end - n; i <= end; i++) sum += logBaseFeeAt(i)
    v[k++] = (last - sum / (n + 1)) / (step * Math.sqrt(Math.max(1, n)))
  }
  v[k++] = Math.min(h, featureLookback) / featureLookback
  v[k++] = Math.log1p(h) / Math.log1p(featureLookback)

  // Not model inputs: too few training files carry block times or tips to learn from, and a model fed
  // an input it never saw vary would be trusting noise. They are reported for the API and the tip model.
  let score = 0
  let scored = 0
  for (let i = end - 1; i >= start && scored < 16; i--, scored++) score += pressure(fullness(i) * E, E)
  score = scored > 0 ? score / scored : 0
  const latestU = end >= 1 ? gasUsedRatioAt(end - 1) : Number.NaN
  const times: number[] = []
  for (let i = end; i >= 1 && times.length < 16 && end - i < featureLookback; i--) {
    const t = series.blockTime[i] ?? outOfRange(series.blockTime, i)
    if (Number.isFinite(t)) times.push(t)
  }
  const tips: number[] = []
  for (let i = end; i >= 0 && tips.length < 16 && end - i < featureLookback; i--) {
    const t = series.tipThreshold[i] ?? outOfRange(series.tipThreshold, i)
    if (Number.isFinite(t)) tips.push(t)
  }
  const tipMedian = tips.length > 0 ? median(tips) : null
  const tipRecent = tips.length > 0 ? median(tips.slice(0, 4)) : null
  return {
    vector: v,
    historyBlocks: h,
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
