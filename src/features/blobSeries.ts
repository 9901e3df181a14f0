import { type BlobSchedule, blobForkAt } from '../chains/blobSchedule.js'
import { blobBaseFee } from '../fees/blobBaseFee.js'
import { gasPerBlob } from '../fees/blobGas.js'
import { BlobSeriesError } from './errors.js'

/** What the blob features read of a block: `BlockRecord` (live) and `HistoryRow` (files) both provide it. */
export type BlobBlock = {
  number: number
  /** unix seconds: the fork, and so the blob parameters, follow from it */
  timestamp: number | null
  blobGasUsed?: bigint | null
  excessBlobGas?: bigint | null
}

/** How a block's excess blob gas followed from its parent's (`ruleCodes`). */
export const blobRuleCode = { unknown: 0, floor: 1, normal: 2, reserve: 3 } as const

/**
 * A run of consecutive blob-carrying blocks as numbers, with the parameters of the fork each block is in.
 * Index i is block `firstNumber + i`. Exact integers fit: excess blob gas stays far below 2^53, and so does
 * the blob base fee (1.3e12 wei at the highest of 2024-2025).
 */
export type BlobSeries = {
  firstNumber: number
  length: number
  timestamp: Float64Array
  /** Blob gas used, in blobs. */
  blobs: Float64Array
  excessBlobGas: Float64Array
  /** Target and max blobs per block, and the update fraction, of the fork at the block's timestamp. */
  target: Float64Array
  max: Float64Array
  updateFraction: Float64Array
  /** Whether the block's fork has EIP-7918's reserve price. */
  reservePrice: Uint8Array
  /**
   * log of the blob base fee without EIP-4844's integer rounding: excess / update fraction. Differences are
   * what the model and the calibration read (floors only make the real fee lower).
   */
  logBlobFee: Float64Array
  /** The exact blob base fee, wei (NaN where the series was built without: `exactFees: false`). */
  blobFee: Float64Array
  /** The rule of the transition into each block (`blobRuleCode`; unknown for the first). */
  rule: Uint8Array
}

/**
 * The largest one-block rise of log(blob base fee) in a fork, (max - target) blobs of excess over the update
 * fraction (log 1.125 in Cancun, log 1.082 from Prague on): the unit of the blob model's features and
 * outputs, so a fork with other parameters reads on the same scale.
 */
export function blobMaxLogStep(series: BlobSeries, i: number): number {
  return (
    (((series.max[i] ?? 0) - (series.target[i] ?? 0)) * Number(gasPerBlob)) / (series.updateFraction[i] ?? 1)
  )
}

export type ToBlobSeriesParameters = {
  /** Consecutive blocks, ascending, every one with its timestamp and both blob fields. */
  blocks: readonly BlobBlock[]
  schedule: BlobSchedule
  /**
   * Compute every block's exact blob base fee (fake_exponential in bigints, some microseconds a block). The
   * backtest needs them; a live prediction reads only log fees and skips them (default true).
   */
  exactFees?: boolean
}

const blobGas = Number(gasPerBlob)

/**
 * blobTransitionRule in plain numbers, for series of hundreds of blocks per prediction: every quantity is an
 * integer far below 2^53 (excess ~1e8, blob gas ~3e6), and the one division, by max blobs (<= 1024), floors
 * exactly. Agrees with the bigint rule (tested on every transition of the shared files).
 */
function transitionRule(
  parentExcess: number,
  parentUsed: number,
  target: number,
  max: number,
  reservePrice: boolean,
  childExcess: number,
): number {
  const sum = parentExcess + parentUsed
  if (sum < target * blobGas) return childExcess === 0 ? blobRuleCode.floor : blobRuleCode.unknown
  if (childExcess === sum - target * blobGas) return blobRuleCode.normal
  if (reservePrice && childExcess === parentExcess + Math.floor((parentUsed * (max - target)) / max))
    return blobRuleCode.reserve
  return blobRuleCode.unknown
}

export type ToBlobSeriesErrorType = BlobSeriesError

export function toBlobSeries({ blocks, schedule, exactFees = true }: ToBlobSeriesParameters): BlobSeries {
  const n = blocks.length
  const series: BlobSeries = {
    firstNumber: blocks[0]?.number ?? 0,
    length: n,
    timestamp: new Float64Array(n),
    blobs: new Float64Array(n),
    excessBlobGas: new Float64Array(n),
    target: new Float64Array(n),
    max: new Float64Array(n),
    updateFraction: new Float64Array(n),
    reservePrice: new Uint8Array(n),
    logBlobFee: new Float64Array(n),
    blobFee: new Float64Array(n),
    rule: new Uint8Array(n),
  }
  blocks.forEach((block, i) => {
    if (i > 0 && block.number !== series.firstNumber + i)
      throw new BlobSeriesError('A blob series is a run of consecutive blocks.', {
        details: `block ${block.number} is at position ${i} after ${series.firstNumber}`,
      })
    const fork = block.timestamp === null ? undefined : blobForkAt(schedule, block.timestamp)
    if (block.blobGasUsed == null || block.excessBlobGas == null || !fork)
      throw new BlobSeriesError(`Block ${block.number} has no blob fields, timestamp or blob fork.`, {
        details: 'Split the blocks into runs with blobSeriesRuns() first.',
      })
    series.timestamp[i] = block.timestamp ?? 0
    series.blobs[i] = Number(block.blobGasUsed / gasPerBlob)
    series.excessBlobGas[i] = Number(block.excessBlobGas)
    series.target[i] = fork.target
    series.max[i] = fork.max
    series.updateFraction[i] = Number(fork.baseFeeUpdateFraction)
    series.reservePrice[i] = fork.reservePrice ? 1 : 0
    series.logBlobFee[i] = Number(block.excessBlobGas) / Number(fork.baseFeeUpdateFraction)
    series.blobFee[i] = exactFees
      ? Number(blobBaseFee({ excessBlobGas: block.excessBlobGas, parameters: fork }))
      : Number.NaN
    series.rule[i] =
      i === 0
        ? blobRuleCode.unknown
        : transitionRule(
            series.excessBlobGas[i - 1] ?? 0,
            (series.blobs[i - 1] ?? 0) * blobGas,
            fork.target,
            fork.max,
            fork.reservePrice,
            series.excessBlobGas[i] ?? 0,
          )
  })
  return series
}

export type BlobSeriesRunsParameters = {
  blocks: readonly BlobBlock[]
  schedule: BlobSchedule
  /** Runs shorter than this are dropped (default 2: a decision needs its next block). */
  minLength?: number
}

/**
 * Blocks (a history file's rows, or stored records) as series of consecutive blob-carrying blocks: split
 * at gaps and at blocks without blob fields or before the chain's first blob fork.
 */
export function blobSeriesRuns({ blocks, schedule, minLength = 2 }: BlobSeriesRunsParameters): BlobSeries[] {
  const runs: BlobSeries[] = []
  let run: BlobBlock[] = []
  const flush = () => {
    if (run.length >= minLength) runs.push(toBlobSeries({ blocks: run, schedule }))
    run = []
  }
  for (const block of blocks) {
    const usable =
      block.blobGasUsed != null &&
      block.excessBlobGas != null &&
      block.timestamp !== null &&
      blobForkAt(schedule, block.timestamp) !== undefined
    const last = run[run.length - 1]
    if (!usable || (last && block.number !== last.number + 1)) flush()
    if (usable) run.push(block)
  }
  flush()
  return runs
}

/** Blocks [from, to) of a series as a series of their own (shares the arrays). */
export function sliceBlobSeries(series: BlobSeries, from: number, to: number): BlobSeries {
  const start = Math.max(0, from)
  const end = Math.min(series.length, to)
  return {
    firstNumber: series.firstNumber + start,
    length: Math.max(0, end - start),
    timestamp: series.timestamp.subarray(start, end),
    blobs: series.blobs.subarray(start, end),
    excessBlobGas: series.excessBlobGas.subarray(start, end),
    target: series.target.subarray(start, end),
    max: series.max.subarray(start, end),
    updateFraction: series.updateFraction.subarray(start, end),
    reservePrice: series.reservePrice.subarray(start, end),
    logBlobFee: series.logBlobFee.subarray(start, end),
    blobFee: series.blobFee.subarray(start, end),
    rule: series.rule.subarray(start, end),
  }
}
