import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type BlobSchedule, blobForkAt, mainnetBlobSchedule } from '../../src/chains/blobSchedule.js'
import { gasPerBlob } from '../../src/fees/blobGas.js'
import { nextExcessBlobGas } from '../../src/fees/nextExcessBlobGas.js'
import { formatHistoryCsv } from '../../src/history/historyCsv.js'
import { mulberry32 } from '../../src/lib/random.js'
import type { HistoryRow } from '../../src/types.js'

/** December 2024: Cancun (target 3, max 6 blobs). */
export const cancunTime = 1_734_000_000
/** Late 2025 under BPO1 (target 10, max 15 blobs, EIP-7918). */
export const bpo1Time = 1_766_000_000

export type SyntheticBlobRowsParameters = {
  blocks: number
  seed: number
  /** Timestamp of the first block (the fork follows from it). */
  firstTimestamp?: number
  firstNumber?: number
  schedule?: BlobSchedule
  /** Starting excess blob gas (0: the 1-wei floor). */
  firstExcess?: bigint
  /** Execution base fee (wei) of every block: EIP-7918's reserve price follows from it. */
  baseFeePerGas?: bigint
  /**
   * log(blob fee) that demand pulls back to (rollups post less when blobs are dear and more when cheap):
   * keeps a long synthetic chain priced instead of drifting to the 1-wei floor. null: no pull.
   */
  anchorLogFee?: number | null
}

/**
 * Rows of a blob-carrying chain whose every transition follows the schedule: rollup-like demand that wanders
 * between quiet and busy spells, blocks either empty, a few blobs, or full (real usage is that lumpy).
 */
export function syntheticBlobRows({
  blocks,
  seed,
  firstTimestamp = cancunTime,
  firstNumber = 21_000_000,
  schedule = mainnetBlobSchedule,
  firstExcess = 60_000_000n,
  baseFeePerGas = 1_000_000_000n,
  anchorLogFee = null,
}: SyntheticBlobRowsParameters): HistoryRow[] {
  const random = mulberry32(seed)
  const rows: HistoryRow[] = []
  let excess = firstExcess
  let demand = 0.5
  for (let i = 0; i < blocks; i++) {
    const timestamp = firstTimestamp + 12 * i
    const fork = blobForkAt(schedule, timestamp)
    if (!fork) throw new Error('syntheticBlobRows: timestamp before the first blob fork')
    const pull =
      anchorLogFee === null ? 0 : 0.01 * (anchorLogFee - Number(excess) / Number(fork.baseFeeUpdateFraction))
    demand = Math.min(0.95, Math.max(0.05, demand + (random() - 0.5) * 0.1 + pull))
    const u = random()
    const blobs = u < demand * 0.6 ? fork.max : u < demand ? Math.floor(random() * fork.max) : 0
    const used = BigInt(blobs) * gasPerBlob
    rows.push({
      number: firstNumber + i,
      timestamp,
      baseFeePerGas,
      gasUsed: null,
      gasLimit: null,
      txCount: null,
      minPriorityFee: null,
      avgPriorityFee: null,
      maxPriorityFee: null,
      blobGasUsed: used,
      excessBlobGas: excess,
    })
    const child = blobForkAt(schedule, timestamp + 12) ?? fork
    excess = nextExcessBlobGas({
      parent: { excessBlobGas: excess, blobGasUsed: used, baseFeePerGas },
      parameters: child,
    }).excessBlobGas
  }
  return rows
}

/** syntheticBlobRows written as a history CSV in a temporary directory. */
export async function syntheticBlobHistoryFile(parameters: SyntheticBlobRowsParameters & { name?: string }) {
  const dir = await mkdtemp(join(tmpdir(), 'feecast-blobs-'))
  const path = join(dir, parameters.name ?? 'blobs.csv')
  await writeFile(path, formatHistoryCsv(syntheticBlobRows(parameters)))
  return { dir, path }
}
