import type { BlockRecord } from '../types.js'
import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'
import { parseBlockRecord } from './serializeBlockRecord.js'

export type ReadLatestBlocksParameters = {
  chainId: number
  count: number
  /**
   * Records parsed by the last read, by their stored text (a caller that reads the window on every block):
   * a record read again is not parsed again. Holds exactly this read's records afterwards.
   */
  parsed?: Map<string, BlockRecord> | undefined
}

/**
 * The newest `count` stored records, ascending: the feature window. One ZRANGE by rank (O(log n + count)); the
 * caller checks the numbers are consecutive where it needs a run.
 */
export async function readLatestBlocks(
  redis: StoreClient,
  { chainId, count, parsed }: ReadLatestBlocksParameters,
): Promise<BlockRecord[]> {
  if (count <= 0) return []
  const members = await redis.zrange(storeKeys(chainId).blocks, -count, -1)
  if (!parsed) return members.map(parseBlockRecord)
  const records = members.map((member) => parsed.get(member) ?? parseBlockRecord(member))
  parsed.clear()
  for (const [i, member] of members.entries()) parsed.set(member, records[i] as BlockRecord)
  return records
}
