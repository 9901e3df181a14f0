import type { Address, Hex } from 'viem'
import { effectiveTip } from '../fees/effectiveTip.js'
import { summarizeTips, type TipSample } from '../fees/summarizeTips.js'
import type { BlockRecord } from '../types.js'

/** The transaction fields a record needs (a viem Transaction has them). */
export type SampledTransaction = {
  from: Address
  /** '0x0' legacy ... '0x4' EIP-7702; absent on old nodes (legacy) */
  typeHex?: Hex | null | undefined
  gasPrice?: bigint | null | undefined
  maxFeePerGas?: bigint | null | undefined
  maxPriorityFeePerGas?: bigint | null | undefined
}

/** The block fields a record needs (a viem Block with full transactions has them). */
export type SampledBlock = {
  number: bigint | null
  hash: Hex | null
  parentHash: Hex
  timestamp: bigint
  baseFeePerGas: bigint | null
  gasUsed: bigint
  gasLimit: bigint
  miner: Address
  blobGasUsed?: bigint | null | undefined
  excessBlobGas?: bigint | null | undefined
  /** OP-stack chains carry their base-fee parameters here. */
  extraData?: Hex | undefined
  transactions: readonly (Hex | SampledTransaction)[]
}

const standardTypes = new Set(['0x0', '0x1', '0x2', '0x3', '0x4'])

/**
 * The stored record of a block fetched with its transactions. Tips are the effective priority fees of its
 * standard transactions (system transactions such as OP deposits pay no fee and would drag every percentile to
 * zero), summarized with the block's miner so its own transactions do not set the threshold τ.
 */
export function blockToRecord(block: SampledBlock): BlockRecord {
  if (block.number === null) throw new RangeError('a pending block has no number and is not recorded')
  const baseFeePerGas = block.baseFeePerGas ?? 0n
  const tips: TipSample[] = []
  for (const tx of block.transactions) {
    if (typeof tx === 'string')
      throw new RangeError(`block ${block.number} was fetched without its transactions`)
    if (tx.typeHex != null && !standardTypes.has(tx.typeHex.toLowerCase())) continue
    tips.push({
      tip: effectiveTip({
        baseFeePerGas,
        maxFeePerGas: tx.maxFeePerGas,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
        gasPrice: tx.gasPrice,
      }),
      from: tx.from,
    })
  }
  return {
    number: Number(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: Number(block.timestamp),
    baseFeePerGas: block.baseFeePerGas,
    gasUsed: block.gasUsed,
    gasLimit: block.gasLimit,
    txCount: block.transactions.length,
    blobGasUsed: block.blobGasUsed ?? null,
    excessBlobGas: block.excessBlobGas ?? null,
    tips: summarizeTips({ tips, miner: block.miner }),
  }
}

/**
 * The record of a block fetched without its transactions (its full form was over the response size
 * cap): everything but the tips, which stay unknown rather than guessed.
 */
export function blockHeaderToRecord(block: SampledBlock): BlockRecord {
  if (block.number === null) throw new RangeError('a pending block has no number and is not recorded')
  return {
    number: Number(block.number),
    hash: block.hash,
    parentHash: block.parentHash,
    timestamp: Number(block.timestamp),
    baseFeePerGas: block.baseFeePerGas,
    gasUsed: block.gasUsed,
    gasLimit: block.gasLimit,
    txCount: block.transactions.length,
    blobGasUsed: block.blobGasUsed ?? null,
    excessBlobGas: block.excessBlobGas ?? null,
    tips: null,
  }
}
