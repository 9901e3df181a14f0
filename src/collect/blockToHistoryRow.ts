import type { Block } from 'viem'
import { effectiveTip } from '../fees/effectiveTip.js'
import { summarizeTips } from '../fees/summarizeTips.js'
import type { HistoryRow } from '../types.js'

/** The fields of a full block (transactions included) that a history row is made of. */
export type CollectableBlock = Pick<
  Block<bigint, true>,
  'number' | 'timestamp' | 'baseFeePerGas' | 'gasUsed' | 'gasLimit' | 'transactions'
> &
  /** A blob chain's blocks (EIP-4844) carry these; a node before its blob fork leaves them out. */
  Partial<Pick<Block<bigint, true>, 'blobGasUsed' | 'excessBlobGas'>>

/**
 * One history-file row from a full block: what the node says, and the min / floor-mean / max of
 * every transaction's effective tip (empty for a block without transactions), and the blob columns when
 * the block has blob fields. A field the node leaves out stays empty rather than being guessed.
 */
export function blockToHistoryRow(block: CollectableBlock): HistoryRow {
  if (block.number === null) throw new Error('a pending block has no number and no place in a history file')
  const baseFeePerGas = block.baseFeePerGas ?? null
  const tips = summarizeTips({
    tips: block.transactions.map((tx) => ({
      tip: effectiveTip({
        baseFeePerGas: baseFeePerGas ?? 0n,
        maxFeePerGas: tx.maxFeePerGas,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas,
        gasPrice: tx.gasPrice,
      }),
    })),
  })
  return {
    number: Number(block.number),
    timestamp: block.timestamp === undefined || block.timestamp === null ? null : Number(block.timestamp),
    baseFeePerGas,
    gasUsed: block.gasUsed ?? null,
    gasLimit: block.gasLimit ?? null,
    txCount: block.transactions.length,
    minPriorityFee: tips?.min ?? null,
    avgPriorityFee: tips?.avg ?? null,
    maxPriorityFee: tips?.max ?? null,
    ...blobFieldsOf(block),
  }
}

/** The blob columns of a block that has blob fields; none (not empty ones) for a block without. */
function blobFieldsOf(block: CollectableBlock): Pick<HistoryRow, 'blobGasUsed' | 'excessBlobGas'> {
  const { blobGasUsed, excessBlobGas } = block
  if (blobGasUsed === undefined && excessBlobGas === undefined) return {}
  return { blobGasUsed: blobGasUsed ?? null, excessBlobGas: excessBlobGas ?? null }
}
