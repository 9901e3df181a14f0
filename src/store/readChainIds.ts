import { chainsKey } from './keys.js'
import type { StoreClient } from './scripts.js'

/** Served chain ids, ascending. */
export type ReadChainIdsReturnType = number[]

/**
 * The chains some predictor has served (every prediction lists its chain), so an API-only replica
 * knows what to serve. Members that are not chain ids are skipped.
 */
export async function readChainIds(redis: StoreClient): Promise<ReadChainIdsReturnType> {
  const ids = new Set<number>()
  for (const member of await redis.smembers(chainsKey)) {
    const id = Number(member)
    if (Number.isSafeInteger(id) && id > 0) ids.add(id)
  }
  return [...ids].sort((a, b) => a - b)
}
