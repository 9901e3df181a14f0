import type { Logger } from '../lib/logger.js'
import { acquireLease, readLease, releaseLease, renewLease } from '../store/lease.js'
import type { StoreClient } from '../store/scripts.js'
import { withStoreTimeout } from '../store/withStoreTimeout.js'

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
 * (Long as a whole: its short inner functions share the lease's state.)
 */
export function createLeaseKeeper({
  redis,
  chainId,
  owner,
  ttlMs,
  storeTimeoutMs,
  logger,
  onChange,
}: CreateLeaseKeeperParameters): LeaseKeeper {
  let token: string | null = null
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
    logger.warn({ why }, 'lost the lease; no longer writing')
    onChange({ type: 'lease-lost', why })
  }

  const renew = async () => {
    const current = token
    if (current === null || renewing) return
    renewing = true
    const sentAt = Date.now()
    try {
      const ok = await store('renewLease', renewLease(redis, { chainId, token: current, ttlMs }))
      if (token !== current) return
      if (ok) validUntil = sentAt + ttlMs
      else lose('renewal refused: the lease expired or another replica holds it')
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
      .then((lease) => lease?.owner ?? null)
      .catch(() => null)
    logger.info({ holder }, 'another replica holds the lease; standing by')
    onChange({ type: 'standby', holder })
  }

  const lead = (acquired: string, sentAt: number) => {
    token = acquired
    validUntil = sentAt + ttlMs
    standbyAnnounced = false
    clearInterval(renewTimer)
    renewTimer = setInterval(() => void renew(), Math.max(50, Math.floor(ttlMs / 3)))
    logger.info({ token: acquired }, 'holding the lease: sampling')
    onChange({ type: 'leader', token: acquired })
  }

  return {
    async ensure() {
      if (held()) return true
      if (token !== null) lose('not renewed within its TTL')
      const sentAt = Date.now()
      const acquired = await store('acquireLease', acquireLease(redis, { chainId, owner, ttlMs }))
      if (acquired === null) {
        await standBy()
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
      // Released, a standby takes over at once; and a write of an abandoned block, if any, is now refused.
      await store('releaseLease', releaseLease(redis, { chainId, token: current })).catch((error) =>
        logger.warn({ err: error }, 'could not release the lease; it expires on its own'),
      )
    },
  }
}
