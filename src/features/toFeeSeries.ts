import { FeecastError } from '../errors.js'
import { type Eip1559Parameters, ethereumEip1559 } from '../fees/nextBaseFee.js'
import { outOfRange } from '../lib/at.js'
import { feeRuleOf, gasUsedRatioFromLogStep, logStepFromGasUsedRatio } from './feeRule.js'
import type { FeatureBlock, FeeSeries } from './types.js'

export type ToFeeSeriesParameters = {
  /** Consecutive blocks, ascending. */
  blocks: readonly FeatureBlock[]
  eip1559?: Eip1559Parameters
}

export type ToFeeSeriesReturnType = FeeSeries

/**
 * Turns consecutive blocks into the numeric series features are computed from, deriving each side from
 * the other: the gas-used ratio from two base fees where gas_used is missing, and the relative base-fee
 * path from gas-used ratios where base fees are missing (EIP-1559 makes them two views of one thing).
 */
export function toFeeSeries({
  blocks,
  eip1559 = ethereumEip1559,
}: ToFeeSeriesParameters): ToFeeSeriesReturnType {
  const rule = feeRuleOf(eip1559)
  const n = blocks.length
  for (const [i, b] of blocks.entries()) {
    const prev = blocks[i - 1]
    if (prev !== undefined && b.number !== prev.number + 1)
      throw new FeecastError('Feature window is not a run of consecutive blocks.', {
        details: `block ${b.number} follows ${prev.number}; split the history with consecutiveRuns() first.`,
      })
  }
  const logBaseFee = new Float64Array(n).fill(Number.NaN)
  const gasUsedRatio = new Float64Array(n).fill(Number.NaN)
  const blockTime = new Float64Array(n).fill(Number.NaN)
  const tipThreshold = new Float64Array(n).fill(Number.NaN)
  // checked reads written here, not through lib's shared at(): the loads stay specialised to Float64Array
  const logBaseFeeAt = (i: number) => logBaseFee[i] ?? outOfRange(logBaseFee, i)
  const gasUsedRatioAt = (i: number) => gasUsedRatio[i] ?? outOfRange(gasUsedRatio, i)
  let anyBaseFee = false
  for (const [i, b] of blocks.entries()) {
    if (b.baseFeePerGas != null && b.baseFeePerGas > 0n) {
      logBaseFee[i] = Math.log(Number(b.baseFeePerGas))
      anyBaseFee = true
    }
    if (b.gasUsed != null && b.gasLimit != null) {
      const target = b.gasLimit / eip1559.elasticityMultiplier
      if (target > 0n) gasUsedRatio[i] = Number(b.gasUsed) / Number(target)
    }
    if (b.tipThreshold != null) tipThreshold[i] = Number(b.tipThreshold)
    const prev = blocks[i - 1]
    if (prev?.timestamp != null && b.timestamp != null) blockTime[i] = b.timestamp - prev.timestamp
  }
  // A file without any base fee: anchor the path at 0 and rebuild it from the gas-used ratios.
  if (!anyBaseFee && n > 0 && Number.isFinite(gasUsedRatioAt(0))) logBaseFee[0] = 0
  // Forward: a missing base fee follows from the parent's base fee and gas used.
  for (let i = 1; i < n; i++) {
    if (
      Number.isNaN(logBaseFeeAt(i)) &&
      Number.isFinite(logBaseFeeAt(i - 1)) &&
      Number.isFinite(gasUsedRatioAt(i - 1))
    )
      logBaseFee[i] = logBaseFeeAt(i - 1) + logStepFromGasUsedRatio(gasUsedRatioAt(i - 1), rule)
  }
  // Backward: a leading missing base fee follows from the child's.
  for (let i = n - 2; i >= 0; i--) {
    if (
      Number.isNaN(logBaseFeeAt(i)) &&
      Number.isFinite(logBaseFeeAt(i + 1)) &&
      Number.isFinite(gasUsedRatioAt(i))
    )
      logBaseFee[i] = logBaseFeeAt(i + 1) - logStepFromGasUsedRatio(gasUsedRatioAt(i), rule)
  }
  // Where gas_used is missing, the ratio follows from the next base fee.
  for (let i = 0; i + 1 < n; i++) {
    if (
      Number.isNaN(gasUsedRatioAt(i)) &&
      Number.isFinite(logBaseFeeAt(i)) &&
      Number.isFinite(logBaseFeeAt(i + 1))
    )
      gasUsedRatio[i] = gasUsedRatioFromLogStep(logBaseFeeAt(i + 1) - logBaseFeeAt(i), rule)
  }
  return {
    firstNumber: blocks[0]?.number ?? 0,
    length: n,
    logBaseFee,
    relative: !anyBaseFee,
    gasUsedRatio,
    blockTime,
    tipThreshold,
    rule,
  }
}
