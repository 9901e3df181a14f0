import { type Eip1559Parameters, nextBaseFee } from './nextBaseFee.js'

/**
 * The base-fee arithmetic a block's header must satisfy, for checking what an RPC endpoint says: the
 * EIP-1559 rule with a chain's parameters, the parameters OP-stack chains carry in their headers, and
 * the envelope no EIP-1559-family chain leaves. Pure: no I/O.
 */

/** What the base fee of a child follows from: the parent's header fields. */
export type ParentFeeFields = {
  baseFeePerGas: bigint
  gasUsed: bigint
  gasLimit: bigint
  /** OP-stack Jovian: the DA footprint, which counts like gas used. */
  blobGasUsed?: bigint | null | undefined
}

export type BaseFeeParameters = {
  eip1559: Eip1559Parameters
  /** The chain's floor (OP-stack Jovian); 0 when it has none. */
  minBaseFeePerGas: bigint
  /** The base fee follows max(gas used, DA footprint) rather than gas used (OP-stack Jovian). */
  daFootprint: boolean
}

/** The child's base fee under `parameters`, exactly as the chain's clients compute it. */
export function expectedBaseFee(parent: ParentFeeFields, parameters: BaseFeeParameters): bigint {
  const used =
    parameters.daFootprint && parent.blobGasUsed != null && parent.blobGasUsed > parent.gasUsed
      ? parent.blobGasUsed
      : parent.gasUsed
  const next = nextBaseFee({
    baseFeePerGas: parent.baseFeePerGas,
    gasUsed: used,
    gasLimit: parent.gasLimit,
    eip1559: parameters.eip1559,
  })
  // biome-ignore lint/complexity/useMathMinMax: bigints (Math.max takes numbers)
  return next > parameters.minBaseFeePerGas ? next : parameters.minBaseFeePerGas
}

/**
 * The EIP-1559 parameters an OP-stack block carries for its child (Holocene: version 0, denominator and
 * elasticity as big-endian u32; Jovian: version 1, the same and a u64 minimum base fee). Undefined for
 * extraData of another form (before Holocene, or another chain's): the chain's defaults apply.
 * Zero parameters mean the chain's defaults too.
 */
export function opStackBaseFeeParameters(
  extraData: string | undefined,
  defaults: Eip1559Parameters,
): BaseFeeParameters | undefined {
  if (extraData === undefined || !/^0x[0-9a-fA-F]*$/.test(extraData)) return undefined
  const hex = extraData.slice(2)
  const version = hex.slice(0, 2)
  const u = (from: number, bytes: number) => BigInt(`0x${hex.slice(from * 2, (from + bytes) * 2)}`)
  if ((version === '00' && hex.length === 18) || (version === '01' && hex.length === 34)) {
    const denominator = u(1, 4)
    const elasticity = u(5, 4)
    const eip1559 =
      denominator === 0n || elasticity === 0n
        ? defaults
        : { baseFeeMaxChangeDenominator: denominator, elasticityMultiplier: elasticity }
    return {
      eip1559,
      minBaseFeePerGas: version === '01' ? u(9, 8) : 0n,
      daFootprint: version === '01',
    }
  }
  return undefined
}

/**
 * No base fee above this is plausible on any chain (about 8e28 wei, 8e10 ETH per gas). A value past it
 * (2^256 - 1, say) is garbage, whatever the chain's rule.
 */
export const maxPlausibleBaseFeePerGas = 2n ** 96n

/**
 * Why a base fee cannot follow its parent's under any EIP-1559-family rule, or undefined when it can:
 * above the plausible maximum, more than doubled, or less than halved in one block (a full block raises
 * Ethereum's base fee by 12.5 %, OP-stack's by 2 %; an empty one lowers it by 1/denominator). A few wei
 * of slack cover tiny base fees, where the 1 wei minimum step is a large ratio.
 */
export function implausibleBaseFee(parent: bigint | null, baseFeePerGas: bigint): string | undefined {
  if (baseFeePerGas < 0n) return `base fee ${baseFeePerGas} is negative`
  if (baseFeePerGas > maxPlausibleBaseFeePerGas)
    return `base fee ${baseFeePerGas} wei is above any plausible value (${maxPlausibleBaseFeePerGas})`
  if (parent === null) return undefined
  const slack = 8n
  if (baseFeePerGas > parent * 2n + slack)
    return `base fee ${baseFeePerGas} wei is more than twice its parent's ${parent} wei`
  if (baseFeePerGas * 2n + slack < parent)
    return `base fee ${baseFeePerGas} wei is less than half its parent's ${parent} wei`
  return undefined
}
