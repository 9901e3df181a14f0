import type { BlobFork } from '../chains/blobSchedule.js'
import { blobBaseFee } from '../fees/blobBaseFee.js'
import { gasPerBlob } from '../fees/blobGas.js'
import { nextExcessBlobGas } from '../fees/nextExcessBlobGas.js'
import type { BlockRecord } from '../types.js'

export type ReplayBlobHistoryParameters = {
  /** Backfilled records (eth_feeHistory: base fees, no blob fields), consecutive and ascending. */
  records: readonly BlockRecord[]
  /** The header of the oldest of them: its blob fields anchor the replay. */
  anchor: { excessBlobGas: bigint; blobGasUsed: bigint }
  /** eth_feeHistory's blob fields for the same blocks (baseFeePerBlobGas has one more, the next block's). */
  baseFeePerBlobGas: readonly bigint[]
  blobGasUsedRatio: readonly number[]
  /** The blob fork in force at each block (the caller reads it from headers' timestamps). */
  forkOf: (number: number) => BlobFork | undefined
}

export type ReplayBlobHistoryReturnType =
  | { ok: true; records: BlockRecord[] }
  | { ok: false; problem: string }

/**
 * The blob fields of backfilled history. eth_feeHistory gives no excess blob gas, but it follows exactly from
 * one header (the oldest block's) and each block's blob gas used (blobGasUsedRatio · max blobs of its fork)
 * and base fee (EIP-7918) through nextExcessBlobGas. Each replayed excess is checked against the blob base fee
 * the node gave for that block; any disagreement, or a ratio that is not a whole number of blobs, refuses the
 * whole replay (the records keep no blob fields rather than wrong ones). Pure.
 */
export function replayBlobHistory({
  records,
  anchor,
  baseFeePerBlobGas,
  blobGasUsedRatio,
  forkOf,
}: ReplayBlobHistoryParameters): ReplayBlobHistoryReturnType {
  const out: BlockRecord[] = []
  let excess = anchor.excessBlobGas
  let parent: BlockRecord | undefined
  for (const [i, record] of records.entries()) {
    const fork = forkOf(record.number)
    if (!fork) {
      out.push(record)
      parent = undefined
      continue
    }
    const ratio = blobGasUsedRatio[i]
    if (ratio === undefined)
      return { ok: false, problem: `no blob gas used ratio for block ${record.number}` }
    const blobs = ratio * fork.max
    if (Math.abs(blobs - Math.round(blobs)) > 1e-6)
      return {
        ok: false,
        problem: `block ${record.number}: blob gas used ratio ${ratio} is not a whole number of ${fork.max} blobs`,
      }
    const blobGasUsed = BigInt(Math.round(blobs)) * gasPerBlob
    if (i > 0) {
      if (parent?.excessBlobGas == null || parent.blobGasUsed == null)
        return { ok: false, problem: `block ${record.number} follows a block without blob fields` }
      excess = nextExcessBlobGas({
        parent: {
          excessBlobGas: parent.excessBlobGas,
          blobGasUsed: parent.blobGasUsed,
          baseFeePerGas: parent.baseFeePerGas,
        },
        parameters: fork,
      }).excessBlobGas
    } else if (blobGasUsed !== anchor.blobGasUsed)
      return {
        ok: false,
        problem: `block ${record.number}: the header says ${anchor.blobGasUsed} blob gas used, eth_feeHistory ${blobGasUsed}`,
      }
    const said = baseFeePerBlobGas[i]
    const fee = blobBaseFee({ excessBlobGas: excess, parameters: fork })
    if (said !== undefined && said !== fee)
      return {
        ok: false,
        problem: `block ${record.number}: eth_feeHistory says blob base fee ${said}; its replayed excess gives ${fee}`,
      }
    parent = { ...record, blobGasUsed, excessBlobGas: excess }
    out.push(parent)
  }
  return { ok: true, records: out }
}
