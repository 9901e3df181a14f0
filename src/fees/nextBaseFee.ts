/** EIP-1559 parameters of a chain. Ethereum: elasticity 2, denominator 8. */
export type Eip1559Parameters = {
  elasticityMultiplier: bigint
  baseFeeMaxChangeDenominator: bigint
}

export const ethereumEip1559: Eip1559Parameters = {
  elasticityMultiplier: 2n,
  baseFeeMaxChangeDenominator: 8n,
}

export type NextBaseFeeParameters = {
  baseFeePerGas: bigint
  gasUsed: bigint
  gasLimit: bigint
  eip1559?: Eip1559Parameters
}

/**
 * The base fee of the child block, exactly as clients compute it (EIP-1559, integer division, the
 * increase at least 1 wei). This is why the next block's base fee is known, not predicted.
 */
export function nextBaseFee({
  baseFeePerGas,
  gasUsed,
  gasLimit,
  eip1559 = ethereumEip1559,
}: NextBaseFeeParameters): bigint {
  const target = gasLimit / eip1559.elasticityMultiplier
  if (target === 0n || gasUsed === target) return baseFeePerGas
  if (gasUsed > target) {
    const delta = (baseFeePerGas * (gasUsed - target)) / target / eip1559.baseFeeMaxChangeDenominator
    return baseFeePerGas + (delta > 1n ? delta : 1n)
  }
  const delta = (baseFeePerGas * (target - gasUsed)) / target / eip1559.baseFeeMaxChangeDenominator
  return baseFeePerGas - delta
}

/**
 * The parent's gas used / gas target, recovered from two consecutive base fees
 * (`1 + d·(b[n+1] - b[n]) / b[n]`, d the max-change denominator). Exact up to integer rounding; this is how
 * history that lacks gas_used still gives a congestion signal.
 */
export function gasUsedRatioFromBaseFees(
  baseFeePerGas: bigint,
  nextBaseFeePerGas: bigint,
  eip1559: Eip1559Parameters = ethereumEip1559,
): number {
  if (baseFeePerGas === 0n) return 1
  const change = Number(nextBaseFeePerGas - baseFeePerGas) / Number(baseFeePerGas)
  const ratio = 1 + Number(eip1559.baseFeeMaxChangeDenominator) * change
  return Math.min(Number(eip1559.elasticityMultiplier), Math.max(0, ratio))
}
