/**
 * What blob senders do today: a multiple of the exact next blob base fee (eth_blobBaseFee). Most clients
 * send it as is (1x); others double it. Neither states a probability.
 */
export type BlobBaseline = { name: string; multiplier: number }

export const blobBaselines: readonly BlobBaseline[] = [
  { name: 'blob-1x', multiplier: 1 },
  { name: 'blob-2x', multiplier: 2 },
]
