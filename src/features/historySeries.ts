import { type Eip1559Parameters, ethereumEip1559 } from '../fees/nextBaseFee.js'
import { consecutiveRuns } from '../history/historyCsv.js'
import type { HistoryRow } from '../types.js'
import { bridgeGaps } from './bridgeGaps.js'
import { toFeeSeries } from './toFeeSeries.js'
import type { FeatureBlock, FeeSeries } from './types.js'

export type HistorySeriesParameters = {
  rows: readonly HistoryRow[]
  eip1559?: Eip1559Parameters
}

/** A history row as a feature input (min_priority_fee is the closest a file has to τ). */
export function featureBlockFromHistoryRow(row: HistoryRow): FeatureBlock {
  return {
    number: row.number,
    timestamp: row.timestamp,
    baseFeePerGas: row.baseFeePerGas,
    gasUsed: row.gasUsed,
    gasLimit: row.gasLimit,
    tipThreshold: row.minPriorityFee,
  }
}

/**
 * A history file's rows as series of consecutive blocks: one-block holes bridged where EIP-1559 allows,
 * then split at the remaining gaps. Training and the backtest read files through this one function.
 */
export function historySeries({ rows, eip1559 = ethereumEip1559 }: HistorySeriesParameters): FeeSeries[] {
  const blocks = bridgeGaps({ blocks: rows.map(featureBlockFromHistoryRow), eip1559 })
  return consecutiveRuns(blocks).map((run) => toFeeSeries({ blocks: run, eip1559 }))
}
