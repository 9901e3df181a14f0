import type { BlockRecord } from '../types.js'

/** What eth_feeHistory gives (viem's FeeHistory has it). */
export type SampledFeeHistory = {
  oldestBlock: bigint
  /** one more entry than blocks: the base fee of the block after the newest */
  baseFeePerGas: readonly bigint[]
  gasUsedRatio: readonly number[]
}

/**
 * Records of backfilled history: eth_feeHistory gives 1024 blocks a call but only their base fees and gas-used
 * ratios. The rest is null: no hash (the record cannot anchor reorg detection), and no gas used, since the
 * ratio is of an unknown gas limit (features recover it from consecutive base fees, see DESIGN.md). Reward
 * percentiles are not used: they are gas-weighted and would not mean what TipSummary means.
 */
export function feeHistoryToRecords(history: SampledFeeHistory): BlockRecord[] {
  const oldest = Number(history.oldestBlock)
  return history.gasUsedRatio.map((_, i) => ({
    number: oldest + i,
    hash: null,
    parentHash: null,
    timestamp: null,
    baseFeePerGas: history.baseFeePerGas[i] ?? null,
    gasUsed: null,
    gasLimit: null,
    txCount: null,
    blobGasUsed: null,
    excessBlobGas: null,
    tips: null,
  }))
}
