/** Blob gas of one blob (EIP-4844): blob gas used and excess blob gas are counted in these units. */
export const gasPerBlob = 131_072n

/** The blob base fee never falls below 1 wei (EIP-4844). */
export const minBaseFeePerBlobGas = 1n

/**
 * EIP-7918 (Osaka): a blob pays at least this much execution gas, so the blob base fee stops falling
 * while `blobBaseCost · baseFeePerGas > gasPerBlob · blobBaseFee` (the reserve price binds).
 */
export const blobBaseCost = 8_192n

/**
 * The blob parameters of one fork: target and max in blobs per block, the update fraction of the blob base
 * fee, and whether EIP-7918's reserve price applies (Osaka and every fork after it).
 */
export type BlobParameters = {
  target: number
  max: number
  baseFeeUpdateFraction: bigint
  reservePrice: boolean
}
