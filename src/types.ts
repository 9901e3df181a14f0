import type { Hex } from 'viem'

/**
 * Effective priority fees (wei) of one block's transactions: `min(maxPriorityFeePerGas,
 * maxFeePerGas - baseFee)`, or `gasPrice - baseFee` for legacy transactions.
 * `threshold` is the inclusion threshold τ: the lowest tip that still got in once the block builder's
 * own transactions and sub-2-wei tips are dropped (geth's oracle does the same).
 */
export type TipSummary = {
  /** How many transactions the summary was computed from (after filtering). */
  count: number
  threshold: bigint
  min: bigint
  p10: bigint
  p25: bigint
  p50: bigint
  p75: bigint
  p90: bigint
  max: bigint
  /** Integer mean (floor) of the effective tips, to match the history file's `avg_priority_fee`. */
  avg: bigint
}

/** One block as feecast stores it. Fields a source cannot provide are null. */
export type BlockRecord = {
  number: number
  hash: Hex | null
  parentHash: Hex | null
  /** unix seconds */
  timestamp: number | null
  baseFeePerGas: bigint | null
  gasUsed: bigint | null
  gasLimit: bigint | null
  txCount: number | null
  blobGasUsed: bigint | null
  excessBlobGas: bigint | null
  tips: TipSummary | null
}

/** One row of a block history CSV file (DESIGN.md, "Block history files"). */
export type HistoryRow = {
  number: number
  timestamp: number | null
  baseFeePerGas: bigint | null
  gasUsed: bigint | null
  gasLimit: bigint | null
  txCount: number | null
  minPriorityFee: bigint | null
  avgPriorityFee: bigint | null
  maxPriorityFee: bigint | null
  /**
   * The optional blob columns: present (a value or null) when the file has them, absent otherwise, so rows of
   * files without blobs are what they always were.
   */
  blobGasUsed?: bigint | null
  excessBlobGas?: bigint | null
}
