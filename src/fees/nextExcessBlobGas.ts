import { blobBaseFee } from './blobBaseFee.js'
import { type BlobParameters, blobBaseCost, gasPerBlob } from './blobGas.js'
import { BlobGasError } from './errors.js'

/** The header fields of a parent block that fix its child's excess blob gas. */
export type BlobParentHeader = {
  excessBlobGas: bigint
  blobGasUsed: bigint
  /** Needed only when the child's fork has EIP-7918's reserve price. */
  baseFeePerGas?: bigint | null
}

/**
 * Which line of the excess-blob-gas rule a transition took: `floor` (the excess falls to 0), `reserve`
 * (EIP-7918: the reserve price binds, the excess cannot fall), `normal` (EIP-4844: excess + used - target).
 */
export type BlobTransitionRule = 'floor' | 'reserve' | 'normal'

export type NextExcessBlobGasParameters = {
  parent: BlobParentHeader
  /** The parameters of the fork in force at the child block's timestamp. */
  parameters: BlobParameters
}

export type NextExcessBlobGasReturnType = { excessBlobGas: bigint; rule: BlobTransitionRule }

export type NextExcessBlobGasErrorType = BlobGasError

/** The excess blob gas every rule line gives for a transition (reserve: null where the fork has none). */
export function excessBlobGasCandidates({ parent, parameters }: NextExcessBlobGasParameters): {
  floor: boolean
  normal: bigint
  reserve: bigint | null
} {
  const target = BigInt(parameters.target) * gasPerBlob
  const max = BigInt(parameters.max)
  const sum = parent.excessBlobGas + parent.blobGasUsed
  return {
    floor: sum < target,
    normal: sum < target ? 0n : sum - target,
    reserve: parameters.reservePrice
      ? parent.excessBlobGas + (parent.blobGasUsed * (max - BigInt(parameters.target))) / max
      : null,
  }
}

/**
 * The child's excess blob gas from its parent's header (EIP-4844, EIP-7691's per-fork target and max,
 * EIP-7918's reserve branch): exact, so the next block's blob base fee is known, not predicted.
 */
export function nextExcessBlobGas({
  parent,
  parameters,
}: NextExcessBlobGasParameters): NextExcessBlobGasReturnType {
  const candidates = excessBlobGasCandidates({ parent, parameters })
  if (candidates.floor) return { excessBlobGas: 0n, rule: 'floor' }
  if (candidates.reserve !== null) {
    if (parent.baseFeePerGas == null)
      throw new BlobGasError('The next excess blob gas needs the parent base fee under EIP-7918.', {
        details:
          'From Osaka on, the excess blob gas cannot fall while blobBaseCost · baseFeePerGas exceeds gasPerBlob · blob base fee; without the base fee either branch is possible.',
      })
    const parentBlobFee = blobBaseFee({ excessBlobGas: parent.excessBlobGas, parameters })
    if (blobBaseCost * parent.baseFeePerGas > gasPerBlob * parentBlobFee)
      return { excessBlobGas: candidates.reserve, rule: 'reserve' }
  }
  return { excessBlobGas: candidates.normal, rule: 'normal' }
}

/**
 * Which rule line explains an observed transition (a history file has the child's excess but often not the
 * parent's base fee), or null when none does: no fork of that kind can produce it. Where two lines give
 * the same value the first of floor, normal, reserve is named.
 */
export function blobTransitionRule(
  parameters: NextExcessBlobGasParameters,
  childExcessBlobGas: bigint,
): BlobTransitionRule | null {
  const candidates = excessBlobGasCandidates(parameters)
  if (candidates.floor) return childExcessBlobGas === 0n ? 'floor' : null
  if (childExcessBlobGas === candidates.normal) return 'normal'
  if (candidates.reserve !== null && childExcessBlobGas === candidates.reserve) return 'reserve'
  return null
}
