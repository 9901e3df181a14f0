import type { BlockRecord } from '../types.js'
import { storeKeys } from './keys.js'
import { readHead } from './readHead.js'
import type { StoreClient } from './scripts.js'

export type ReadStoredChainParameters = { chainId: number }

/** How much of a chain is stored: what forgetting it would drop. */
export type ReadStoredChainReturnType = {
  /** Stored block records. */
  blocks: number
  /** The lowest stored block number, null when none is stored. */
  oldest: number | null
  /** The highest stored block, null when none is stored. */
  head: BlockRecord | null
}

/** How much history is stored for a chain (its block count, lowest and highest block). */
export async function readStoredChain(
  redis: StoreClient,
  { chainId }: ReadStoredChainParameters,
): Promise<ReadStoredChainReturnType> {
  const { blocks } = storeKeys(chainId)
  const [count, lowest, head] = await Promise.all([
    redis.zcard(blocks),
    redis.zrange(blocks, 0, 0, 'WITHSCORES'),
    readHead(redis, { chainId }),
  ])
  return { blocks: count, oldest: lowest[1] === undefined ? null : Number(lowest[1]), head }
}
