import { FeecastError } from '../errors.js'

/** The node's chain changed while the sampler was reading it (a reorg mid-sync); it re-reads and tries again. */
export class ChainMovedError extends FeecastError {
  override name = 'ChainMovedError'
}

/** A store call did not answer in time (Redis down or restarting); the sampler retries. */
export class StoreTimeoutError extends FeecastError {
  override name = 'StoreTimeoutError'
}
