import type { Estimate } from '@feecast/client'
import { pickEstimate } from './pickEstimate.js'

/**
 * Three ordered tiers for wallets that show "low / medium / high" (MetaMask, the Polygon gas station's
 * safeLow / standard / fast). Pure: no I/O, no clock.
 *
 * Each tier is one of feecast's promises (confidence p within N blocks). A wallet reads tiers as a
 * ladder: a higher tier must cost more and wait less. feecast's own estimates do not form one by
 * themselves: a longer horizon needs a lower tip but a higher cap (the cap covers the base fee of
 * every block of the wait), so "low" (10 blocks) would cap above "high" (next block). So:
 *
 * - every tier's cap covers the base fee over the longest tier's wait, at the tier's own confidence:
 *   cap = baseFeeBound(p_tier, N_longest) + tip (and never less than its own estimate's bound, nor the
 *   tier below's). A tier that is late keeps a valid cap, and a higher tier never caps below a lower one;
 * - tips rise strictly from tier to tier: where a tier's own tip is not above the one below it (quiet
 *   blocks: any tip gets in), it is raised to `tipStep` above it, which keeps its promise (a higher tip
 *   is only more likely to be included). Only a chain that ignores tips (every tip zero) keeps equal
 *   tiers: nothing can be bought there.
 */

export type TierName = 'low' | 'medium' | 'high'

/** The promise behind each tier. */
export const walletTierPromises: Record<TierName, { confidence: number; withinBlocks: number }> = {
  low: { confidence: 90, withinBlocks: 10 },
  medium: { confidence: 90, withinBlocks: 3 },
  high: { confidence: 99, withinBlocks: 1 },
}

const tierOrder: readonly TierName[] = ['low', 'medium', 'high']

export type WalletTier = {
  name: TierName
  confidence: number
  withinBlocks: number
  maxPriorityFeePerGas: bigint
  maxFeePerGas: bigint
}

export type WalletTiers = Record<TierName, WalletTier>

export type WalletTiersParameters = {
  estimates: readonly Estimate[]
  /** The next block's base fee (wei): no cap goes below it plus the tip. */
  pendingBaseFeePerGas: bigint
  /** Sequencer chains order first-come first-served: tips buy nothing, and stay as they are. */
  ignoresTips?: boolean | undefined
}

/** How far above the tier below a raised tip goes: 5 %, at least 1 wei. */
export function tipStep(lowerTip: bigint): bigint {
  const step = lowerTip / 20n
  return step > 0n ? step : 1n
}

/** The three tiers, ordered; null when the prediction lacks an estimate one of them needs. */
export function walletTiers({
  estimates,
  pendingBaseFeePerGas,
  ignoresTips = false,
}: WalletTiersParameters): WalletTiers | null {
  const longest = Math.max(...tierOrder.map((name) => walletTierPromises[name].withinBlocks))
  const tiers: Partial<WalletTiers> = {}
  let below: WalletTier | undefined
  for (const name of tierOrder) {
    const { confidence, withinBlocks } = walletTierPromises[name]
    const own = pickEstimate(estimates, confidence, withinBlocks)
    const covering = pickEstimate(estimates, confidence, longest)
    if (own === null || covering === null) return null
    let tip = BigInt(own.maxPriorityFeePerGas)
    if (below !== undefined && !ignoresTips && tip <= below.maxPriorityFeePerGas)
      tip = below.maxPriorityFeePerGas + tipStep(below.maxPriorityFeePerGas)
    // The longest wait's bound, and never under the tier's own (calibration runs per horizon, so
    // bounds of different horizons need not be ordered).
    const baseFeeBound = maxBigint(
      BigInt(covering.maxFeePerGas) - BigInt(covering.maxPriorityFeePerGas),
      BigInt(own.maxFeePerGas) - BigInt(own.maxPriorityFeePerGas),
      pendingBaseFeePerGas,
      below === undefined ? 0n : below.maxFeePerGas - below.maxPriorityFeePerGas,
    )
    below = { name, confidence, withinBlocks, maxPriorityFeePerGas: tip, maxFeePerGas: baseFeeBound + tip }
    tiers[name] = below
  }
  return tiers as WalletTiers
}

const maxBigint = (...values: bigint[]) => values.reduce((a, b) => (b > a ? b : a))
