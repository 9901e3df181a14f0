import { storeKeys } from './keys.js'
import {
  acquireLeaseScript,
  releaseLeaseScript,
  renewLeaseScript,
  runScript,
  type StoreClient,
} from './scripts.js'

export type AcquireLeaseParameters = {
  chainId: number
  /** Unique per process (e.g. host:pid:random); must not contain "|". */
  owner: string
  ttlMs: number
}

/**
 * Takes the chain's leader lease if it is free (or already this owner's). Returns the token that fences this
 * leader's writes ("<owner>|<epoch>", the epoch growing with every new lease), or null if another owner holds it.
 */
export async function acquireLease(
  redis: StoreClient,
  { chainId, owner, ttlMs }: AcquireLeaseParameters,
): Promise<string | null> {
  if (owner.includes('|') || owner === '')
    throw new RangeError('a lease owner is a non-empty string without "|"')
  const keys = storeKeys(chainId)
  const token = await runScript(
    redis,
    acquireLeaseScript,
    [keys.lease, keys.leaseEpoch],
    [owner, Math.ceil(ttlMs)],
  )
  return typeof token === 'string' ? token : null
}

export type RenewLeaseParameters = { chainId: number; token: string; ttlMs: number }

/** Extends the lease if the token still holds it. false: lost (expired, or another owner took it). */
export async function renewLease(
  redis: StoreClient,
  { chainId, token, ttlMs }: RenewLeaseParameters,
): Promise<boolean> {
  return (
    (await runScript(redis, renewLeaseScript, [storeKeys(chainId).lease], [token, Math.ceil(ttlMs)])) === 1
  )
}

export type ReleaseLeaseParameters = { chainId: number; token: string }

/** Frees the lease if the token holds it, so a standby takes over at once instead of after the TTL. */
export async function releaseLease(
  redis: StoreClient,
  { chainId, token }: ReleaseLeaseParameters,
): Promise<boolean> {
  return (await runScript(redis, releaseLeaseScript, [storeKeys(chainId).lease], [token])) === 1
}

export type ReadLeaseParameters = { chainId: number }

export type ReadLeaseReturnType = { token: string; owner: string; epoch: number; ttlMs: number } | null

/** Who holds the lease, for status pages and tests. */
export async function readLease(
  redis: StoreClient,
  { chainId }: ReadLeaseParameters,
): Promise<ReadLeaseReturnType> {
  const key = storeKeys(chainId).lease
  const [token, ttl] = await Promise.all([redis.get(key), redis.pttl(key)])
  if (token === null) return null
  const cut = token.lastIndexOf('|')
  return { token, owner: token.slice(0, cut), epoch: Number(token.slice(cut + 1)), ttlMs: ttl }
}
