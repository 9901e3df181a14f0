import { type Eip1559Parameters, ethereumEip1559, nextBaseFee } from '../fees/nextBaseFee.js'
import type { FeatureBlock } from './types.js'

export type PendingBlockParameters = {
  /** The latest mined block: its base fee, gas used and gas limit fix its child's base fee. */
  latest: FeatureBlock
  eip1559?: Eip1559Parameters
}

/**
 * The pending block as a feature input: only its base fee is known, and exactly (EIP-1559). Append it to
 * a live window so that the window ends, as the model expects, at the block being predicted for.
 * Returns null when the latest block lacks what the arithmetic needs.
 */
export function pendingBlock({
  latest,
  eip1559 = ethereumEip1559,
}: PendingBlockParameters): FeatureBlock | null {
  if (latest.baseFeePerGas == null || latest.gasUsed == null || latest.gasLimit == null) return null
  return {
    number: latest.number + 1,
    timestamp: null,
    baseFeePerGas: nextBaseFee({
      baseFeePerGas: latest.baseFeePerGas,
      gasUsed: latest.gasUsed,
      gasLimit: latest.gasLimit,
      eip1559,
    }),
    gasUsed: null,
    gasLimit: null,
    tipThreshold: null,
  }
}
