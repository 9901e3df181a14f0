import { BlockNotFoundError, type PublicClient } from 'viem'
import type { Logger } from '../lib/logger.js'
import { rpcUnavailableCause } from '../rpc/errors.js'
import type { SampledBlock } from './blockToRecord.js'
import { BlockUnavailableError, OlderBlocksUnavailableError } from './errors.js'

export type CreateBlockFetcherParameters = {
  client: PublicClient
  logger: Logger
  /**
   * Times in a row the node must say it lacks a block below its head before that block counts as gone
   * for good (pruned, or never made: a restarted devchain) rather than not there yet (a load-balanced
   * provider whose backends lag one another). Default 3.
   */
  missingAttemptsBeforeGap?: number
  /**
   * After a block over the response size cap, the next this many blocks are read from their headers at
   * once rather than downloaded whole first (up to RPC_MAX_RESPONSE_BYTES each) to find them too big again.
   * Default 32.
   */
  headerOnlyBlocksAfterOversized?: number
}

/** A block the node has, or 'gap' when it has said often enough that it does not have it. */
export type FetchedBlock = SampledBlock | 'gap'

export type BlockFetcher = {
  /**
   * Block `number` with its transactions; without them when it is over the response size cap (its
   * tips are then unknown), and for a while after such a block. Throws BlockUnavailableError while the node lacks it, until that has
   * happened `missingAttemptsBeforeGap` times in a row; then resolves 'gap'.
   */
  fetch(number: number): Promise<FetchedBlock>
  /**
   * Block `number`'s header (no transactions: its tips unknown), counted missing like fetch: what a walk
   * back along parent hashes needs, at a fraction of a whole block's size.
   */
  fetchHeader(number: number): Promise<FetchedBlock>
  /** Blocks from..to (ascending), `concurrency` at a time. */
  fetchRange(from: number, to: number, concurrency: number): Promise<FetchedBlock[]>
  /**
   * The oldest block in from..to (`to` the node's head) the node serves: `from` when it has it. Else the
   * node is taken to keep a run of blocks ending at its head (pruned, or a restarted devchain) and the
   * oldest of that run is found by bisection over headers. The blocks below it are counted as one missing
   * run: OlderBlocksUnavailableError until that has happened `missingAttemptsBeforeGap` times in a row
   * (across sync retries, while each run overlaps the one before: a pruning node's oldest block moves with
   * its head); then it resolves, and the run is a gap. Nothing served at all: the head is counted like a
   * missing block (BlockUnavailableError), then `to + 1`.
   */
  oldestServed(from: number, to: number): Promise<number>
}

/** Missing blocks remembered at most (a node that lacks everything cannot grow the map without bound). */
const maxTracked = 10_000

/**
 * How the sampler reads whole blocks from its node: the oversized fallback and the rule that turns a
 * block the node keeps saying it does not have into a gap, so a pruned or restarted node is followed
 * again from what it has instead of being asked for the same block forever.
 * (Long as a whole: its short inner functions share the count of missing blocks.)
 */
export function createBlockFetcher({
  client,
  logger,
  missingAttemptsBeforeGap = 3,
  headerOnlyBlocksAfterOversized = 32,
}: CreateBlockFetcherParameters): BlockFetcher {
  const missing = new Map<number, number>()
  /** Blocks up to this one are read header-only: a block past the cap was seen just below. */
  let headerOnlyThrough = -1

  const missingRun = createRunCounter()
  const read = (number: number, includeTransactions: boolean) =>
    readBlock(client, number, includeTransactions)

  const whole = async (number: number): Promise<SampledBlock | null> => {
    if (number <= headerOnlyThrough) return read(number, false)
    try {
      return await read(number, true)
    } catch (error) {
      // A block too big to read whole (RPC_MAX_RESPONSE_BYTES): its header still carries the base fee and
      // gas; its tips stay unknown. (A hostile endpoint gets no further with a huge header: also cut off.)
      // Big blocks come in runs (a chain's demand, a hostile endpoint): the next ones go straight to it.
      if (!rpcUnavailableCause(error)?.failures.some((f) => f.kind === 'oversized')) throw error
      headerOnlyThrough = Math.max(headerOnlyThrough, number + headerOnlyBlocksAfterOversized)
      logger.warn(
        { block: number, headerOnlyThrough },
        'block with its transactions is over the response size cap: recorded without tips, and blocks through headerOnlyThrough read header-only',
      )
      return read(number, false)
    }
  }

  /** Counts one more time the node lacked block `number`: throws until it is a gap. */
  const countMissing = (number: number): 'gap' => {
    const times = (missing.get(number) ?? 0) + 1
    if (times < missingAttemptsBeforeGap) {
      if (missing.size >= maxTracked) missing.clear()
      missing.set(number, times)
      throw new BlockUnavailableError(number, times)
    }
    missing.delete(number)
    return 'gap'
  }

  const fetchWith =
    (reader: (number: number) => Promise<SampledBlock | null>) =>
    async (number: number): Promise<FetchedBlock> => {
      const block = await reader(number)
      if (block) {
        missing.delete(number)
        return block
      }
      return countMissing(number)
    }
  const fetch = fetchWith(whole)

  const serves = async (number: number): Promise<boolean> => (await read(number, false)) !== null

  const oldestServed = async (from: number, to: number): Promise<number> => {
    if (from > to || (await serves(from))) {
      missingRun.reset()
      return from
    }
    if (!(await serves(to))) {
      countMissing(to)
      return to + 1
    }
    const oldest = await bisectOldest(serves, from, to)
    const times = missingRun.count(from, oldest - 1)
    if (times < missingAttemptsBeforeGap) throw new OlderBlocksUnavailableError(from, oldest, times)
    return oldest
  }

  return {
    fetch,
    fetchHeader: fetchWith((number) => read(number, false)),
    oldestServed,
    fetchRange: (from, to, concurrency) => fetchRange(fetch, from, to, concurrency),
  }
}

async function readBlock(
  client: PublicClient,
  number: number,
  includeTransactions: boolean,
): Promise<SampledBlock | null> {
  try {
    return (await client.getBlock({ blockNumber: BigInt(number), includeTransactions })) as SampledBlock
  } catch (error) {
    if (error instanceof BlockNotFoundError) return null
    throw error
  }
}

/** Blocks from..to (ascending), `concurrency` at a time. */
async function fetchRange(
  fetch: BlockFetcher['fetch'],
  from: number,
  to: number,
  concurrency: number,
): Promise<FetchedBlock[]> {
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
}

/** The oldest of from..to the node serves, when it lacks `from` and has `to`: the two ends close in. */
async function bisectOldest(
  serves: (number: number) => Promise<boolean>,
  from: number,
  to: number,
): Promise<number> {
  let lacking = from
  let served = to
  while (served - lacking > 1) {
    const middle = Math.floor((lacking + served) / 2)
    if (await serves(middle)) served = middle
    else lacking = middle
  }
  return served
}

/**
 * How many times in a row a run of missing blocks was found. A run that overlaps the one counted before is
 * the same run (its ends move with a pruning node's head); once it is a gap it stays one.
 */
function createRunCounter(): { count(from: number, to: number): number; reset(): void } {
  let last: { from: number; to: number; times: number } | null = null
  return {
    count(from, to) {
      const times = last !== null && from <= last.to && last.from <= to ? last.times + 1 : 1
      last = { from, to, times }
      return times
    },
    reset() {
      last = null
    },
  }
}
