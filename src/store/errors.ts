import { FeecastError } from '../errors.js'

/** A fenced write was refused: the writer no longer holds (or never held) the chain's lease. */
export class LeaseNotHeldError extends FeecastError {
  override name = 'LeaseNotHeldError'
  readonly chainId: number
  constructor(chainId: number, operation: string) {
    super(`${operation} refused: this writer does not hold the lease of chain ${chainId}`, {
      details: 'Another sampler took over (or the lease expired); only the lease holder writes a chain.',
    })
    this.chainId = chainId
  }
}

/** A stored value could not be read back: written by something else, or corrupted. */
export class StoredValueError extends FeecastError {
  override name = 'StoredValueError'
}
