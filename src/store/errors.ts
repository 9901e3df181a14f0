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

/** The embedded redis-server could not be found, started or kept running. */
export class RedisServerError extends FeecastError {
  override name = 'RedisServerError'
}

/** Another live process holds a data directory (two services must never share one). */
export class DirectoryInUseError extends FeecastError {
  override name = 'DirectoryInUseError'
  readonly directory: string
  readonly holder: number
  constructor(directory: string, what: string, holder: number) {
    super(`${directory} is in use by another feecast (pid ${Number.isNaN(holder) ? 'unknown' : holder})`, {
      details: `Each running feecast needs its own ${what}: stop the other one, or point this one elsewhere.`,
    })
    this.directory = directory
    this.holder = holder
  }
}
