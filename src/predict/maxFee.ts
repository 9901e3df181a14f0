import { type Eip1559Parameters, ethereumEip1559, nextBaseFee } from '../fees/nextBaseFee.js'
import { at, outOfRange } from '../lib/at.js'
import { normalQuantile } from '../model/normal.js'
import type { CalibratedThresholds } from './calibration.js'

/**
 * log(maxFee / next base fee) for any horizon and confidence, from the calibrated grid: interpolated
 * between grid confidences on the normal-score scale, extrapolated above the top one along the slope of
 * the top two stretches, held at the lowest one below it (a lower confidence never gets a higher fee);
 * a horizon between grid horizons takes the next longer one, beyond the grid it grows with √N. Monotone
 * in both arguments because the published grid is.
 */
export function thresholdFor(
  thresholds: CalibratedThresholds,
  withinBlocks: number,
  confidence: number,
): number {
  const { horizons, confidences, published, maxStep } = thresholds
  if (withinBlocks <= 1 || horizons.length === 0) return 0
  if (!(confidence > 0 && confidence < 100))
    throw new RangeError(`confidence must be in (0, 100), got ${confidence}`)
  let h = horizons.findIndex((n) => n >= withinBlocks)
  let scale = 1
  if (h < 0) {
    h = horizons.length - 1
    scale = Math.sqrt((withinBlocks - 1) / ((horizons[h] ?? outOfRange(horizons, h)) - 1))
  }
  const row = at(published, h)
  const scores = confidences.map((p) => normalQuantile(p / 100))
  const z = normalQuantile(confidence / 100)
  const n = scores.length
  let q: number
  const topScore = scores[n - 1] ?? outOfRange(scores, n - 1)
  if (z <= (scores[0] ?? outOfRange(scores, 0))) q = row[0] ?? outOfRange(row, 0)
  else if (z >= topScore) {
    const i0 = Math.max(0, n - 3)
    const top = row[n - 1] ?? outOfRange(row, n - 1)
    const slope =
      n > 1
        ? Math.max(
            0,
            (top - (row[i0] ?? outOfRange(row, i0))) / (topScore - (scores[i0] ?? outOfRange(scores, i0))),
          )
        : 0
    q = top + slope * (z - topScore)
  } else {
    let hi = 1
    while ((scores[hi] ?? outOfRange(scores, hi)) < z) hi++
    const loScore = scores[hi - 1] ?? outOfRange(scores, hi - 1)
    const lo = row[hi - 1] ?? outOfRange(row, hi - 1)
    const w = (z - loScore) / ((scores[hi] ?? outOfRange(scores, hi)) - loScore)
    q = lo + w * ((row[hi] ?? outOfRange(row, hi)) - lo)
  }
  return Math.min((withinBlocks - 1) * maxStep + (thresholds.capSlack ?? 0), q * scale)
}

/**
 * The base fee after `blocks` completely full blocks, exactly (EIP-1559 integer arithmetic): no base fee
 * in the next blocks can exceed it, so no maxFee ever needs to.
 */
export function worstCaseBaseFee(
  nextBaseFeePerGas: bigint,
  blocks: number,
  eip1559: Eip1559Parameters = ethereumEip1559,
): bigint {
  const gasLimit = 30_000_000n * eip1559.elasticityMultiplier
  let fee = nextBaseFeePerGas
  for (let i = 0; i < blocks; i++)
    fee = nextBaseFee({ baseFeePerGas: fee, gasUsed: gasLimit, gasLimit, eip1559 })
  return fee
}

export type MaxFeePerGasForParameters = {
  /** The pending block's base fee (exact). */
  nextBaseFeePerGas: bigint
  thresholds: CalibratedThresholds
  withinBlocks: number
  /** Percent. */
  confidence: number
  eip1559?: Eip1559Parameters
}

const scale = 1_000_000_000n

/**
 * maxFeePerGas (wei, before the tip) that stays at or above the base fee of each of the next
 * `withinBlocks` blocks with probability `confidence`: the exact next base fee times the calibrated
 * quantile of the running max, rounded up, never above the worst case. N = 1 is the next base fee itself.
 * Monotone (non-decreasing) in confidence and in withinBlocks.
 */
export function maxFeePerGasFor({
  nextBaseFeePerGas,
  thresholds,
  withinBlocks,
  confidence,
  eip1559 = ethereumEip1559,
}: MaxFeePerGasForParameters): bigint {
  if (!Number.isInteger(withinBlocks) || withinBlocks < 1)
    throw new RangeError(`withinBlocks must be an integer >= 1, got ${withinBlocks}`)
  if (withinBlocks === 1) return nextBaseFeePerGas
  const factor = BigInt(
    Math.ceil(Math.exp(thresholdFor(thresholds, withinBlocks, confidence)) * Number(scale)),
  )
  const fee = (nextBaseFeePerGas * factor + scale - 1n) / scale
  const cap = worstCaseBaseFee(nextBaseFeePerGas, withinBlocks - 1, eip1559)
  return fee < cap ? fee : cap
}
