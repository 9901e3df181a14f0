import { outOfRange } from '../lib/at.js'

/** Standard normal CDF (Abramowitz-Stegun 7.1.26 via erf; absolute error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.3275911 * x)
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-x * x)
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf)
}

// Acklam's coefficients (central region and tails), as tuples: read by position, never out of range
const centralNumerator = [
  -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
  2.506628277459239,
] as const
const centralDenominator = [
  -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
] as const
const tailNumerator = [
  -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
  2.938163982698783,
] as const
const tailDenominator = [
  0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416,
] as const

/** Standard normal quantile (Acklam's rational approximation; relative error < 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return Number.NEGATIVE_INFINITY
    if (p === 1) return Number.POSITIVE_INFINITY
    throw new RangeError(`normalQuantile: p must be in [0, 1], got ${p}`)
  }
  // short local names keep the polynomials readable as Acklam wrote them
  const a = centralNumerator
  const b = centralDenominator
  const c = tailNumerator
  const d = tailDenominator
  const low = 0.02425
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p))
    return (
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    )
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p))
    return (
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    )
  }
  const q = p - 0.5
  const r = q * q
  return (
    ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
  )
}

/**
 * Reads a quantile curve, given at ascending `levels`, at any level: linear in the normal score
 * between grid points, and beyond the ends linear in the normal score along the slope of the outer
 * stretch (a Gaussian-like tail; the online calibration corrects what that gets wrong). Monotone in
 * `level` whenever `values` is.
 */
export function interpolateQuantile(
  levels: readonly number[],
  values: ArrayLike<number>,
  level: number,
): number {
  return interpolateAtScore(
    levels.map(normalQuantile),
    values,
    normalQuantile(Math.min(1 - 1e-12, Math.max(1e-12, level))),
  )
}

/** interpolateQuantile with the levels and the target given as normal scores (hot path: no quantile maths). */
export function interpolateAtScore(scores: readonly number[], values: ArrayLike<number>, z: number): number {
  const n = scores.length
  if (n === 1) return values[0] ?? outOfRange(values, 0)
  const firstScore = scores[0] ?? outOfRange(scores, 0)
  if (z <= firstScore) {
    const j = Math.min(2, n - 1)
    const first = values[0] ?? outOfRange(values, 0)
    const slope =
      ((values[j] ?? outOfRange(values, j)) - first) / ((scores[j] ?? outOfRange(scores, j)) - firstScore)
    return first + slope * (z - firstScore)
  }
  const lastScore = scores[n - 1] ?? outOfRange(scores, n - 1)
  if (z >= lastScore) {
    // two grid stretches for the slope: the outermost level alone is the noisiest
    const i0 = Math.max(0, n - 3)
    const lastValue = values[n - 1] ?? outOfRange(values, n - 1)
    const slope =
      (lastValue - (values[i0] ?? outOfRange(values, i0))) /
      (lastScore - (scores[i0] ?? outOfRange(scores, i0)))
    return lastValue + slope * (z - lastScore)
  }
  let hi = 1
  while ((scores[hi] ?? outOfRange(scores, hi)) < z) hi++
  const lo = hi - 1
  const loScore = scores[lo] ?? outOfRange(scores, lo)
  const loValue = values[lo] ?? outOfRange(values, lo)
  const w = (z - loScore) / ((scores[hi] ?? outOfRange(scores, hi)) - loScore)
  return loValue + w * ((values[hi] ?? outOfRange(values, hi)) - loValue)
}
