import { storeKeys } from './keys.js'
import {
  acquireLeaseScript,
  releaseLeaseScript,
  renewLeaseScript,
  runScript,
  type StoreClient,
} from './scripts.js'
import { runReplicatedScript } from './waitForReplicas.js'

/** How lease writes wait for replicas (see runReplicatedScript); none by default. */
export type LeaseReplication = {
  /** Replicas a lease write waits for before it counts. */
  replicas: number
  /** Longest wait (ms). */
  waitMs: number
}

export type AcquireLeaseParameters = {
  chainId: number
  /** Unique per process (e.g. host:pid:random); must not contain "|". */
  owner: string
  ttlMs: number
  /** The highest epoch the acquirer has seen: the new one is above it, whatever a failover lost. */
  minEpoch?: number
  replication?: LeaseReplication
}

/** A lease write that did not reach the replicas asked for in time: it does not count yet. */
export type NotReplicated = { notReplicated: true; acknowledged: number }

/**
 * Takes the chain's leader lease if it is free (or already this owner's). Returns the token that fences this
 * leader's writes ("<owner>|<epoch>", the epoch growing with every new lease), or null if another owner holds it.
 * With `replication`, a lease the replicas did not acknowledge in time is NotReplicated (ask again: the
 * owner gets its own lease back, extended).
 */
export async function acquireLease(
  redis: StoreClient,
  parameters: AcquireLeaseParameters & { replication?: undefined },
): Promise<string | null>
export async function acquireLease(
  redis: StoreClient,
  parameters: AcquireLeaseParameters,
): Promise<string | null | NotReplicated>
export async function acquireLease(
  redis: StoreClient,
  { chainId, owner, ttlMs, minEpoch = 0, replication }: AcquireLeaseParameters,
): Promise<string | null | NotReplicated> {
  if (owner.includes('|') || owner === '')
    throw new RangeError('a lease owner is a non-empty string without "|"')
  const keys = storeKeys(chainId)
  const args = [owner, Math.ceil(ttlMs), minEpoch]
  if (!replication || replication.replicas <= 0) {
    const token = await runScript(redis, acquireLeaseScript, [keys.lease, keys.leaseEpoch], args)
    return typeof token === 'string' ? token : null
  }
  const { result, replicated, acknowledged } = await runReplicatedScript(
    redis,
    acquireLeaseScript,
    [keys.lease, keys.leaseEpoch],
    args,
    replication,
  )
  if (typeof result !== 'string') return null
  return replicated ? result : { notReplicated: true, acknowledged }
}

/** The epoch of a lease token ("<owner>|<epoch>"). */
export const epochOf = (token: string): number => Number(token.slice(token.lastIndexOf('|') + 1))

export type RenewLeaseParameters = {
  chainId: number
  token: string
  ttlMs: number
  replication?: LeaseReplication
}

/**
 * Extends the lease if the token still holds it. false: lost (expired, or another owner took it). With
 * `replication`, an extension the replicas did not acknowledge in time is NotReplicated (it does not count).
 */
export async function renewLease(
  redis: StoreClient,
  parameters: RenewLeaseParameters & { replication?: undefined },
): Promise<boolean>
export async function renewLease(
  redis: StoreClient,
  parameters: RenewLeaseParameters,
): Promise<boolean | NotReplicated>
export async function renewLease(
  redis: StoreClient,
  { chainId, token, ttlMs, replication }: RenewLeaseParameters,
): Promise<boolean | NotReplicated> {
  const keys = [storeKeys(chainId).lease]
  const args = [token, Math.ceil(ttlMs)]
  if (!replication || replication.replicas <= 0)
    return (await runScript(redis, renewLeaseScript, keys, args)) === 1
  const { result, replicated, acknowledged } = await runReplicatedScript(
    redis,
    renewLeaseScript,
    keys,
    args,
    replication,
  )
  if (result !== 1) return false
  return replicated ? true : { notReplicated: true, acknowledged }
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
