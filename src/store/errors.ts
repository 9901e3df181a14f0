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

/** A store call did not answer in time (Redis down or restarting); the caller retries or keeps what it has. */
export class StoreTimeoutError extends FeecastError {
  override name = 'StoreTimeoutError'
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

/**
 * A calibration state write was refused: the stored state is not the one the writer follows (another
 * predictor wrote since, or a failover rolled the store back). `stored` is the stored sequence, if any.
 */
export class CalibrationConflictError extends FeecastError {
  override name = 'CalibrationConflictError'
  readonly chainId: number
  readonly stored: { seq: number; writer: string } | null
  constructor(chainId: number, stored: { seq: number; writer: string } | null) {
    super(`the calibration state of chain ${chainId} was written by another writer or rolled back`, {
      details: stored ? `stored: write ${stored.seq} of ${stored.writer}` : 'stored: none',
    })
    this.chainId = chainId
    this.stored = stored
  }
}

/**
 * The store holds less than this writer stored: its head is below the one the writer last wrote (a failover
 * to a replica that had not received the last writes). The writer refills from what is stored.
 */
export class StoreBehindError extends FeecastError {
  override name = 'StoreBehindError'
  readonly chainId: number
  readonly storedHead: number
  readonly knownHead: number
  constructor(chainId: number, { storedHead, knownHead }: { storedHead: number; knownHead: number }) {
    super(
      `the store of chain ${chainId} lost blocks: its head is ${storedHead}, block ${knownHead} was stored`,
      {
        details:
          'A failover to a replica that had not received the last writes, or the chain forgotten (feecast forget-chain); the sampler refills from the chain.',
      },
    )
    this.chainId = chainId
    this.storedHead = storedHead
    this.knownHead = knownHead
  }
}
