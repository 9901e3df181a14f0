import type { BlockRecord } from '../types.js'
import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'
import { parseBlockRecord } from './serializeBlockRecord.js'

export type ReadLatestBlocksParameters = { chainId: number; count: number }

/**
 * The newest `count` stored records, ascending: the feature window. One ZRANGE by rank (O(log n + count)); the
 * caller checks the numbers are consecutive where it needs a run.
 */
export async function readLatestBlocks(
  redis: StoreClient,
  { chainId, count }: ReadLatestBlocksParameters,
): Promise<BlockRecord[]> {
  if (count <= 0) return []
  const members = await redis.zrange(storeKeys(chainId).blocks, -count, -1)
  return members.map(parseBlockRecord)
}
