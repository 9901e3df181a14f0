/**
 * Below this next blob base fee (wei) a decision is in the floor regime: near EIP-4844's 1-wei floor one
 * wei is a large relative step and the excess blob gas is clamped at zero, so outcomes there behave unlike
 * priced ones. The issue's "priced" decisions are the others.
 */
export const pricedBlobFeeWei = 1000n

export type BlobRegime = 'priced' | 'floor'

export const blobRegimes: readonly BlobRegime[] = ['priced', 'floor']

/** The regime of a decision, from its exact next blob base fee (known when the decision is made). */
export function blobRegime(nextBlobFee: bigint | number): BlobRegime {
  return (typeof nextBlobFee === 'bigint' ? nextBlobFee : BigInt(Math.floor(nextBlobFee))) >= pricedBlobFeeWei
    ? 'priced'
    : 'floor'
}
