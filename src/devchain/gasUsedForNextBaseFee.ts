import {
  type Eip1559Parameters,
  ethereumEip1559,
  gasUsedRatioFromBaseFees,
  nextBaseFee,
} from '../fees/nextBaseFee.js'

export type GasUsedForNextBaseFeeParameters = {
  baseFeePerGas: bigint
  /** The child's base fee that the gas used should explain. */
  nextBaseFeePerGas: bigint
  gasLimit: bigint
  eip1559?: Eip1559Parameters
  /**
   * How far (gas) the gas limit may move from `gasLimit` to make the result exact, for files without
   * gas limits (real limits drift by up to 1/1024 a block). 0 (default): the limit is fixed.
   */
  gasLimitTolerance?: bigint
}

export type GasUsedForNextBaseFeeReturnType = {
  gasUsed: bigint
  /** `gasLimit`, or the nearby limit that made the result exact. */
  gasLimit: bigint
  /** Whether nextBaseFee(baseFee, gasUsed, gasLimit) gives nextBaseFeePerGas exactly. */
  exact: boolean
}

/**
 * The gas used that makes the EIP-1559 arithmetic turn `baseFeePerGas` into `nextBaseFeePerGas`, for
 * history files that have base fees but no gas used. The child base fee is monotone in gas used, so a
 * binary search finds the range of gas used that reproduces it exactly (rounding makes it a range); the
 * value closest to the ratio formula (`gasUsedRatioFromBaseFees`) is taken from it.
 *
 * With a fixed limit, one more gas moves the child by about baseFee / (8·target) wei, so above
 * ~0.1 gwei most children cannot be hit exactly; when `gasLimitTolerance` allows, nearby gas limits
 * are tried (closest first) until one can. Failing that, the gas used whose result is closest wins.
 */
export function gasUsedForNextBaseFee({
  baseFeePerGas,
  nextBaseFeePerGas,
  gasLimit,
  eip1559 = ethereumEip1559,
  gasLimitTolerance = 0n,
}: GasUsedForNextBaseFeeParameters): GasUsedForNextBaseFeeReturnType {
  const fixed = withFixedLimit(baseFeePerGas, nextBaseFeePerGas, gasLimit, eip1559)
  if (fixed.exact || gasLimitTolerance <= 0n || baseFeePerGas === 0n) return fixed
  const e = eip1559.elasticityMultiplier
  const target0 = gasLimit / e
  const steps = gasLimitTolerance / e
  for (let k = 1n; k <= steps; k++) {
    for (const target of [target0 + k, target0 - k]) {
      if (target <= 0n) continue
      const gasUsed = exactGasUsed(
        baseFeePerGas,
        nextBaseFeePerGas,
        target,
        e,
        eip1559.baseFeeMaxChangeDenominator,
      )
      if (gasUsed !== undefined) return { gasUsed, gasLimit: target * e, exact: true }
    }
  }
  return fixed
}

/**
 * The gas used that gives the child exactly, for a target T, or undefined. With x = |gasUsed - T| the
 * change is floor(b·x / (d·T)) (geth's two integer divisions make one), so the smallest candidate is
 * x = ceil(d·T·change / b), and it works if b·x < d·T·(change + 1).
 */
function exactGasUsed(
  b: bigint,
  child: bigint,
  target: bigint,
  elasticity: bigint,
  d: bigint,
): bigint | undefined {
  if (child === b) return target
  const change = child > b ? child - b : b - child
  const x = (d * target * change + b - 1n) / b
  if (b * x >= d * target * (change + 1n)) return undefined
  if (child > b) return x <= (elasticity - 1n) * target ? target + x : undefined
  return x <= target ? target - x : undefined
}

function withFixedLimit(
  baseFeePerGas: bigint,
  nextBaseFeePerGas: bigint,
  gasLimit: bigint,
  eip1559: Eip1559Parameters,
): GasUsedForNextBaseFeeReturnType {
  const next = (gasUsed: bigint) => nextBaseFee({ baseFeePerGas, gasUsed, gasLimit, eip1559 })
  // Smallest gas used whose child base fee is >= value (gasLimit + 1 if none).
  const lowerBound = (value: bigint) => {
    let lo = 0n
    let hi = gasLimit + 1n
    while (lo < hi) {
      const mid = (lo + hi) / 2n
      if (next(mid) >= value) hi = mid
      else lo = mid + 1n
    }
    return lo
  }
  const first = lowerBound(nextBaseFeePerGas)
  const afterLast = lowerBound(nextBaseFeePerGas + 1n)
  const target = gasLimit / eip1559.elasticityMultiplier
  const ratio = gasUsedRatioFromBaseFees(baseFeePerGas, nextBaseFeePerGas, eip1559)
  const guess = BigInt(Math.round(ratio * Number(target)))
  if (first < afterLast) {
    // [first, afterLast - 1] all reproduce the child exactly.
    const last = afterLast - 1n
    const gasUsed = guess < first ? first : guess > last ? last : guess
    return { gasUsed, gasLimit, exact: true }
  }
  // No exact value: `first` overshoots (if within the limit), `first - 1` undershoots.
  if (first > gasLimit) return { gasUsed: gasLimit, gasLimit, exact: false }
  if (first === 0n) return { gasUsed: 0n, gasLimit, exact: false }
  const above = next(first) - nextBaseFeePerGas
  const below = nextBaseFeePerGas - next(first - 1n)
  return { gasUsed: above <= below ? first : first - 1n, gasLimit, exact: false }
}
