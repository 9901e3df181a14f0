import { FeecastError } from '../errors.js'

/**
 * An index the algorithm proved in range was not: a bug in feecast, not bad input. It names the index
 * and the length so the broken invariant can be found.
 */
export class IndexOutOfRangeError extends FeecastError {
  override name = 'IndexOutOfRangeError'
  readonly index: number
  readonly length: number
  constructor(index: number, length: number) {
    super(`index ${index} is outside 0..${length - 1}`)
    this.index = index
    this.length = length
  }
}
