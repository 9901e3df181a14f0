import type { Address, Hex } from 'viem'

/** One transaction as the devchain serves it. */
export type DevTransaction = {
  hash: Hex
  from: Address
  to: Address
  nonce: number
  type: 'legacy' | 'eip1559'
  gas: bigint
  /** What the receipt would say: weights eth_feeHistory's percentiles. */
  gasUsed: bigint
  /** Legacy: the gas price. */
  gasPrice: bigint | null
  maxFeePerGas: bigint | null
  maxPriorityFeePerGas: bigint | null
  /** Effective priority fee per gas, against the block's served base fee (0 where it has none). */
  tip: bigint
}

/**
 * A block of the devchain, simulated or replayed. Header fields are what the block serves: null
 * means the field is left out of the JSON (a replayed row whose cell is empty), so a reader gets
 * "unknown" back, as the history file said. `fee` holds complete values for the arithmetic.
 */
export type DevBlock = {
  number: number
  hash: Hex
  parentHash: Hex
  miner: Address
  timestamp: number | null
  baseFeePerGas: bigint | null
  gasUsed: bigint | null
  gasLimit: bigint | null
  transactionCount: number
  /** Built on demand: replayed files would not fit in memory as objects. */
  transactions(): DevTransaction[]
  /** Just the effective tips and gas used, in transaction order: cheap, for eth_feeHistory. */
  rewardSamples(): { tip: bigint; gasUsed: bigint }[]
  /** Complete values (synthesized where the served ones are null), for feeHistory and the next base fee. */
  fee: { baseFeePerGas: bigint; gasUsed: bigint; gasLimit: bigint }
  /**
   * The blob header fields (EIP-4844), absent on a chain without blobs (and on replayed files without the blob
   * columns); a null field is an empty cell of a replayed file, left out of the JSON like the others.
   */
  blob?: DevBlobFields | null | undefined
}

export type DevBlobFields = { blobGasUsed: bigint | null; excessBlobGas: bigint | null }
