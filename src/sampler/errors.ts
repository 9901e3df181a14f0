import { FeecastError } from '../errors.js'

/** The node's chain changed while the sampler was reading it (a reorg mid-sync); it re-reads and tries again. */
export class ChainMovedError extends FeecastError {
  override name = 'ChainMovedError'
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

/**
 * The node does not have the blocks below the oldest one it serves (pruned, or a restarted devchain that
 * resumed past them). Retried like a missing block; once the run has been asked for often enough it is
 * left as a gap and the node is followed from the oldest block it has.
 */
export class OlderBlocksUnavailableError extends FeecastError {
  override name = 'OlderBlocksUnavailableError'
  readonly from: number
  readonly oldestServed: number
  constructor(from: number, oldestServed: number, times: number) {
    super(
      `the node does not have blocks ${from}-${oldestServed - 1}, below the oldest it serves (${oldestServed}) (asked ${times} time(s))`,
      { details: 'A lagging backend catches up; blocks that stay missing are left as a gap in the history.' },
    )
    this.from = from
    this.oldestServed = oldestServed
  }
}

/** A block the chain's rules do not allow (a future timestamp, an impossible base fee): not stored. */
export class BlockRejectedError extends FeecastError {
  override name = 'BlockRejectedError'
  readonly blockNumber: number
  readonly reason: string
  /** What is wrong with it, in one line (what the chain's health says). */
  readonly problem: string
  constructor(blockNumber: number, reason: string, problem: string) {
    super(`block ${blockNumber} rejected (${reason}): ${problem}`, {
      details: 'It is not stored; the chain ages into stale until its endpoint serves a block that holds.',
    })
    this.blockNumber = blockNumber
    this.reason = reason
    this.problem = problem
  }
}

/**
 * The node's chain shares no block with the stored one within maxReorgDepth blocks of its tip: a wrong
 * or hostile node, or a reset chain, not a reorg. Refused like any block that breaks a rule: writing it
 * would leave a stored history whose parent links break where the two chains meet. Only the operator
 * knows a chain was really reset (a devnet restarted, a regenesis), so the refusal names their way out:
 * forgetting the chain's stored history, after which it is backfilled from the node as on a first start.
 */
export class ReorgTooDeepError extends BlockRejectedError {
  override name = 'ReorgTooDeepError'
  constructor({
    chainId,
    tip,
    maxReorgDepth,
    walked = maxReorgDepth,
    hashedTo,
  }: {
    chainId: number
    tip: number
    maxReorgDepth: number
    /** How far back this walk went, when less than maxReorgDepth (just after another fork was refused). */
    walked?: number | undefined
    hashedTo?: number | undefined
  }) {
    const within =
      walked < maxReorgDepth
        ? `within the ${walked} blocks walked while another fork's refusal holds (maxReorgDepth ${maxReorgDepth})`
        : `within maxReorgDepth (${maxReorgDepth}) blocks`
    const refused =
      hashedTo === undefined
        ? `the node's block ${tip} shares no ancestor with the stored chain ${within}: not followed`
        : `the node's block ${tip} differs from every stored block with a hash (down to ${hashedTo}), and older ones cannot be compared: not followed`
    super(tip, 'reorg-too-deep', `${refused}; ${forgetChainHint(chainId)}`)
  }
}

/** The way out of a refused deep reorg, when the operator knows the chain was reset. */
export const forgetChainHint = (chainId: number) =>
  `if chain ${chainId} was reset (a devnet restarted, a regenesis), drop its stored history with: feecast forget-chain --chain-id ${chainId} --yes`
