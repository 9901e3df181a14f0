import { FeecastError } from '../errors.js'

/** A blob gas computation lacks an input it needs (e.g. the parent's base fee under EIP-7918). */
export class BlobGasError extends FeecastError {
  override name = 'BlobGasError'
}
