import { FeecastFallbackError } from './errors.js'
import { createEstimateSource, type FeecastFeesParameters } from './feecastFees.js'

/**
 * As feecastFees' parameters: `confidence` is the probability (percent) that maxFeePerBlobGas stays at or
 * above the blob base fee of each of the next `withinBlocks` blocks (default 90 % within 3 blocks).
 */
export type FeecastBlobFeeParameters = FeecastFeesParameters

export type FeecastBlobFeeOptions = {
  /** The chain to ask for (default: the parameters' chainId). */
  chainId?: number | undefined
}

/** maxFeePerBlobGas in wei, or null when the caller should use its own (every reason told to onFallback). */
export type FeecastBlobFeeReturnType = bigint | null

/**
 * feecast's maxFeePerBlobGas for (confidence, withinBlocks), for an EIP-4844 blob transaction. viem's
 * `chain.fees.estimateFeesPerGas` cannot carry it (prepareTransactionRequest takes only maxFeePerGas and
 * maxPriorityFeePerGas from there), so it is its own helper: pass its answer as the request's
 * maxFeePerBlobGas. The fallback rules are feecastFees' (a back-off after failures, stale data refused,
 * every reason to `onFallback`); on a chain without blobs it returns null with the reason 'no-blobs'.
 * It is coverage of the fee cap, not a probability that the blob transaction is included.
 *
 * @example
 * const blobFee = feecastBlobFee({ url: 'http://localhost:8080', confidence: 95, withinBlocks: 5 })
 * const maxFeePerBlobGas = (await blobFee({ chainId: mainnet.id })) ?? 2n * (await client.getBlobBaseFee())
 * const request = await client.prepareTransactionRequest({ account, to, blobs, kzg, maxFeePerBlobGas })
 */
export function feecastBlobFee(
  parameters: FeecastBlobFeeParameters,
): (options?: FeecastBlobFeeOptions) => Promise<FeecastBlobFeeReturnType> {
  const estimateFor = createEstimateSource(parameters)
  return async ({ chainId = parameters.chainId } = {}) => {
    const estimate = await estimateFor(chainId)
    if (estimate === null) return null
    if (estimate.maxFeePerBlobGas === undefined) {
      parameters.onFallback?.(
        new FeecastFallbackError(
          'no-blobs',
          `feecast has no blob fees for chain ${chainId}: it carries no blobs`,
        ),
      )
      return null
    }
    return BigInt(estimate.maxFeePerBlobGas)
  }
}
