import { at } from '../lib/at.js'
import type { TipSummary } from '../types.js'

export type TipSample = { tip: bigint; from?: string | null | undefined }

export type SummarizeTipsParameters = {
  tips: readonly TipSample[]
  /** The block's fee recipient: its own transactions say nothing about the market. */
  miner?: string | null | undefined
  /** Tips below this are dropped from the threshold (geth ignores sub-2-wei tips). Default 2 wei. */
  ignoreBelow?: bigint
}

/** Nearest-rank percentile of a sorted bigint array. */
export function percentileOfSorted(sorted: readonly bigint[], p: number): bigint {
  if (sorted.length === 0) throw new RangeError('percentile of an empty list')
  const rank = Math.ceil((p / 100) * sorted.length)
  return at(sorted, Math.min(sorted.length - 1, Math.max(0, rank - 1)))
}

/**
 * Percentiles of a block's effective tips and its inclusion threshold τ. Returns null for a block
 * with no transactions. min/avg/max/percentiles cover every transaction (as the history file's columns
 * do); τ drops the builder's own transactions and sub-2-wei tips, falling back to the min when nothing
 * is left.
 */
export function summarizeTips({ tips, miner, ignoreBelow = 2n }: SummarizeTipsParameters): TipSummary | null {
  const all = tips.map((t) => t.tip).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  const [min] = all
  const max = all.at(-1)
  if (min === undefined || max === undefined) return null
  const minerLower = miner?.toLowerCase()
  let threshold: bigint | null = null
  for (const t of tips) {
    if (t.tip < ignoreBelow) continue
    if (minerLower && t.from?.toLowerCase() === minerLower) continue
    if (threshold === null || t.tip < threshold) threshold = t.tip
  }
  let sum = 0n
  for (const t of all) sum += t
  return {
    count: all.length,
    threshold: threshold ?? min,
    min,
    p10: percentileOfSorted(all, 10),
    p25: percentileOfSorted(all, 25),
    p50: percentileOfSorted(all, 50),
    p75: percentileOfSorted(all, 75),
    p90: percentileOfSorted(all, 90),
    max,
    avg: sum / BigInt(all.length),
  }
}
