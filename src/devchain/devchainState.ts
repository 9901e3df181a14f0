import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Address, Hex } from 'viem'
import { writeFileAtomic } from '../lib/writeFileAtomic.js'
import type { DevBlock } from './devBlock.js'

/**
 * What a devchain keeps in its state directory so that a restart continues the same chain (same
 * numbers, same hashes, the base fee carrying on) instead of starting over at block 0 under a sampler
 * whose store remembers thousands of blocks.
 */
export type DevchainState = {
  version: 1
  chainId: number
  seed: number
  mode: 'simulate' | 'replay'
  /** Replay: the file, so that another file does not resume at this one's row. */
  replay?: { source: string; firstNumber: number; rows: number }
  head: {
    number: number
    hash: Hex
    parentHash: Hex
    miner: Address
    timestamp: number | null
    baseFeePerGas: string | null
    gasUsed: string | null
    gasLimit: string | null
    /** Complete values for the arithmetic. */
    fee: { baseFeePerGas: string; gasUsed: string; gasLimit: string }
    /** The blob header fields (absent in states saved before blobs, or on a chain without them). */
    blob?: { blobGasUsed: string | null; excessBlobGas: string | null } | null
  }
}

const fileName = 'devchain.json'

export async function readDevchainState(dir: string): Promise<DevchainState | undefined> {
  try {
    const state = JSON.parse(await readFile(join(dir, fileName), 'utf8')) as DevchainState
    return state.version === 1 && typeof state.head?.number === 'number' ? state : undefined
  } catch {
    // No state yet, or an unreadable one: a new chain (the file is rewritten at the first block).
    return undefined
  }
}

export async function writeDevchainState(dir: string, state: DevchainState): Promise<void> {
  await mkdir(dir, { recursive: true })
  await writeFileAtomic(join(dir, fileName), `${JSON.stringify(state, null, 2)}\n`)
}

export function headOf(block: DevBlock): DevchainState['head'] {
  const text = (v: bigint | null) => (v === null ? null : v.toString())
  return {
    number: block.number,
    hash: block.hash,
    parentHash: block.parentHash,
    miner: block.miner,
    timestamp: block.timestamp,
    baseFeePerGas: text(block.baseFeePerGas),
    gasUsed: text(block.gasUsed),
    gasLimit: text(block.gasLimit),
    fee: {
      baseFeePerGas: block.fee.baseFeePerGas.toString(),
      gasUsed: block.fee.gasUsed.toString(),
      gasLimit: block.fee.gasLimit.toString(),
    },
    blob: block.blob
      ? { blobGasUsed: text(block.blob.blobGasUsed), excessBlobGas: text(block.blob.excessBlobGas) }
      : null,
  }
}

/**
 * The saved head as a block again: same number, hash, parent and header, so a sampler checking its
 * last record finds it. Its transactions are not kept (a restarted chain serves it without them).
 */
export function blockOfHead(head: DevchainState['head']): DevBlock {
  const big = (v: string | null) => (v === null ? null : BigInt(v))
  return {
    number: head.number,
    hash: head.hash,
    parentHash: head.parentHash,
    miner: head.miner,
    timestamp: head.timestamp,
    baseFeePerGas: big(head.baseFeePerGas),
    gasUsed: big(head.gasUsed),
    gasLimit: big(head.gasLimit),
    transactionCount: 0,
    transactions: () => [],
    rewardSamples: () => [],
    fee: {
      baseFeePerGas: BigInt(head.fee.baseFeePerGas),
      gasUsed: BigInt(head.fee.gasUsed),
      gasLimit: BigInt(head.fee.gasLimit),
    },
    blob: head.blob
      ? { blobGasUsed: big(head.blob.blobGasUsed), excessBlobGas: big(head.blob.excessBlobGas) }
      : null,
  }
}
