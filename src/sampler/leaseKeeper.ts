import type { Logger } from '../lib/logger.js'
import {
  acquireLease,
  epochOf,
  type LeaseReplication,
  readLease,
  releaseLease,
  renewLease,
} from '../store/lease.js'
import type { StoreClient } from '../store/scripts.js'
import { withStoreTimeout } from '../store/withStoreTimeout.js'
import type { ChainShare } from './chainShare.js'

/** What changed about this replica's hold on the chain. */
export type LeaseChange =
  | { type: 'leader'; token: string }
  /** Another replica holds the lease (said once per wait, not on every attempt). */
  | { type: 'standby'; holder: string | null }
  | { type: 'lease-lost'; why: string }

export type CreateLeaseKeeperParameters = {
  redis: StoreClient
  chainId: number
  /** This replica's name in the lease (host:pid:random). */
  owner: string
  /** A dead leader's lease expires after this; a standby then takes over. */
  ttlMs: number
  /** Limit on each Redis call. */
  storeTimeoutMs: number
  logger: Logger
  onChange: (change: LeaseChange) => void
  /** Lease writes wait for replicas (REDIS_LEASE_REPLICAS): they survive a failover. */
  replication?: LeaseReplication | undefined
  /** The replicas share the chains: this one takes a free lease only while under its share. */
  share?: ChainShare | undefined
}

export type LeaseKeeper = {
  /**
   * Holds the chain's lease, taking it when it is free: true while this replica leads, false while
   * another one does. A Redis failure throws (the caller retries).
   */
  ensure(): Promise<boolean>
  /**
   * The fencing token while the lease counts as held: taken, and renewed within its TTL. Redis may be
   * unreachable meanwhile, so the TTL since the last renewal that Redis answered is what counts.
   */
  token(): string | null
  /** Stops counting on the lease (a fenced write was refused); the next ensure() tries to take it again. */
  lose(why: string): void
  /** Stops renewing and frees the lease, so a standby takes over at once instead of after the TTL. Never throws. */
  release(): Promise<void>
}

/**
 * The sampler's hold on its chain's leader lease: acquire, renew in the background (every third of the
 * TTL), lose, release. Only the holder writes the chain; its token fences every write.
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one closure owns the lease's state (token, epoch floor, expiry, timer); its steps (renew, standBy, lead, lose, ensure, release) are short named functions inside it
export function createLeaseKeeper({
  redis,
  chainId,
  owner,
  ttlMs,
  storeTimeoutMs,
  logger,
  onChange,
  replication,
  share,
}: CreateLeaseKeeperParameters): LeaseKeeper {
  let token: string | null = null
  /** The highest epoch seen on this chain: a new lease is above it, whatever a failover rolled back. */
  let maxEpoch = 0
  const seen = (lease: string) => {
    const epoch = epochOf(lease)
    if (Number.isSafeInteger(epoch) && epoch > maxEpoch) maxEpoch = epoch
  }
  let validUntil = 0
  let renewTimer: NodeJS.Timeout | undefined
  let renewing = false
  let standbyAnnounced = false
  const store = <T>(what: string, promise: Promise<T>) => withStoreTimeout(what, promise, storeTimeoutMs)

  const held = () => token !== null && Date.now() < validUntil

  const lose = (why: string) => {
    if (token === null) return
    token = null
    clearInterval(renewTimer)
    renewTimer = undefined
    share?.leading(chainId, false)
    logger.warn({ why }, 'lost the lease; no longer writing')
    onChange({ type: 'lease-lost', why })
  }

  const renew = async () => {
    const current = token
    if (current === null || renewing) return
    renewing = true
    const sentAt = Date.now()
    try {
      const ok = await store('renewLease', renewLease(redis, { chainId, token: current, ttlMs, replication }))
      if (token !== current) return
      if (ok === true) validUntil = sentAt + ttlMs
      else if (ok === false) lose('renewal refused: the lease expired or another replica holds it')
      // Not on the replicas in time: the extension does not count (the lease runs out unless a later one does).
      else
        logger.warn(
          { acknowledged: ok.acknowledged },
          'lease renewal not acknowledged by the replicas in time',
        )
    } catch (error) {
      // Redis unreachable: keep trying; the lease counts as held only until its TTL runs out since the last renewal.
      logger.debug({ err: error }, 'lease renewal failed')
    } finally {
      renewing = false
    }
  }

  const standBy = async () => {
    if (standbyAnnounced) return
    standbyAnnounced = true
    const holder = await store('readLease', readLease(redis, { chainId }))
      .then((lease) => {
        if (lease) seen(lease.token)
        return lease?.owner ?? null
      })
      .catch(() => null)
    logger.info({ holder }, 'another replica holds the lease; standing by')
    onChange({ type: 'standby', holder })
  }

  const lead = (acquired: string, sentAt: number) => {
    token = acquired
    seen(acquired)
    share?.leading(chainId, true)
    validUntil = sentAt + ttlMs
    standbyAnnounced = false
    clearInterval(renewTimer)
    renewTimer = setInterval(() => void renew(), Math.max(50, Math.floor(ttlMs / 3)))
    logger.info({ token: acquired }, 'holding the lease: sampling')
    onChange({ type: 'leader', token: acquired })
  }

  return {
    async ensure() {
      if (held() && token !== null) {
        if (!share?.shouldYield(chainId)) return true
        // More chains than this replica's share while others have room: hand this one over.
        const current = token
        lose(`handed over: this replica leads more than its share (${share.target()}) of the chains`)
        await store('releaseLease', releaseLease(redis, { chainId, token: current })).catch(() => {})
        return false
      }
      if (token !== null) lose('not renewed within its TTL')
      if (share && !share.mayTake(chainId)) {
        await standBy()
        return false
      }
      const sentAt = Date.now()
      const acquired = await store(
        'acquireLease',
        acquireLease(redis, { chainId, owner, ttlMs, minEpoch: maxEpoch, replication }),
      )
      if (acquired === null) {
        await standBy()
        return false
      }
      if (typeof acquired !== 'string') {
        // Taken on the primary but not yet on its replicas: a failover now could hand it to another
        // replica too. It is asked for again (this owner gets it back) until the replicas have it.
        logger.warn({ acknowledged: acquired.acknowledged }, 'lease not acknowledged by the replicas in time')
        return false
      }
      lead(acquired, sentAt)
      return true
    },
    token: () => (held() ? token : null),
    lose,
    async release() {
      clearInterval(renewTimer)
      renewTimer = undefined
      const current = token
      token = null
      if (current === null) return
      share?.leading(chainId, false)
      // Released, a standby takes over at once; and a write of an abandoned block, if any, is now refused.
      await store('releaseLease', releaseLease(redis, { chainId, token: current })).catch((error) =>
        logger.warn({ err: error }, 'could not release the lease; it expires on its own'),
      )
    },
  }
}
