import type { BlockRecord } from '../types.js'
import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'
import { parseBlockRecord } from './serializeBlockRecord.js'

export type ReadBlocksParameters = {
  chainId: number
  /** first block number, inclusive */
  from: number
  /** last block number, inclusive */
  to: number
}

/** Stored records with from ≤ number ≤ to, ascending; missing numbers are simply absent. One round trip. */
export async function readBlocks(
  redis: StoreClient,
  { chainId, from, to }: ReadBlocksParameters,
): Promise<BlockRecord[]> {
  if (to < from) return []
  const members = await redis.zrangebyscore(storeKeys(chainId).blocks, from, to)
  return members.map(parseBlockRecord)
}
