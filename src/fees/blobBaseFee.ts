import { type BlobParameters, minBaseFeePerBlobGas } from './blobGas.js'
import { fakeExponential } from './fakeExponential.js'

export type BlobBaseFeeParameters = {
  excessBlobGas: bigint
  /** The parameters of the fork in force at the block's own timestamp. */
  parameters: Pick<BlobParameters, 'baseFeeUpdateFraction'>
}

/** The blob base fee of a block from its header's excess blob gas (EIP-4844): exact, in wei. */
export function blobBaseFee({ excessBlobGas, parameters }: BlobBaseFeeParameters): bigint {
  return fakeExponential({
    factor: minBaseFeePerBlobGas,
    numerator: excessBlobGas,
    denominator: parameters.baseFeeUpdateFraction,
  })
}
