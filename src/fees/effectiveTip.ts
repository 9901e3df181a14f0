export type EffectiveTipParameters = {
  baseFeePerGas: bigint
  /** EIP-1559 (type 2+) transactions */
  maxFeePerGas?: bigint | null | undefined
  maxPriorityFeePerGas?: bigint | null | undefined
  /** legacy and EIP-2930 transactions */
  gasPrice?: bigint | null | undefined
}

/**
 * What the block's proposer actually earned per gas from a transaction:
 * `min(maxPriorityFeePerGas, maxFeePerGas - baseFee)`, or `gasPrice - baseFee` for legacy.
 * Never negative: a transaction in a block paid at least the base fee.
 */
export function effectiveTip({
  baseFeePerGas,
  maxFeePerGas,
  maxPriorityFeePerGas,
  gasPrice,
}: EffectiveTipParameters): bigint {
  let tip: bigint
  if (maxFeePerGas != null && maxPriorityFeePerGas != null) {
    const headroom = maxFeePerGas - baseFeePerGas
    tip = maxPriorityFeePerGas < headroom ? maxPriorityFeePerGas : headroom
  } else if (gasPrice != null) {
    tip = gasPrice - baseFeePerGas
  } else {
    tip = 0n
  }
  return tip > 0n ? tip : 0n
}
