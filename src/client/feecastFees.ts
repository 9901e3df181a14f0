import type { ChainEstimateFeesPerGasFn } from 'viem'
import { type CreateFeecastClientParameters, createFeecastClient } from './createFeecastClient.js'

export type FeecastFeesParameters = {
  /** Base URL of a feecast API. */
  url: string
  /** Probability (percent) of inclusion within `withinBlocks`. Default 90. */
  confidence?: number
  /** Horizon in blocks. Default 3. */
  withinBlocks?: number
  /**
   * How long to wait for feecast before falling back to viem's own estimate (ms). Default 1000.
   */
  timeoutMs?: number
  fetch?: CreateFeecastClientParameters['fetch']
  /** Use a stale prediction rather than fall back. Default false. */
  acceptStale?: boolean
  /** Chain id to ask for when the client has no chain. */
  chainId?: number
  /** Told why feecast's estimate was not used (timeout, error, stale, missing estimate). */
  onFallback?: (reason: unknown) => void
}

/**
 * feecast as viem's `chain.fees.estimateFeesPerGas`: maxFeePerGas and maxPriorityFeePerGas for
 * inclusion within `withinBlocks` blocks with probability `confidence`. When feecast does not answer
 * in time, answers an error, or its data is stale, it returns null, and viem falls back to its own
 * estimate. Fees the transaction request already sets are kept.
 *
 * @example
 * const chain = { ...mainnet, fees: { estimateFeesPerGas: feecastFees({ url: 'http://localhost:8080' }) } }
 * const client = createPublicClient({ chain, transport: http() })
 * await client.estimateFeesPerGas() // feecast's 90% / 3 blocks, or viem's when feecast is away
 */
export function feecastFees({
  url,
  confidence = 90,
  withinBlocks = 3,
  timeoutMs = 1_000,
  fetch,
  acceptStale = false,
  chainId: fixedChainId,
  onFallback,
}: FeecastFeesParameters): ChainEstimateFeesPerGasFn {
  const feecast = createFeecastClient({ url, timeoutMs, ...(fetch ? { fetch } : {}) })
  return async ({ client, request, type }) => {
    const chainId = fixedChainId ?? client.chain?.id
    if (chainId === undefined) {
      onFallback?.(new Error('no chain id: give feecastFees a chainId or the client a chain'))
      return null
    }
    let prediction: Awaited<ReturnType<typeof feecast.predict>>
    try {
      prediction = await feecast.predict({ chainId, confidence, withinBlocks })
    } catch (error) {
      onFallback?.(error)
      return null
    }
    if (prediction.stale && !acceptStale) {
      onFallback?.(new Error(`feecast data for chain ${chainId} is stale (${prediction.ageMs} ms old)`))
      return null
    }
    const estimate = prediction.estimates.find(
      (e) => e.confidence === confidence && e.withinBlocks === withinBlocks,
    )
    if (estimate === undefined) {
      onFallback?.(new Error(`feecast has no estimate for ${confidence}% within ${withinBlocks} blocks`))
      return null
    }
    const given = request as
      | { maxFeePerGas?: unknown; maxPriorityFeePerGas?: unknown; gasPrice?: unknown }
      | undefined
    if (type === 'legacy')
      return {
        gasPrice: typeof given?.gasPrice === 'bigint' ? given.gasPrice : BigInt(estimate.maxFeePerGas),
      }
    const maxPriorityFeePerGas =
      typeof given?.maxPriorityFeePerGas === 'bigint'
        ? given.maxPriorityFeePerGas
        : BigInt(estimate.maxPriorityFeePerGas)
    const suggestedMax = BigInt(estimate.maxFeePerGas)
    const maxFeePerGas =
      typeof given?.maxFeePerGas === 'bigint'
        ? given.maxFeePerGas
        : suggestedMax > maxPriorityFeePerGas
          ? suggestedMax
          : maxPriorityFeePerGas
    return { maxFeePerGas, maxPriorityFeePerGas }
  }
}
