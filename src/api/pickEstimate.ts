import type { Estimate } from '@feecast/client'

/**
 * The estimate for (confidence, withinBlocks): that one when the prediction has it, otherwise the
 * cheapest (lowest maxFeePerGas) that keeps a stronger promise: a confidence at least as high within
 * at most as many blocks. Null when the prediction has none.
 */
export function pickEstimate(
  estimates: readonly Estimate[],
  confidence: number,
  withinBlocks: number,
): Estimate | null {
  const exact = estimates.find((e) => e.confidence === confidence && e.withinBlocks === withinBlocks)
  if (exact !== undefined) return exact
  let best: Estimate | null = null
  let bestFee = 0n
  for (const e of estimates) {
    if (e.confidence < confidence || e.withinBlocks > withinBlocks) continue
    const fee = BigInt(e.maxFeePerGas)
    if (best === null || fee < bestFee || (fee === bestFee && e.withinBlocks > best.withinBlocks)) {
      best = e
      bestFee = fee
    }
  }
  return best
}
