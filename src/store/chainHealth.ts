import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'

/**
 * What the sampler of a chain refuses or doubts, for the predictor (trust) and the API (/readyz) to
 * say. Written by the sampler leader when it changes; read by anyone.
 */
export type ChainHealth = {
  /** unix ms of the last change */
  updatedAt: number
  /** Blocks being refused now (cleared by the next block stored). */
  rejecting: {
    block: number
    reason: string
    /** Already redacted: it reaches logs and /readyz. */
    problem: string
    /** unix ms of the first refusal of this episode */
    since: number
    attempts: number
  } | null
  /** The chain's blocks stopped following its known base-fee rule (accepted, with low trust). */
  ruleMismatch: { problem: string; since: number } | null
  /**
   * The sampler keeps failing for another reason than a refused block (its node unreachable, say):
   * from the third failure in a row, cleared by the next block stored. Absent in records written
   * before it existed.
   */
  failing?: {
    /** Already redacted: it reaches logs and /readyz. */
    problem: string
    /** unix ms of the failure that began the episode */
    since: number
  } | null
}

export const healthyChain = (now: number): ChainHealth => ({
  updatedAt: now,
  rejecting: null,
  ruleMismatch: null,
  failing: null,
})

export async function writeChainHealth(
  redis: StoreClient,
  { chainId, health }: { chainId: number; health: ChainHealth },
): Promise<void> {
  await redis.set(storeKeys(chainId).health, JSON.stringify(health))
}

/** The chain's health, or null when none was written (or it does not parse: it is advisory). */
export async function readChainHealth(
  redis: StoreClient,
  { chainId }: { chainId: number },
): Promise<ChainHealth | null> {
  const text = await redis.get(storeKeys(chainId).health)
  if (text === null) return null
  try {
    const parsed = JSON.parse(text) as ChainHealth
    return typeof parsed.updatedAt === 'number' ? parsed : null
  } catch {
    return null
  }
}
