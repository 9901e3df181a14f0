import { type Eip1559Parameters, ethereumEip1559, nextBaseFee } from '../fees/nextBaseFee.js'
import type { FeatureBlock } from './types.js'

export type BridgeGapsParameters<T extends FeatureBlock> = {
  blocks: readonly T[]
  eip1559?: Eip1559Parameters
}

/**
 * Fills one-block holes whose parent has base fee, gas used and gas limit: the missing block's base fee
 * is then known exactly (EIP-1559), and its gas-used ratio follows from its child's base fee. Longer
 * holes stay holes. History files sampled with occasional missing rows (eth-2022-01 drops about one
 * block in fifty) keep long runs this way instead of breaking into pieces too short for features.
 */
export function bridgeGaps<T extends FeatureBlock>({
  blocks,
  eip1559 = ethereumEip1559,
}: BridgeGapsParameters<T>): FeatureBlock[] {
  const out: FeatureBlock[] = []
  for (const b of blocks) {
    const prev = out[out.length - 1]
    if (
      prev &&
      b.number === prev.number + 2 &&
      prev.baseFeePerGas != null &&
      prev.gasUsed != null &&
      prev.gasLimit != null
    ) {
      out.push({
        number: prev.number + 1,
        timestamp: null,
        baseFeePerGas: nextBaseFee({
          baseFeePerGas: prev.baseFeePerGas,
          gasUsed: prev.gasUsed,
          gasLimit: prev.gasLimit,
          eip1559,
        }),
        gasUsed: null,
        gasLimit: null,
        tipThreshold: null,
      })
    }
    out.push(b)
  }
  return out
}
