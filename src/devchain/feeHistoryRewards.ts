import { at } from '../lib/at.js'
export type RewardSample = {
  /** Effective priority fee per gas paid by the transaction. */
  tip: bigint
  /** Gas the transaction used (its receipt's gasUsed). */
  gasUsed: bigint
}

export type FeeHistoryRewardsParameters = {
  samples: readonly RewardSample[]
  /** The block header's gasUsed: geth measures percentiles against it, not the receipts' sum. */
  blockGasUsed: bigint
  /** Ascending, within [0, 100]. */
  percentiles: readonly number[]
}

/**
 * The `reward` row of eth_feeHistory for one block, exactly as geth computes it
 * (eth/gasprice/feehistory.go, processBlock): transactions sorted by effective tip (stable), and for
 * each percentile p the tip of the first transaction at which the running sum of gas used reaches
 * floor(blockGasUsed · p / 100), computed in float64 as geth does. A block without transactions gives
 * a row of zeros.
 */
export function feeHistoryRewards({
  samples,
  blockGasUsed,
  percentiles,
}: FeeHistoryRewardsParameters): bigint[] {
  if (samples.length === 0) return percentiles.map(() => 0n)
  // Array.prototype.sort is stable, like slices.SortStableFunc.
  const sorted = [...samples].sort((a, b) => (a.tip < b.tip ? -1 : a.tip > b.tip ? 1 : 0))
  const rewards: bigint[] = []
  let index = 0
  let sumGasUsed = at(sorted, 0).gasUsed
  const total = Number(blockGasUsed)
  for (const p of percentiles) {
    // uint64(float64(gasUsed) * p / 100): truncation toward zero.
    const threshold = BigInt(Math.trunc((total * p) / 100))
    while (sumGasUsed < threshold && index < sorted.length - 1) {
      index++
      sumGasUsed += at(sorted, index).gasUsed
    }
    rewards.push(at(sorted, index).tip)
  }
  return rewards
}
