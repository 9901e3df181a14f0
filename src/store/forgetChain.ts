import { chainsKey, legacyPredictionKey, type StoreKeys, storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'

export type ForgetChainParameters = { chainId: number }

/** Keys that held something and were deleted (none: nothing was stored for the chain). */
export type ForgetChainReturnType = { deleted: string[] }

export type ForgetChainErrorType = Error

/**
 * The keys forgetChain deletes: everything stored about the chain's blocks and what was derived from them
 * (history, head, features, health, predictions, calibration, the node's blob schedule). Not its lease
 * and lease epoch: a sampler that is running keeps its fencing token, and an epoch that went back to 0
 * could hand a later leader a token an earlier one held.
 */
export function forgottenKeys(chainId: number): string[] {
  return Object.entries(storeKeys(chainId)).flatMap(([name, key]) =>
    notForgotten.has(name as keyof StoreKeys) ? [] : [key],
  )
}

/** The lease (see forgottenKeys), and pub/sub channels, which hold nothing. A new key is forgotten. */
const notForgotten = new Set<keyof StoreKeys>(['lease', 'leaseEpoch', 'channel', 'predictionChannel'])

/**
 * Forgets a chain's stored history, for a chain that was really reset (a devnet restarted from genesis, a
 * regenesis), which the sampler otherwise refuses as a reorg too deep: its sampler then backfills it from
 * the node as on a first start. Only keys under the chain's own hash tag (one DEL, atomic, legal on a
 * Cluster), its prediction in the layout before issue 14, and its id in the set of served chains (added
 * back with its next prediction): never another chain's.
 */
export async function forgetChain(
  redis: StoreClient,
  { chainId }: ForgetChainParameters,
): Promise<ForgetChainReturnType> {
  const keys = forgottenKeys(chainId)
  const legacy = legacyPredictionKey(chainId)
  const present = await Promise.all([...keys, legacy].map((key) => redis.exists(key)))
  const deleted = [...keys, legacy].filter((_, i) => present[i] === 1)
  await redis.del(...keys)
  await redis.del(legacy)
  await redis.srem(chainsKey, String(chainId))
  return { deleted }
}
