import { FeecastError } from '../errors.js'

/** The node's chain changed while the sampler was reading it (a reorg mid-sync); it re-reads and tries again. */
export class ChainMovedError extends FeecastError {
  override name = 'ChainMovedError'
}

/** A store call did not answer in time (Redis down or restarting); the sampler retries. */
export class StoreTimeoutError extends FeecastError {
  override name = 'StoreTimeoutError'
}

/**
 * The node says it does not have a block below its head. Retried: it may be a lagging backend; once it
 * has said so often enough the block counts as gone (pruned, or never made) and is left as a gap.
 */
export class BlockUnavailableError extends FeecastError {
  override name = 'BlockUnavailableError'
  readonly blockNumber: number
  constructor(blockNumber: number, times: number) {
    super(`the node does not have block ${blockNumber} (asked ${times} time(s))`, {
      details: 'A lagging backend catches up; a block that stays missing is left as a gap in the history.',
    })
    this.blockNumber = blockNumber
  }
}

/** A block the chain's rules do not allow (a future timestamp, an impossible base fee): not stored. */
export class BlockRejectedError extends FeecastError {
  override name = 'BlockRejectedError'
  readonly blockNumber: number
  readonly reason: string
  constructor(blockNumber: number, reason: string, problem: string) {
    super(`block ${blockNumber} rejected (${reason}): ${problem}`, {
      details: 'It is not stored; the chain ages into stale until its endpoint serves a block that holds.',
    })
    this.blockNumber = blockNumber
    this.reason = reason
  }
}
