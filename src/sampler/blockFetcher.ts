import { BlockNotFoundError, type PublicClient } from 'viem'
import type { Logger } from '../lib/logger.js'
import { rpcUnavailableCause } from '../rpc/errors.js'
import type { SampledBlock } from './blockToRecord.js'
import { BlockUnavailableError } from './errors.js'

export type CreateBlockFetcherParameters = {
  client: PublicClient
  logger: Logger
  /**
   * Times in a row the node must say it lacks a block below its head before that block counts as gone
   * for good (pruned, or never made: a restarted devchain) rather than not there yet (a load-balanced
   * provider whose backends lag one another). Default 3.
   */
  missingAttemptsBeforeGap?: number
}

/** A block the node has, or 'gap' when it has said often enough that it does not have it. */
export type FetchedBlock = SampledBlock | 'gap'

export type BlockFetcher = {
  /**
   * Block `number` with its transactions; without them when it is over the response size cap (its
   * tips are then unknown). Throws BlockUnavailableError while the node lacks it, until that has
   * happened `missingAttemptsBeforeGap` times in a row; then resolves 'gap'.
   */
  fetch(number: number): Promise<FetchedBlock>
  /** Blocks from..to (ascending), `concurrency` at a time. */
  fetchRange(from: number, to: number, concurrency: number): Promise<FetchedBlock[]>
}

/** Missing blocks remembered at most (a node that lacks everything cannot grow the map without bound). */
const maxTracked = 10_000

/**
 * How the sampler reads whole blocks from its node: the oversized fallback and the rule that turns a
 * block the node keeps saying it does not have into a gap, so a pruned or restarted node is followed
 * again from what it has instead of being asked for the same block forever.
 */
export function createBlockFetcher({
  client,
  logger,
  missingAttemptsBeforeGap = 3,
}: CreateBlockFetcherParameters): BlockFetcher {
  const missing = new Map<number, number>()

  const read = async (number: number, includeTransactions: boolean): Promise<SampledBlock | null> => {
    try {
      return (await client.getBlock({ blockNumber: BigInt(number), includeTransactions })) as SampledBlock
    } catch (error) {
      if (error instanceof BlockNotFoundError) return null
      throw error
    }
  }

  const whole = async (number: number): Promise<SampledBlock | null> => {
    try {
      return await read(number, true)
    } catch (error) {
      // A block too big to read whole (RPC_MAX_RESPONSE_BYTES): its header still carries the base fee and
      // gas; its tips stay unknown. (A hostile endpoint gets no further with a huge header: also cut off.)
      if (!rpcUnavailableCause(error)?.failures.some((f) => f.kind === 'oversized')) throw error
      logger.warn(
        { block: number },
        'block with its transactions is over the response size cap: recorded without tips',
      )
      return read(number, false)
    }
  }

  const fetch = async (number: number): Promise<FetchedBlock> => {
    const block = await whole(number)
    if (block) {
      missing.delete(number)
      return block
    }
    const times = (missing.get(number) ?? 0) + 1
    if (times < missingAttemptsBeforeGap) {
      if (missing.size >= maxTracked) missing.clear()
      missing.set(number, times)
      throw new BlockUnavailableError(number, times)
    }
    missing.delete(number)
    return 'gap'
  }

  return {
    fetch,
    async fetchRange(from, to, concurrency) {
      const blocks = new Array<FetchedBlock>(to - from + 1)
      let next = from
      let failure: { error: unknown } | undefined
      // A missing block does not stop the others: each is counted once per round, not only the first met.
      // Any other failure stops the range.
      const worker = async () => {
        while (next <= to && !(failure && !(failure.error instanceof BlockUnavailableError))) {
          const n = next++
          try {
            blocks[n - from] = await fetch(n)
          } catch (error) {
            if (!failure || failure.error instanceof BlockUnavailableError) failure = { error }
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(concurrency, to - from + 1) }, worker))
      if (failure) throw failure.error
      return blocks
    },
  }
}
