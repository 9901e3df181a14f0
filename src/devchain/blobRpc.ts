import { type BlobFork, type BlobSchedule, blobForkAt, nextBlockBlobForks } from '../chains/blobSchedule.js'
import { blobBaseFee } from '../fees/blobBaseFee.js'
import { gasPerBlob } from '../fees/blobGas.js'
import { nextBlobBaseFee } from '../fees/nextBlobBaseFee.js'
import { mixSeed } from '../lib/random.js'
import type { DevBlock } from './devBlock.js'
import { quantity } from './hex.js'

/** A block's own blob base fee (its excess under the fork at its time), or null where it has no blob fields. */
export function blobBaseFeeOfBlock(block: DevBlock, schedule: BlobSchedule): bigint | null {
  const fork = block.timestamp === null ? undefined : blobForkAt(schedule, block.timestamp)
  if (!fork || block.blob?.excessBlobGas == null) return null
  return blobBaseFee({ excessBlobGas: block.blob.excessBlobGas, parameters: fork })
}

/**
 * eth_blobBaseFee: the blob base fee of the block after `head` (as geth answers it: the pending block's), from
 * the head's header and the fork in force one slot later; null on a chain without blobs there.
 */
export function nextBlobBaseFeeOf(
  head: DevBlock,
  schedule: BlobSchedule,
  slotSeconds: number,
): bigint | null {
  if (head.timestamp === null || head.blob?.excessBlobGas == null || head.blob.blobGasUsed == null)
    return null
  const next = nextBlobBaseFee({
    parent: {
      excessBlobGas: head.blob.excessBlobGas,
      blobGasUsed: head.blob.blobGasUsed,
      baseFeePerGas: head.fee.baseFeePerGas,
    },
    candidates: nextBlockBlobForks(schedule, head.timestamp, slotSeconds, 1),
  })
  return next?.blobBaseFeePerGas ?? null
}

/** eth_feeHistory's blob fields for `blocks` (ascending) and the block after the newest (`nextFee`). */
export function feeHistoryBlobFields(
  blocks: readonly DevBlock[],
  schedule: BlobSchedule,
  nextFee: bigint | null,
): { baseFeePerBlobGas: string[]; blobGasUsedRatio: number[] } {
  const ratio = (b: DevBlock) => {
    const fork = b.timestamp === null ? undefined : blobForkAt(schedule, b.timestamp)
    const used = b.blob?.blobGasUsed
    return fork && used != null ? Number(used) / Number(BigInt(fork.max) * gasPerBlob) : 0
  }
  return {
    baseFeePerBlobGas: [
      ...blocks.map((b) => quantity(blobBaseFeeOfBlock(b, schedule) ?? 0n)),
      quantity(nextFee ?? 0n),
    ],
    blobGasUsedRatio: blocks.map(ratio),
  }
}

/** EIP-7951's P256VERIFY, which came with Osaka and so with EIP-7918's reserve price. */
const p256Verify = { P256VERIFY: '0x0000000000000000000000000000000000000100' }

function forkConfig(fork: BlobFork, chainId: number): Record<string, unknown> {
  return {
    activationTime: fork.activationTime,
    blobSchedule: {
      baseFeeUpdateFraction: Number(fork.baseFeeUpdateFraction),
      max: fork.max,
      target: fork.target,
    },
    chainId: quantity(chainId),
    forkId: `0x${mixSeed(chainId, fork.activationTime).toString(16).padStart(8, '0')}`,
    precompiles: fork.reservePrice ? p256Verify : {},
    systemContracts: {},
  }
}

/**
 * eth_config (EIP-7910) of a chain with these blob forks at `nowSeconds`: the fork in force, the next one and
 * the last one scheduled (null where none). The reverse of blobScheduleFromEthConfig. A chain without blobs
 * yet answers its current config without a blob schedule.
 */
export function ethConfigOf(
  schedule: BlobSchedule,
  chainId: number,
  nowSeconds: number,
): Record<string, unknown> {
  const current = blobForkAt(schedule, nowSeconds)
  const future = schedule.filter((f) => f.activationTime > nowSeconds)
  const next = future[0]
  const last = future.at(-1)
  return {
    current: current
      ? forkConfig(current, chainId)
      : {
          activationTime: 0,
          blobSchedule: null,
          chainId: quantity(chainId),
          forkId: '0x00000000',
          precompiles: {},
          systemContracts: {},
        },
    next: next ? forkConfig(next, chainId) : null,
    last: last ? forkConfig(last, chainId) : null,
  }
}
