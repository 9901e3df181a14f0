import { outOfRange } from '../lib/at.js'
import type { ModelLayout } from './layout.js'

/** Quantiles by horizon (outer, as `layout.horizons`) and level (inner, ascending levels). */
export type QuantileGrid = Float64Array[]

export type HeadQuantilesReturnType = { runMax: QuantileGrid; marginal: QuantileGrid }

/** Numerically safe softplus, log(1 + e^x). */
export function softplus(x: number): number {
  return x > 30 ? x : Math.log1p(Math.exp(x))
}

/** Inverse of softplus, for initialising biases from target quantiles. */
export function inverseSoftplus(y: number): number {
  return y > 30 ? y : Math.log(Math.expm1(y))
}

/**
 * The network's raw outputs → quantiles that cannot cross, by construction.
 *
 * runMax: q[h][l] = Σ_{h'≤h} Σ_{l'≤l} softplus(raw[h'][l']). Every term is positive, so quantiles
 * rise with the level and with the horizon (a running max can only grow), and all are >= 0 (the max of
 * the next N base fees is at least the next one, which is exact).
 * marginal: q[h][0] = raw[h][0], q[h][l] = q[h][l-1] + softplus(raw[h][l]).
 *
 * The trainer applies the same transform in TF.js (train.ts); this is the inference copy.
 */
export function headQuantiles(raw: ArrayLike<number>, layout: ModelLayout): HeadQuantilesReturnType {
  const H = layout.horizons.length
  const L = layout.runMaxLevels.length
  const M = layout.marginalLevels.length
  const runMax: QuantileGrid = []
  let previous = new Float64Array(L)
  for (let h = 0; h < H; h++) {
    const row = new Float64Array(L)
    let cumulative = 0
    for (let l = 0; l < L; l++) {
      cumulative += softplus(raw[h * L + l] ?? outOfRange(raw, h * L + l))
      row[l] = (previous[l] ?? outOfRange(previous, l)) + cumulative
    }
    runMax.push(row)
    previous = row
  }
  const marginal: QuantileGrid = []
  const offset = H * L
  for (let h = 0; h < H; h++) {
    const row = new Float64Array(M)
    let value = raw[offset + h * M] ?? outOfRange(raw, offset + h * M)
    row[0] = value
    for (let l = 1; l < M; l++) {
      value += softplus(raw[offset + h * M + l] ?? outOfRange(raw, offset + h * M + l))
      row[l] = value
    }
    marginal.push(row)
  }
  return { runMax, marginal }
}
