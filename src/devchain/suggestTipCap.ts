import type { Address } from 'viem'
import { at } from '../lib/at.js'

export type TipCapBlock = {
  miner: Address
  /** Effective tips and senders of the block's transactions. */
  transactions: readonly { tip: bigint; from: Address }[]
}

export type SuggestTipCapParameters = {
  /** The most recent blocks, newest first (geth samples 20). */
  blocks: readonly TipCapBlock[]
  /** Lowest tips taken from each block (geth: 3). */
  samplesPerBlock?: number
  /** Percentile of the collected tips (geth: 60). */
  percentile?: number
  /** Tips below this are ignored (geth: 2 wei). */
  ignoreBelow?: bigint
  /** Ceiling of the answer (geth: 500 gwei). */
  maxPrice?: bigint
  /** Used for blocks that give no sample (empty, or only the builder's own transactions). */
  lastPrice?: bigint
}

/**
 * eth_maxPriorityFeePerGas as geth's gas price oracle answers it (eth/gasprice/gasprice.go):
 * from each recent block the lowest few effective tips, skipping the builder's own transactions and
 * tips under 2 wei; a block with none contributes the last price; the answer is the 60th percentile
 * of all of them, capped.
 */
export function suggestTipCap({
  blocks,
  samplesPerBlock = 3,
  percentile = 60,
  ignoreBelow = 2n,
  maxPrice = 500_000_000_000n,
  lastPrice = 1_000_000_000n,
}: SuggestTipCapParameters): bigint {
  const values: bigint[] = []
  for (const block of blocks) {
    const miner = block.miner.toLowerCase()
    const tips = block.transactions
      .filter((t) => t.tip >= ignoreBelow && t.from.toLowerCase() !== miner)
      .map((t) => t.tip)
      .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, samplesPerBlock)
    values.push(...(tips.length > 0 ? tips : [lastPrice]))
  }
  if (values.length === 0) return lastPrice
  values.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const price = at(values, Math.floor(((values.length - 1) * percentile) / 100))
  return price > maxPrice ? maxPrice : price
}
