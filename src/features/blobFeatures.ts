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

/**
 * Writes the features of decision `end` (the pending block: its excess blob gas, and so its fee, is exact;
 * the blob gas of blocks before it is known) into `out` at `offset`. Reads only indices <= end, and blob
 * usage only before end. O(lookback), no allocation: the backtest calls it for every block of a window.
 */
export function writeBlobFeatures(
  series: BlobSeries,
  end: number,
  out: { [i: number]: number },
  offset = 0,
): void {
  if (end < 0 || end >= series.length) throw new RangeError(`writeBlobFeatures: no block at index ${end}`)
  const h = Math.min(end, blobFeatureLookback)
  const { pressure, step, full, above } = derived(series)
  // Levels in excess blob gas over the pending block's fork's largest rise: log(blob fee) in that fork's
  // units, read for the whole window with the pending block's update fraction (so a fork inside the window
  // is no jump: the excess carries over).
  const unit = ((series.max[end] ?? 1) - (series.target[end] ?? 0)) * blobGas
  const level = (i: number) => (series.excessBlobGas[i] ?? 0) / unit
  const last = level(end)
  let k = offset
  for (let j = 0; j < blobStepLags; j++) out[k++] = j < h ? (step[end - 1 - j] ?? 0) : 0
  for (let j = 0; j < blobPressureLags; j++) out[k++] = j < h ? (pressure[end - 1 - j] ?? 0) : 0
  for (const span of blobMomentumSpans) {
    const n = Math.min(span, h)
    out[k++] = n > 0 ? (last - level(end - n)) / n : 0
  }
  // One backward pass over the lookback, reading each span's sums where it ends.
  let sumStep2 = 0
  let sumPressure = 0
  let full8 = 0
  let full32 = 0
  let empty32 = 0
  let above8 = 0
  let above32 = 0
  let floor64 = 0
  let reserve8 = 0
  let reserve64 = 0
  let sumLog = last
  let lo = last
  let hi = last
  const volatility: number[] = []
  const pressures: number[] = []
  let fromMax = 0
  let fromMin = 0
  let streakAbove = -1
  let streakFull = -1
  let streakUp = -1
  let streakDown = -1
  for (let j = 1; j <= h; j++) {
    const i = end - j
    const s = step[i] ?? 0
    const p = pressure[i] ?? 0
    const blobs = series.blobs[i] ?? 0
    const isFull = full[i] === 1
    const isAbove = above[i] === 1
    sumStep2 += s * s
    sumPressure += p
    if (j <= 32) {
      if (isFull) full32++
      if (isAbove) above32++
      if (blobs === 0) empty32++
      if (j <= 8) {
        if (isFull) full8++
        if (isAbove) above8++
      }
    }
    if (j <= 64) {
      if ((series.excessBlobGas[i] ?? 0) === 0) floor64++
      if (series.rule[i + 1] === blobRuleCode.reserve) {
        reserve64++
        if (j <= 8) reserve8++
      }
      const x = level(i)
      if (x < lo) lo = x
      if (x > hi) hi = x
    }
    sumLog += level(i)
    if (streakAbove < 0 && !isAbove) streakAbove = j - 1
    if (streakFull < 0 && !isFull) streakFull = j - 1
    if (streakUp < 0 && !(s > 1e-3)) streakUp = j - 1
    if (streakDown < 0 && !(s < -1e-3)) streakDown = j - 1
    if (j === blobVolatilitySpans[volatility.length]) volatility.push(Math.sqrt(sumStep2 / j))
    if (j === blobPressureSpans[pressures.length]) pressures.push(sumPressure / j)
    if (j === 64 || (j === h && h < 64)) {
      const scale = Math.sqrt(j)
      fromMax = (last - hi) / scale
      fromMin = (last - lo) / scale
    }
  }
  // Spans longer than the history read what there is (history_* say how much that was).
  for (let v = volatility.length; v < blobVolatilitySpans.length; v++)
    volatility.push(h > 0 ? Math.sqrt(sumStep2 / h) : 0)
  for (let v = pressures.length; v < blobPressureSpans.length; v++)
    pressures.push(h > 0 ? sumPressure / h : 0)
  for (const v of volatility) out[k++] = v
  for (const v of pressures) out[k++] = v
  const n8 = Math.min(8, h)
  const n32 = Math.min(32, h)
  const n64 = Math.min(64, h)
  out[k++] = n8 > 0 ? full8 / n8 : 0
  out[k++] = n32 > 0 ? full32 / n32 : 0
  out[k++] = n32 > 0 ? empty32 / n32 : 0
  out[k++] = n8 > 0 ? above8 / n8 : 0
  out[k++] = n32 > 0 ? above32 / n32 : 0
  const streak = (c: number) => Math.log1p(Math.min(64, c < 0 ? h : c)) / streakScale
  out[k++] = streak(streakAbove)
  out[k++] = streak(streakFull)
  out[k++] = streak(streakUp)
  out[k++] = streak(streakDown)
  out[k++] = fromMax
  out[k++] = fromMin
  out[k++] = (last - sumLog / (h + 1)) / Math.sqrt(Math.max(1, h))
  const atFloor = (series.excessBlobGas[end] ?? 0) === 0 ? 1 : 0
  out[k++] = Math.min(last, blobFloorHorizon) / blobFloorHorizon
  out[k++] = atFloor
  out[k++] = n64 > 0 ? floor64 / n64 : atFloor
  out[k++] = h > 0 && series.rule[end] === blobRuleCode.reserve ? 1 : 0
  out[k++] = n8 > 0 ? reserve8 / n8 : 0
  out[k++] = n64 > 0 ? reserve64 / n64 : 0
  out[k++] = (series.target[end] ?? 0) / (series.max[end] ?? 1)
  out[k++] = h / blobFeatureLookback
  out[k++] = Math.log1p(h) / Math.log1p(blobFeatureLookback)
  if (k - offset !== blobFeatureNames.length)
    throw new Error(`writeBlobFeatures wrote ${k - offset} features, the list has ${blobFeatureNames.length}`)
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
