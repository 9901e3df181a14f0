import { type BlobFork, type BlobSchedule, blobForkAt } from '../chains/blobSchedule.js'
import { blobBaseCost, gasPerBlob } from '../fees/blobGas.js'
import { nextExcessBlobGas } from '../fees/nextExcessBlobGas.js'
import type { DevBlobFields, DevBlock } from './devBlock.js'
import type { BlobDemand } from './simulateBlobDemand.js'

export type SimulatedBlobFieldsParameters = {
  schedule: BlobSchedule
  demand: BlobDemand
  /** The parent block (undefined: the chain's first block). */
  parent: DevBlock | undefined
  timestamp: number
  /** The block's own base fee: where EIP-7918 applies, the first blob block starts at the reserve price. */
  baseFeePerGas: bigint
}

/**
 * The excess of a chain's first blob block: 0 (EIP-4844's start), or under EIP-7918 the excess whose blob
 * base fee is the reserve price (blobBaseCost · baseFee / gasPerBlob), where a mainnet-like chain sits; from 0
 * it would climb for hundreds of blocks before demand mattered.
 */
function firstExcessBlobGas(fork: BlobFork, baseFeePerGas: bigint): bigint {
  if (!fork.reservePrice) return 0n
  const reserve = Number((blobBaseCost * baseFeePerGas) / gasPerBlob)
  return reserve > 1 ? BigInt(Math.floor(Number(fork.baseFeeUpdateFraction) * Math.log(reserve))) : 0n
}

/**
 * The blob header fields of a simulated block: null before the schedule's first fork (no blobs yet); else its
 * excess blob gas exactly as the rules of the fork in force at its timestamp give it from the parent (0 for
 * the first blob block), and the blob gas its demand brings.
 */
export function simulatedBlobFields({
  schedule,
  demand,
  parent,
  timestamp,
  baseFeePerGas,
}: SimulatedBlobFieldsParameters): DevBlobFields | null {
  const fork = blobForkAt(schedule, timestamp)
  if (!fork) return null
  const parentBlob = parent?.blob
  const excessBlobGas =
    parentBlob?.excessBlobGas == null || parentBlob.blobGasUsed == null || !parent
      ? firstExcessBlobGas(fork, baseFeePerGas)
      : nextExcessBlobGas({
          parent: {
            excessBlobGas: parentBlob.excessBlobGas,
            blobGasUsed: parentBlob.blobGasUsed,
            baseFeePerGas: parent.fee.baseFeePerGas,
          },
          parameters: fork,
        }).excessBlobGas
  return { blobGasUsed: BigInt(demand.nextBlobs(fork)) * gasPerBlob, excessBlobGas }
}
