import { FeecastError } from '../errors.js'

/** Blocks that cannot make a blob series: not consecutive, or a block without blob fields or fork. */
export class BlobSeriesError extends FeecastError {
  override name = 'BlobSeriesError'
}
