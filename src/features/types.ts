/**
 * What the feature functions read of a block: a subset that both `BlockRecord` (live) and `HistoryRow`
 * (files) provide. Anything may be null; the series builder derives what it can from what is there.
 */
export type FeatureBlock = {
  number: number
  /** unix seconds */
  timestamp?: number | null
  baseFeePerGas: bigint | null
  gasUsed?: bigint | null
  gasLimit?: bigint | null
  /** The block's tip inclusion threshold τ (wei), where known. */
  tipThreshold?: bigint | null
}

/** EIP-1559 parameters as plain numbers (the feature maths is floating point). */
export type FeeRule = {
  elasticity: number
  denominator: number
}

/**
 * A run of consecutive blocks as numbers, ready for feature maths. Index i is block `firstNumber + i`.
 */
export type FeeSeries = {
  firstNumber: number
  length: number
  /**
   * Natural log of the base fee (wei). Where a file has no base fee the path is rebuilt from gas-used
   * ratios and anchored at 0 (`relative`), which is all the scale-free features and targets need.
   * NaN where neither the base fee nor a way to derive it is known.
   */
  logBaseFee: Float64Array
  relative: boolean
  /** Gas used / gas target of each block: from gas_used where present, else from the next base fee. NaN if unknown. */
  gasUsedRatio: Float64Array
  /** Seconds since the parent block, NaN where unknown. */
  blockTime: Float64Array
  /** Tip inclusion threshold τ in wei (as a number), NaN where unknown. */
  tipThreshold: Float64Array
  rule: FeeRule
}
