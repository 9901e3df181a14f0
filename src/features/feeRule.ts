import { type Eip1559Parameters, ethereumEip1559 } from '../fees/nextBaseFee.js'
import type { FeeRule } from './types.js'

export function feeRuleOf(eip1559: Eip1559Parameters = ethereumEip1559): FeeRule {
  return {
    elasticity: Number(eip1559.elasticityMultiplier),
    denominator: Number(eip1559.baseFeeMaxChangeDenominator),
  }
}

/**
 * The largest rise of log(base fee) in one block (a completely full block): log(1 + (E - 1) / D),
 * log(1.125) on Ethereum. Features and model targets are expressed in this unit, so a chain with
 * other EIP-1559 parameters (Base moves at most 2% a block) reads on the same scale.
 */
export function maxLogStep(rule: FeeRule): number {
  return Math.log1p((rule.elasticity - 1) / rule.denominator)
}

/** log(next / current) base fee for a block with gas used / target = u (integer rounding ignored). */
export function logStepFromGasUsedRatio(u: number, rule: FeeRule): number {
  const clamped = Math.min(rule.elasticity, Math.max(0, u))
  return Math.log1p((clamped - 1) / rule.denominator)
}

/** Gas used / target implied by two consecutive base fees (the inverse of logStepFromGasUsedRatio). */
export function gasUsedRatioFromLogStep(logStep: number, rule: FeeRule): number {
  return Math.min(rule.elasticity, Math.max(0, 1 + rule.denominator * Math.expm1(logStep)))
}
