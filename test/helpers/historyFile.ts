import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { nextBaseFee } from '../../src/fees/nextBaseFee.js'
import { formatHistoryCsv } from '../../src/history/historyCsv.js'
import { mulberry32 } from '../../src/lib/random.js'
import type { HistoryRow } from '../../src/types.js'

/** A block history CSV of an EIP-1559 chain with persistent, bursty demand, in a temporary directory. */
export async function syntheticHistoryFile({
  blocks,
  seed,
  name = 'synthetic.csv',
}: {
  blocks: number
  seed: number
  name?: string
}) {
  const random = mulberry32(seed)
  const rows: HistoryRow[] = []
  let fee = 15_000_000_000n
  let demand = 0.5
  for (let i = 0; i < blocks; i++) {
    demand = Math.min(1, Math.max(0, demand + (random() - 0.5) * 0.2))
    const gasLimit = 30_000_000n
    const gasUsed = BigInt(Math.round(Number(gasLimit) * (random() < demand ? 1 : random() * 0.7)))
    rows.push({
      number: 18_000_000 + i,
      timestamp: 1_700_000_000 + 12 * i,
      baseFeePerGas: fee,
      gasUsed,
      gasLimit,
      txCount: null,
      minPriorityFee: null,
      avgPriorityFee: null,
      maxPriorityFee: null,
    })
    fee = nextBaseFee({ baseFeePerGas: fee, gasUsed, gasLimit })
  }
  const dir = await mkdtemp(join(tmpdir(), 'feecast-history-'))
  const path = join(dir, name)
  await writeFile(path, formatHistoryCsv(rows))
  return { dir, path }
}
