import type { ChainEstimateFeesPerGasFn } from 'viem'
import { type BackoffParameters, createBackoff } from './backoff.js'
import type { ConfidenceLevel, Estimate, Horizon, Prediction } from './contract.js'
import { type CreateFeecastClientParameters, createFeecastClient } from './createFeecastClient.js'
import { type FallbackReason, FeecastFallbackError, FeecastHttpError } from './errors.js'

export type FeecastFeesParameters = {
  /** Base URL of a feecast API. */
  url: string
  /** Probability (percent) of inclusion within `withinBlocks`. Default 90. */
  confidence?: ConfidenceLevel | undefined
  /** Horizon in blocks. Default 3. */
  withinBlocks?: Horizon | undefined
  /** How long to wait for feecast before falling back to viem's own estimate (ms). Default 1000. */
  timeoutMs?: number | undefined
  fetch?: CreateFeecastClientParameters['fetch']
  /** Extra request headers, e.g. `{ Authorization: 'Bearer <key>' }`. */
  headers?: CreateFeecastClientParameters['headers']
  /** Use a stale prediction rather than fall back. Default false. */
  acceptStale?: boolean | undefined
  /** Chain id to ask for when the client has no chain. */
  chainId?: number | undefined
  /**
   * After feecast fails (timeout, error, stale data) it is skipped for this pause, growing with each
   * failure in a row (default 1 s doubling up to 60 s; a longer Retry-After is honoured), so a hung
   * feecast costs one timeout, not one per transaction.
   */
  backoff?: BackoffParameters | undefined
  /** Told why feecast's estimate was not used, every time (a FeecastFallbackError; `cause` has the failure). */
  onFallback?: ((error: FeecastFallbackError) => void) | undefined
}

/**
 * feecast as viem's `chain.fees.estimateFeesPerGas`: maxFeePerGas and maxPriorityFeePerGas for
 * inclusion within `withinBlocks` blocks with probability `confidence`. When feecast does not answer
 * in time, answers an error, or its data is stale, it returns null, and viem falls back to its own
 * estimate. Fees the transaction request already sets are kept; a caller's own, larger
 * maxPriorityFeePerGas raises maxFeePerGas by the difference, so the tip stays payable at the base
 * fee feecast's cap was made for.
 *
 * @example
 * const chain = { ...mainnet, fees: { estimateFeesPerGas: feecastFees({ url: 'http://localhost:8080' }) } }
 * const client = createPublicClient({ chain, transport: http() })
 * await client.estimateFeesPerGas() // feecast's 90% / 3 blocks, or viem's when feecast is away
 */
export function feecastFees(parameters: FeecastFeesParameters): ChainEstimateFeesPerGasFn {
  const estimateFor = createEstimateSource(parameters)
  return async ({ client, request, type }) => {
    const estimate = await estimateFor(parameters.chainId ?? client.chain?.id)
    if (estimate === null) return null
    const given = request as
      | { maxFeePerGas?: unknown; maxPriorityFeePerGas?: unknown; gasPrice?: unknown }
      | undefined
    const fees = feesFor(estimate, {
      maxFeePerGas: asBigint(given?.maxFeePerGas),
      maxPriorityFeePerGas: asBigint(given?.maxPriorityFeePerGas),
      gasPrice: asBigint(given?.gasPrice),
    })
    return type === 'legacy'
      ? { gasPrice: fees.gasPrice }
      : { maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas }
  }
}

export type FeesForParameters = {
  maxFeePerGas?: bigint | undefined
  maxPriorityFeePerGas?: bigint | undefined
  gasPrice?: bigint | undefined
}

export type FeesForReturnType = { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint; gasPrice: bigint }

/**
 * The fees to sign from feecast's estimate and what the caller already set. A caller's tip above
 * feecast's raises the cap by the difference: feecast's cap is the highest base fee it expects plus
 * its own tip, so the caller's tip is payable in full at that base fee only with the cap raised.
 */
export function feesFor(
  estimate: Pick<Estimate, 'maxFeePerGas' | 'maxPriorityFeePerGas'>,
  given: FeesForParameters,
): FeesForReturnType {
  const suggestedTip = BigInt(estimate.maxPriorityFeePerGas)
  const suggestedMax = BigInt(estimate.maxFeePerGas)
  const maxPriorityFeePerGas = given.maxPriorityFeePerGas ?? suggestedTip
  const raise = maxPriorityFeePerGas > suggestedTip ? maxPriorityFeePerGas - suggestedTip : 0n
  const maxFeePerGas = given.maxFeePerGas ?? suggestedMax + raise
  return { maxFeePerGas, maxPriorityFeePerGas, gasPrice: given.gasPrice ?? suggestedMax }
}

export type EstimateSource = (chainId: number | undefined) => Promise<Estimate | null>

/**
 * Fetches feecast's estimate for (confidence, withinBlocks) with the fallback rules every plug-in
 * shares: a back-off after failures, stale data refused, every reason told to `onFallback`.
 * Null when the caller should use its own estimate.
 */
export function createEstimateSource(
  {
    url,
    confidence = 90,
    withinBlocks = 3,
    timeoutMs = 1_000,
    fetch,
    headers,
    acceptStale = false,
    backoff: backoffParameters,
    onFallback,
  }: FeecastFeesParameters,
  pick: (prediction: Prediction) => Estimate | undefined = (prediction) =>
    prediction.estimates.find((e) => e.confidence === confidence && e.withinBlocks === withinBlocks),
): EstimateSource {
  const feecast = createFeecastClient({ url, timeoutMs, fetch, headers })
  const backoff = createBackoff(backoffParameters)
  const fallBack = (reason: FallbackReason, message: string, cause?: unknown) => {
    onFallback?.(new FeecastFallbackError(reason, message, { cause }))
    return null
  }
  return async (chainId) => {
    if (chainId === undefined)
      return fallBack('no-chain', 'no chain id: give feecast a chainId or the viem client a chain')
    const wait = backoff.remaining(Date.now())
    if (wait > 0)
      return fallBack(
        'backing-off',
        `feecast failed ${backoff.failures} time(s) in a row; skipped for another ${wait} ms`,
        backoff.lastError,
      )
    let prediction: Prediction
    try {
      prediction = await feecast.predict({ chainId, confidence, withinBlocks })
    } catch (error) {
      const retryAfter = error instanceof FeecastHttpError ? error.retryAfterSeconds : undefined
      backoff.fail(Date.now(), error, retryAfter === undefined ? 0 : retryAfter * 1000)
      if (error instanceof FeecastHttpError && error.code === 'unknown_chain')
        return fallBack('chain-not-served', `feecast does not serve chain ${chainId}`, error)
      return fallBack('unavailable', `feecast did not give an estimate for chain ${chainId}`, error)
    }
    if (prediction.stale && !acceptStale) {
      const error = new Error(`feecast data for chain ${chainId} is stale (${prediction.ageMs} ms old)`)
      backoff.fail(Date.now(), error)
      return fallBack('stale', error.message, error)
    }
    backoff.succeed()
    const estimate = pick(prediction)
    if (estimate === undefined)
      return fallBack(
        'no-estimate',
        `feecast has no estimate for ${confidence}% within ${withinBlocks} blocks`,
      )
    return estimate
  }
}

const asBigint = (v: unknown) => (typeof v === 'bigint' ? v : undefined)
