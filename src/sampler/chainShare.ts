import type { Logger } from '../lib/logger.js'
import { announceSampler, withdrawSampler } from '../store/samplerPresence.js'
import type { StoreClient } from '../store/scripts.js'
import { withStoreTimeout } from '../store/withStoreTimeout.js'

export type CreateChainShareParameters = {
  redis: StoreClient
  /** This replica's name (host:pid:random). */
  owner: string
  /** The chains every sampler replica samples (K). */
  chains: number
  /** The lease TTL: presence is renewed every sixth of it and runs out after two thirds of it. */
  ttlMs: number
  logger: Logger
  /** unix ms (tests). */
  now?: () => number
}

export type ChainShare = {
  /** Announces this replica and counts the others once; then keeps announcing in the background. */
  start(): Promise<void>
  /** Withdraws this replica. Never throws. */
  stop(): Promise<void>
  /** This replica's share: ceil(K / R), R the live replicas. */
  target(): number
  /** Whether this replica may take the lease of `chainId` now (it leads fewer chains than its share). */
  mayTake(chainId: number): boolean
  /** Whether it should hand the lease of `chainId` over (it leads more than its share; one at a time). */
  shouldYield(chainId: number): boolean
  /** The lease keepers say which chains this replica leads. */
  leading(chainId: number, leads: boolean): void
}

/**
 * How sampler replicas share K chains: each announces itself in Redis (a sorted set of presences that run
 * out within the lease TTL) and counts the live ones, R; each then takes a free lease only while it leads
 * fewer than ceil(K / R) chains, and hands one over (at most one per TTL) while it leads more. So R
 * replicas lead about K / R chains each; a dead replica's presence and leases run out after the TTL, R
 * drops, the survivors' share grows, and they take its chains over. Before the first count (Redis
 * unreachable) a replica counts itself alone, as before sharing existed.
 */
export function createChainShare({
  redis,
  owner,
  chains,
  ttlMs,
  logger,
  now = Date.now,
}: CreateChainShareParameters): ChainShare {
  // A presence runs out before a lease does, so by the time a dead replica's leases expire the
  // survivors already count it out and have room for its chains.
  const presenceMs = Math.max(100, Math.floor((ttlMs * 2) / 3))
  let replicas = 1
  /** When the count last changed: hand-overs wait until it has held for a TTL (replicas still starting). */
  let countSince = now()
  let lastYield = 0
  const led = new Set<number>()
  let timer: NodeJS.Timeout | undefined

  const announce = async () => {
    try {
      const counted = await withStoreTimeout(
        'announceSampler',
        announceSampler(redis, { owner, ttlMs: presenceMs, now: now() }),
        ttlMs,
      )
      if (counted.replicas !== replicas) {
        logger.info(
          { replicas: counted.replicas, chains, share: Math.ceil(chains / counted.replicas) },
          'sampler replicas changed',
        )
        replicas = counted.replicas
        countSince = now()
      }
    } catch (error) {
      logger.debug({ err: error }, 'could not announce this sampler replica')
    }
  }
  const target = () => Math.max(1, Math.ceil(chains / replicas))

  return {
    async start() {
      await announce()
      timer = setInterval(() => void announce(), Math.max(25, Math.floor(ttlMs / 6)))
      timer.unref()
    },
    async stop() {
      clearInterval(timer)
      await withStoreTimeout('withdrawSampler', withdrawSampler(redis, { owner }), ttlMs).catch(() => {})
    },
    target,
    mayTake: (chainId) => led.has(chainId) || led.size < target(),
    shouldYield(chainId) {
      const t = now()
      if (led.size <= target() || t - countSince < ttlMs || t - lastYield < ttlMs) return false
      // The highest chain id this replica leads goes first: deterministic, one at a time.
      if (chainId !== Math.max(...led)) return false
      lastYield = t
      return true
    },
    leading(chainId, leads) {
      if (leads) led.add(chainId)
      else led.delete(chainId)
    },
  }
}
