import type { BlockRecord } from '../types.js'
import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'
import { parseBlockRecord } from './serializeBlockRecord.js'

export type ReadHeadParameters = { chainId: number }

/** The record of the highest stored block, or null when nothing is stored. */
export async function readHead(
  redis: StoreClient,
  { chainId }: ReadHeadParameters,
): Promise<BlockRecord | null> {
  const text = await redis.get(storeKeys(chainId).head)
  return text === null ? null : parseBlockRecord(text)
}
