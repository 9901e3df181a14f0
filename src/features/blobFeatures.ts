import { gasPerBlob } from '../fees/blobGas.js'
import {
  blobFeatureLookback,
  blobFeatureNames,
  blobFloorHorizon,
  blobMomentumSpans,
  blobPressureLags,
  blobPressureSpans,
  blobStepLags,
  blobVolatilitySpans,
} from './blobFeatureNames.js'
import { type BlobSeries, blobRuleCode } from './blobSeries.js'

const blobGas = Number(gasPerBlob)

/**
 * Per-block inputs of the features, computed once per series (the backtest reads each block hundreds of
 * times): for block i, the usage relative to its child's fork (the child's target and max set what that
 * usage does to the fee: 1 full, 0 at target, -target / (max - target) empty), whether it was full or above
 * target, and the move of log(blob fee) into block i + 1 in that fork's largest-rise units (a fork's jump
 * clipped).
 */
type Derived = { pressure: Float64Array; step: Float64Array; full: Uint8Array; above: Uint8Array }

const derivedCache = new WeakMap<BlobSeries, Derived>()

function derived(series: BlobSeries): Derived {
  let d = derivedCache.get(series)
  if (d) return d
  const n = series.length
  d = {
    pressure: new Float64Array(n),
    step: new Float64Array(n),
    full: new Uint8Array(n),
    above: new Uint8Array(n),
  }
  for (let i = 0; i + 1 < n; i++) {
    const target = series.target[i + 1] ?? 0
    const max = series.max[i + 1] ?? 1
    const blobs = series.blobs[i] ?? 0
    d.pressure[i] = (blobs - target) / (max - target)
    d.full[i] = blobs >= max ? 1 : 0
    d.above[i] = blobs > target ? 1 : 0
    // In excess blob gas, which a fork carries over unchanged (the fee itself jumps when the update
    // fraction changes, e.g. 700-fold down at BPO1): the move usage and the rule made, not the fork's.
    const move =
      ((series.excessBlobGas[i + 1] ?? 0) - (series.excessBlobGas[i] ?? 0)) / ((max - target) * blobGas)
    d.step[i] = Math.min(1.5, Math.max(-4, move))
  }
  derivedCache.set(series, d)
  return d
}

const streakScale = Math.log(65)

/** What one backward pass over a decision's lookback counts (each span read where it ends). */
type BlobWindowTotals = {
  sumStep2: number
  sumPressure: number
  full8: number
  full32: number
  empty32: number
  above8: number
  above32: number
  floor64: number
  reserve8: number
  reserve64: number
  sumLog: number
  volatility: number[]
  pressures: number[]
  fromMax: number
  fromMin: number
  /** Blocks in a row before `end` (-1: the whole history). */
  streakAbove: number
  streakFull: number
  streakUp: number
  streakDown: number
}

/**
 * Writes the features of decision `end` (the pending block: its excess blob gas, and so its fee, is exact;
 * the blob gas of blocks before it is known) into `out` at `offset`. Reads only indices <= end, and blob
 * usage only before end. O(lookback): the backtest calls it for every block of a window.
 */
export function writeBlobFeatures(
  series: BlobSeries,
  end: number,
  out: { [i: number]: number },
  offset = 0,
): void {
  if (end < 0 || end >= series.length) throw new RangeError(`writeBlobFeatures: no block at index ${end}`)
  const h = Math.min(end, blobFeatureLookback)
  const d = derived(series)
  // Levels in excess blob gas over the pending block's fork's largest rise: log(blob fee) in that fork's
  // units, read for the whole window with the pending block's update fraction (so a fork inside the window
  // is no jump: the excess carries over).
  const unit = ((series.max[end] ?? 1) - (series.target[end] ?? 0)) * blobGas
  const level = (i: number) => (series.excessBlobGas[i] ?? 0) / unit
  let k = offset
  for (let j = 0; j < blobStepLags; j++) out[k++] = j < h ? (d.step[end - 1 - j] ?? 0) : 0
  for (let j = 0; j < blobPressureLags; j++) out[k++] = j < h ? (d.pressure[end - 1 - j] ?? 0) : 0
  for (const span of blobMomentumSpans) {
    const n = Math.min(span, h)
    out[k++] = n > 0 ? (level(end) - level(end - n)) / n : 0
  }
  const totals = backwardTotals(series, d, end, h, level)
  k = writeTotals(out, k, totals, h, level(end))
  k = writeRegime(out, k, series, end, h, totals, level(end))
  if (k - offset !== blobFeatureNames.length)
    throw new Error(`writeBlobFeatures wrote ${k - offset} features, the list has ${blobFeatureNames.length}`)
}

/** Totals before the pass: nothing counted, the streaks open, the level sum holding `end` itself. */
function emptyTotals(last: number): BlobWindowTotals {
  return {
    sumStep2: 0,
    sumPressure: 0,
    full8: 0,
    full32: 0,
    empty32: 0,
    above8: 0,
    above32: 0,
    floor64: 0,
    reserve8: 0,
    reserve64: 0,
    sumLog: last,
    volatility: [],
    pressures: [],
    fromMax: 0,
    fromMin: 0,
    streakAbove: -1,
    streakFull: -1,
    streakUp: -1,
    streakDown: -1,
  }
}

/** One backward pass over the lookback, reading each span's sums where it ends. */
function backwardTotals(
  series: BlobSeries,
  { step, pressure, full, above }: ReturnType<typeof derived>,
  end: number,
  h: number,
  level: (i: number) => number,
): BlobWindowTotals {
  const last = level(end)
  const t = emptyTotals(last)
  let lo = last
  let hi = last
  for (let j = 1; j <= h; j++) {
    const i = end - j
    const s = step[i] ?? 0
    const isFull = full[i] === 1
    const isAbove = above[i] === 1
    t.sumStep2 += s * s
    t.sumPressure += pressure[i] ?? 0
    if (j <= 32) {
      if (isFull) t.full32++
      if (isAbove) t.above32++
      if ((series.blobs[i] ?? 0) === 0) t.empty32++
      if (j <= 8) {
        if (isFull) t.full8++
        if (isAbove) t.above8++
      }
    }
    if (j <= 64) {
      if ((series.excessBlobGas[i] ?? 0) === 0) t.floor64++
      if (series.rule[i + 1] === blobRuleCode.reserve) {
        t.reserve64++
        if (j <= 8) t.reserve8++
      }
      const x = level(i)
      if (x < lo) lo = x
      if (x > hi) hi = x
    }
    t.sumLog += level(i)
    if (t.streakAbove < 0 && !isAbove) t.streakAbove = j - 1
    if (t.streakFull < 0 && !isFull) t.streakFull = j - 1
    if (t.streakUp < 0 && !(s > 1e-3)) t.streakUp = j - 1
    if (t.streakDown < 0 && !(s < -1e-3)) t.streakDown = j - 1
    if (j === blobVolatilitySpans[t.volatility.length]) t.volatility.push(Math.sqrt(t.sumStep2 / j))
    if (j === blobPressureSpans[t.pressures.length]) t.pressures.push(t.sumPressure / j)
    if (j === 64 || (j === h && h < 64)) {
      const scale = Math.sqrt(j)
      t.fromMax = (last - hi) / scale
      t.fromMin = (last - lo) / scale
    }
  }
  // Spans longer than the history read what there is (history_* say how much that was).
  for (let v = t.volatility.length; v < blobVolatilitySpans.length; v++)
    t.volatility.push(h > 0 ? Math.sqrt(t.sumStep2 / h) : 0)
  for (let v = t.pressures.length; v < blobPressureSpans.length; v++)
    t.pressures.push(h > 0 ? t.sumPressure / h : 0)
  return t
}

/** Volatility, pressure, full/empty/above shares, streaks and the distances from the range: from `k`. */
function writeTotals(
  out: { [i: number]: number },
  k: number,
  t: BlobWindowTotals,
  h: number,
  last: number,
): number {
  for (const v of t.volatility) out[k++] = v
  for (const v of t.pressures) out[k++] = v
  const n8 = Math.min(8, h)
  const n32 = Math.min(32, h)
  out[k++] = n8 > 0 ? t.full8 / n8 : 0
  out[k++] = n32 > 0 ? t.full32 / n32 : 0
  out[k++] = n32 > 0 ? t.empty32 / n32 : 0
  out[k++] = n8 > 0 ? t.above8 / n8 : 0
  out[k++] = n32 > 0 ? t.above32 / n32 : 0
  const streak = (c: number) => Math.log1p(Math.min(64, c < 0 ? h : c)) / streakScale
  out[k++] = streak(t.streakAbove)
  out[k++] = streak(t.streakFull)
  out[k++] = streak(t.streakUp)
  out[k++] = streak(t.streakDown)
  out[k++] = t.fromMax
  out[k++] = t.fromMin
  out[k++] = (last - t.sumLog / (h + 1)) / Math.sqrt(Math.max(1, h))
  return k
}

/** The floor, the reserve price of EIP-7918, the fork's target share and the history length: from `k`. */
function writeRegime(
  out: { [i: number]: number },
  k: number,
  series: BlobSeries,
  end: number,
  h: number,
  t: BlobWindowTotals,
  last: number,
): number {
  const n8 = Math.min(8, h)
  const n64 = Math.min(64, h)
  const atFloor = (series.excessBlobGas[end] ?? 0) === 0 ? 1 : 0
  out[k++] = Math.min(last, blobFloorHorizon) / blobFloorHorizon
  out[k++] = atFloor
  out[k++] = n64 > 0 ? t.floor64 / n64 : atFloor
  out[k++] = h > 0 && series.rule[end] === blobRuleCode.reserve ? 1 : 0
  out[k++] = n8 > 0 ? t.reserve8 / n8 : 0
  out[k++] = n64 > 0 ? t.reserve64 / n64 : 0
  out[k++] = (series.target[end] ?? 0) / (series.max[end] ?? 1)
  out[k++] = h / blobFeatureLookback
  out[k++] = Math.log1p(h) / Math.log1p(blobFeatureLookback)
  return k
}

/** The feature vector of one decision (live: once per block). */
export function computeBlobFeatures(series: BlobSeries, end: number): Float64Array {
  const out = new Float64Array(blobFeatureNames.length)
  writeBlobFeatures(series, end, out)
  return out
}

/**
 * Features of every decision in [from, to) as one row-major matrix (the backtest and training batch the
 * model over it). Row r is decision from + r; the same numbers as computeBlobFeatures, by construction.
 */
export function blobFeatureMatrix(series: BlobSeries, from = 0, to = series.length): Float32Array {
  const F = blobFeatureNames.length
  const out = new Float32Array(Math.max(0, to - from) * F)
  for (let end = from; end < to; end++) writeBlobFeatures(series, end, out, (end - from) * F)
  return out
}
