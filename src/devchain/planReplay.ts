import { type Eip1559Parameters, ethereumEip1559, nextBaseFee } from '../fees/nextBaseFee.js'
import type { HistoryColumn } from '../history/historyCsv.js'
import { at } from '../lib/at.js'
import { createRandom, mixSeed } from '../lib/random.js'
import type { HistoryRow } from '../types.js'
import { gasUsedForNextBaseFee } from './gasUsedForNextBaseFee.js'
import { tipsForSummary } from './tipsForSummary.js'

export type PlanReplayParameters = {
  rows: readonly HistoryRow[]
  presentColumns: readonly HistoryColumn[]
  /** Gas limit where the file has none. */
  gasLimit?: bigint
  /** Base fee of the first block where the file has none. */
  initialBaseFeePerGas?: bigint
  /** Seconds between synthesized timestamps. */
  blockTime?: number
  /** Timestamp of the file's first block when the file has no timestamps at all (unix seconds). */
  firstTimestamp?: number
  eip1559?: Eip1559Parameters
  /** Seeds everything synthesized (senders, tip spreads): the same file and seed serve the same chain. */
  seed?: number
}

export type ReplayBlockPlan = {
  number: number
  /** What the block serves; null: the file's cell is empty, so the field is left out. */
  served: {
    timestamp: number | null
    baseFeePerGas: bigint | null
    gasUsed: bigint | null
    gasLimit: bigint | null
  }
  /** Complete values, synthesized where the file has none. */
  internal: { timestamp: number; baseFeePerGas: bigint; gasUsed: bigint; gasLimit: bigint }
  transactionCount: number
  /** min / floor-mean / max effective tip the transactions must reproduce; null: free. */
  tipTargets: { min: bigint | null; avg: bigint | null; max: bigint | null }
  /** Scale of tips drawn freely (no targets): a fifth of the base fee, within 1000 wei..0.1 gwei. */
  typicalTip: bigint
  /** Seed of this block's synthesized details. */
  seed: number
  /** The file's blob columns as served (null cells left out); null when the file has no blob columns. */
  blob: { blobGasUsed: bigint | null; excessBlobGas: bigint | null } | null
}

export type InexactRow = {
  number: number
  /** Present columns whose cell `collect` cannot give back exactly from this row. */
  columns: HistoryColumn[]
  reason: string
}

export type PlanReplayReturnType = {
  blocks: ReplayBlockPlan[]
  /** Rows whose cells contradict each other or the served block (no real file has any). */
  inexact: InexactRow[]
}

const tipColumns = ['min_priority_fee', 'avg_priority_fee', 'max_priority_fee'] as const
const gasPerSynthesizedTx = 150_000n
/** Largest drift of a synthesized gas limit from the default (real limits move 1/1024 a block). */
const gasLimitTolerance = 60_000n

/**
 * Turns a block history file into the blocks a replaying devchain serves (pure: no I/O).
 *
 * - A column the file lacks entirely is synthesized: gas limit (default 30M); gas used from the
 *   next base fee, the integer that makes the EIP-1559 arithmetic reproduce it (target where the next
 *   block is not in the file); base fee by the EIP-1559 arithmetic from an initial value; timestamps
 *   `blockTime` apart; transactions whose count follows the gas used and whose tips are spread around
 *   a market-like level.
 * - A cell that is empty in a column the file has is served as absent (the block JSON leaves the
 *   field out), so `collect` writes the empty cell back. Complete values stand in for the arithmetic.
 * - Transactions reproduce tx_count and the min, floor-mean and max effective tip exactly where given.
 * - Rows missing from the file are not blocks at all (see startDevchain).
 */
export function planReplay({
  rows,
  presentColumns,
  gasLimit: defaultGasLimit = 30_000_000n,
  initialBaseFeePerGas = 1_000_000_000n,
  blockTime = 12,
  firstTimestamp = 1_700_000_000,
  eip1559 = ethereumEip1559,
  seed = 1,
}: PlanReplayParameters): PlanReplayReturnType {
  const has = (column: HistoryColumn) => presentColumns.includes(column)
  const blocks: ReplayBlockPlan[] = []
  const inexact: InexactRow[] = []
  const timestamps = fillTimestamps(rows, blockTime, firstTimestamp)
  let previous: ReplayBlockPlan | undefined
  rows.forEach((row, i) => {
    const next = rows[i + 1]
    const baseFeePerGas =
      row.baseFeePerGas ??
      (previous
        ? nextBaseFee({
            baseFeePerGas: previous.internal.baseFeePerGas,
            gasUsed: previous.internal.gasUsed,
            gasLimit: previous.internal.gasLimit,
            eip1559,
          })
        : initialBaseFeePerGas)
    const { gasUsed, gasLimit } = replayedGas({
      row,
      next: next !== undefined && next.number === row.number + 1 ? next : undefined,
      baseFeePerGas,
      defaultGasLimit,
      eip1559,
    })
    const blockSeed = mixSeed(seed, row.number)
    const typicalTip = typicalTipOf(baseFeePerGas)
    const { transactionCount, tipTargets, problems } = replayedTransactions({
      row,
      has,
      gasUsed,
      typicalTip,
      blockSeed,
    })
    if (problems.length > 0) inexact.push(inexactRow(row.number, problems))
    const timestamp = timestamps[i] ?? firstTimestamp
    const plan: ReplayBlockPlan = {
      number: row.number,
      served: {
        timestamp: has('timestamp') ? row.timestamp : timestamp,
        baseFeePerGas: has('base_fee_per_gas') ? row.baseFeePerGas : baseFeePerGas,
        gasUsed: has('gas_used') ? row.gasUsed : gasUsed,
        gasLimit: has('gas_limit') ? row.gasLimit : gasLimit,
      },
      internal: { timestamp, baseFeePerGas, gasUsed, gasLimit },
      transactionCount,
      tipTargets,
      typicalTip,
      seed: blockSeed,
      blob:
        has('blob_gas_used') || has('excess_blob_gas')
          ? { blobGasUsed: row.blobGasUsed ?? null, excessBlobGas: row.excessBlobGas ?? null }
          : null,
    }
    blocks.push(plan)
    previous = plan
  })
  return { blocks, inexact }
}

/** Scale of tips drawn freely: a fifth of the base fee, within 1000 wei..0.1 gwei. */
function typicalTipOf(baseFeePerGas: bigint): bigint {
  const fifth = baseFeePerGas / 5n
  return fifth < 1_000n ? 1_000n : fifth > 100_000_000n ? 100_000_000n : fifth
}

/**
 * Gas used and limit of a replayed block: the file's, else the gas used that makes the EIP-1559
 * arithmetic give the next row's base fee, else target (the base fee stays).
 */
function replayedGas({
  row,
  next,
  baseFeePerGas,
  defaultGasLimit,
  eip1559,
}: {
  row: HistoryRow
  /** The next row when it is the next block. */
  next: HistoryRow | undefined
  baseFeePerGas: bigint
  defaultGasLimit: bigint
  eip1559: Eip1559Parameters
}): { gasUsed: bigint; gasLimit: bigint } {
  const gasLimit = row.gasLimit ?? defaultGasLimit
  if (row.gasUsed !== null)
    return {
      gasUsed: row.gasUsed,
      gasLimit: row.gasLimit === null && row.gasUsed > gasLimit ? row.gasUsed : gasLimit,
    }
  if (next?.baseFeePerGas != null)
    return gasUsedForNextBaseFee({
      baseFeePerGas,
      nextBaseFeePerGas: next.baseFeePerGas,
      gasLimit,
      eip1559,
      // Without a gas limit in the file, let it drift as real ones do so the child comes out exact.
      gasLimitTolerance: row.gasLimit === null ? gasLimitTolerance : 0n,
    })
  // Nothing says how full it was: at target, the base fee stays.
  return { gasUsed: gasLimit / eip1559.elasticityMultiplier, gasLimit }
}

type TipTargets = ReplayBlockPlan['tipTargets']

const inexactRow = (number: number, problems: readonly Omit<InexactRow, 'number'>[]): InexactRow => ({
  number,
  columns: [...new Set(problems.flatMap((p) => p.columns))],
  reason: problems.map((p) => p.reason).join('; '),
})

/**
 * The transactions of a replayed block: their count (the file's tx_count, else synthesized) and the
 * tip summary they must reproduce, with the problems that keep a row from being served back exactly.
 */
function replayedTransactions({
  row,
  has,
  gasUsed,
  typicalTip,
  blockSeed,
}: {
  row: HistoryRow
  has: (column: HistoryColumn) => boolean
  gasUsed: bigint
  typicalTip: bigint
  blockSeed: number
}): { transactionCount: number; tipTargets: TipTargets; problems: Omit<InexactRow, 'number'>[] } {
  const tipTargets: TipTargets = {
    min: has('min_priority_fee') ? row.minPriorityFee : null,
    avg: has('avg_priority_fee') ? row.avgPriorityFee : null,
    max: has('max_priority_fee') ? row.maxPriorityFee : null,
  }
  const presentTips = tipColumns.filter(has)
  const emptyTips = presentTips.filter((c) => cellOf(row, c) === null)
  const rowHasTips = presentTips.length > emptyTips.length
  const problems: Omit<InexactRow, 'number'>[] = []
  if (rowHasTips && emptyTips.length > 0)
    problems.push({
      columns: emptyTips,
      reason: 'some tip cells are empty: a block with transactions has all three',
    })
  let transactionCount: number
  if (has('tx_count') && row.txCount !== null) {
    transactionCount = row.txCount
    if (transactionCount === 0 && rowHasTips)
      problems.push({ columns: presentTips, reason: 'tips given for a block without transactions' })
    if (transactionCount > 0 && presentTips.length > 0 && !rowHasTips)
      problems.push({ columns: presentTips, reason: 'empty tips for a block with transactions' })
  } else {
    if (has('tx_count'))
      problems.push({ columns: ['tx_count'], reason: 'an empty tx_count cannot be served' })
    if (presentTips.length > 0 && !rowHasTips) transactionCount = 0
    else if (!rowHasTips && gasUsed === 0n) transactionCount = 0
    else transactionCount = synthesizedCount(gasUsed, tipTargets)
  }
  const targets = [tipTargets.min, tipTargets.avg, tipTargets.max].filter((v) => v !== null).length
  // Only combinations of targets can contradict each other; the replayed block will run the same draw
  // from the same seed, so checking here is checking what will be served.
  if (transactionCount > 0 && targets >= 2) {
    const { exact } = tipsForSummary({
      count: transactionCount,
      ...tipTargets,
      typicalTip,
      random: createRandom(blockSeed),
    })
    if (!exact)
      problems.push({
        columns: presentTips,
        reason: `no ${transactionCount} tips have this min, floor-mean and max`,
      })
  }
  return { transactionCount, tipTargets, problems }
}

function cellOf(row: HistoryRow, column: (typeof tipColumns)[number]): bigint | null {
  if (column === 'min_priority_fee') return row.minPriorityFee
  if (column === 'avg_priority_fee') return row.avgPriorityFee
  return row.maxPriorityFee
}

/**
 * How many transactions a block without tx_count gets: about one per 150k gas, and at least as many
 * as the tip targets need (a wide min..max around a mean close to one end needs many tips).
 */
function synthesizedCount(
  gasUsed: bigint,
  targets: { min: bigint | null; avg: bigint | null; max: bigint | null },
): number {
  const byGas = Number((gasUsed + gasPerSynthesizedTx / 2n) / gasPerSynthesizedTx)
  return Math.min(maxSynthesizedCount, Math.max(1, byGas, minimumCount(targets)))
}

const maxSynthesizedCount = 5_000
const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b
const descending = (a: bigint, b: bigint) => (a > b ? -1 : a < b ? 1 : 0)

/**
 * The fewest tips that can have these min, floor-mean and max. With c tips in [m, M] summing to
 * S in [a·c, a·c + c - 1]: (c-1)·m + M <= a·c + c - 1, i.e. c >= (M - m + 1) / (a - m + 1), and
 * a·c <= m + (c-1)·M, i.e. c >= (M - m) / (M - a). Contradictions get 1 (they cannot be met anyway).
 */
function minimumCount({
  min,
  avg,
  max,
}: {
  min: bigint | null
  avg: bigint | null
  max: bigint | null
}): number {
  const values = [min, avg, max].filter((v): v is bigint => v !== null)
  if (values.every((v) => v === values[0])) return 1
  if (avg === null) return 2
  if (min === null) {
    // The others may be 0: M <= a·c + c - 1.
    if (max === null) return 1 // avg alone: every value equal, answered above
    return max < avg ? 1 : Number(clampCount(ceilDiv(max + 1n, avg + 1n)))
  }
  if (max === null) return avg < min ? 1 : 2
  if (!(min <= avg && avg < max)) return 1
  // Both bounds must hold: the count is the larger one.
  return Number(
    clampCount(
      at([ceilDiv(max - min + 1n, avg - min + 1n), ceilDiv(max - min, max - avg)].sort(descending), 0),
    ),
  )
}

const clampCount = (c: bigint) =>
  c < 2n ? 2n : c > BigInt(maxSynthesizedCount) ? BigInt(maxSynthesizedCount) : c

/** Timestamps for every row: the file's, else `blockTime` apart from the nearest known one. */
function fillTimestamps(rows: readonly HistoryRow[], blockTime: number, firstTimestamp: number): number[] {
  const out: number[] = new Array(rows.length)
  const firstKnown = rows.findIndex((r) => r.timestamp !== null)
  if (firstKnown === -1) {
    const n0 = rows[0]?.number ?? 0
    rows.forEach((r, i) => {
      out[i] = firstTimestamp + Math.round(blockTime * (r.number - n0))
    })
    return out
  }
  const anchor = rows[firstKnown]
  if (anchor?.timestamp == null) return out // unreachable: findIndex found a row with a timestamp
  for (const [i, r] of rows.entries()) {
    if (i >= firstKnown) break
    out[i] = anchor.timestamp - Math.round(blockTime * (anchor.number - r.number))
  }
  let lastNumber = anchor.number
  let lastTimestamp = anchor.timestamp
  for (const [i, r] of rows.entries()) {
    if (i < firstKnown) continue
    if (r.timestamp !== null) {
      lastNumber = r.number
      lastTimestamp = r.timestamp
    }
    out[i] = r.timestamp ?? lastTimestamp + Math.round(blockTime * (r.number - lastNumber))
  }
  return out
}
