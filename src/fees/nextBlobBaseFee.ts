import { blobBaseFee } from './blobBaseFee.js'
import type { BlobParameters } from './blobGas.js'
import {
  type BlobParentHeader,
  type BlobTransitionRule,
  type NextExcessBlobGasErrorType,
  nextExcessBlobGas,
} from './nextExcessBlobGas.js'

export type NextBlobBaseFeeParameters = {
  parent: BlobParentHeader
  /**
   * The forks that may be in force at the next block's timestamp: one, or two near a fork (the next block's
   * time is not known until it exists: a slot may be missed). See `nextBlockBlobForks` in chains/.
   */
  candidates: readonly BlobParameters[]
  /** The child's excess blob gas when it is already known (a history file's next row). */
  excessBlobGas?: bigint
}

export type NextBlobBaseFeeReturnType = {
  /** The highest of the candidates' next blob base fees (wei): a cap above it cannot be short by a fork. */
  blobBaseFeePerGas: bigint
  excessBlobGas: bigint
  /** The candidate that gave it. */
  parameters: BlobParameters
  rule: BlobTransitionRule | null
  /** Every candidate's fee, in the order given. */
  candidates: { parameters: BlobParameters; excessBlobGas: bigint; blobBaseFeePerGas: bigint }[]
} | null

export type NextBlobBaseFeeErrorType = NextExcessBlobGasErrorType

/**
 * The next block's blob base fee, exactly, from its parent's header: null when no candidate fork has blobs
 * (a chain without blobs gets no number). Near a fork, the higher of the candidates' fees.
 */
export function nextBlobBaseFee({
  parent,
  candidates,
  excessBlobGas,
}: NextBlobBaseFeeParameters): NextBlobBaseFeeReturnType {
  if (candidates.length === 0) return null
  const all = candidates.map((parameters) => {
    const next =
      excessBlobGas === undefined
        ? nextExcessBlobGas({ parent, parameters })
        : { excessBlobGas, rule: null as BlobTransitionRule | null }
    return {
      parameters,
      excessBlobGas: next.excessBlobGas,
      rule: next.rule,
      blobBaseFeePerGas: blobBaseFee({ excessBlobGas: next.excessBlobGas, parameters }),
    }
  })
  let best = all[0]
  for (const c of all) if (best === undefined || c.blobBaseFeePerGas > best.blobBaseFeePerGas) best = c
  if (best === undefined) return null
  return {
    blobBaseFeePerGas: best.blobBaseFeePerGas,
    excessBlobGas: best.excessBlobGas,
    parameters: best.parameters,
    rule: best.rule,
    candidates: all.map(({ parameters, excessBlobGas, blobBaseFeePerGas }) => ({
      parameters,
      excessBlobGas,
      blobBaseFeePerGas,
    })),
  }
}
