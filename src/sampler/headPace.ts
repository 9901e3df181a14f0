/**
 * The chain's pace as a new-head subscription sees it, and when its silence counts as a stall. Pure: the
 * subscription (headSubscription.ts) feeds it each notified head with the time it came. A hostile endpoint
 * chooses what it notifies, so a head counts toward the block time only if the sampler's stored head vouches
 * for it, and no burst of notifications can bring the stall below a few of the chain profile's block times.
 */

/** What the heads have shown of the chain's pace. */
export type HeadPace = {
  /** Time per block between the counted heads that moved the chain forward (ms), newest last. */
  readonly perBlock: readonly number[]
  /** The highest counted head, and when it came. */
  readonly highest: { readonly number: number; readonly at: number } | null
}

export type HeadPaceRules = {
  /** The chain profile's block time (ms). */
  blockTimeMs: number
  /** A subscription that brings no head for this many expected block times is stalled. */
  stallBlocks: number
}

export const noPace: HeadPace = { perBlock: [], highest: null }

/** A notified head more than this many blocks past the stored head does not count (the sampler has not seen it). */
export const maxBlocksAhead = 4
/** A stall is never called within fewer of the profile's block times than this, however fast heads came. */
export const minStallBlocks = 2
/** Block times kept to estimate the next one. */
const keptIntervals = 9

/**
 * The pace after head `number` came at `at`. It counts if it is ahead of the highest counted head and at most
 * `maxBlocksAhead` past `storedHead` (the sampler's; null before it stored any, when the first head anchors).
 * A counted head above what the stored head now vouches for (counted before any was stored, or a reorg
 * onto a shorter chain) is forgotten, so no number can stop the pace from being measured again.
 */
export function paceAfterHead(
  pace: HeadPace,
  number: number,
  at: number,
  storedHead: number | null,
): HeadPace {
  const limit = storedHead === null ? Number.POSITIVE_INFINITY : storedHead + maxBlocksAhead
  if (number > limit) return pace
  const highest = pace.highest !== null && pace.highest.number <= limit ? pace.highest : null
  if (highest !== null && number <= highest.number) return pace
  const perBlock =
    highest === null
      ? pace.perBlock
      : [...pace.perBlock, (at - highest.at) / (number - highest.number)].slice(-keptIntervals)
  return { perBlock, highest: { number, at } }
}

/** The block time measured (the median of the kept ones, once there are two), else the profile's. */
export function expectedBlockMs(pace: HeadPace, blockTimeMs: number): number {
  if (pace.perBlock.length < 2) return blockTimeMs
  const sorted = [...pace.perBlock].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? blockTimeMs
}

/** How long a live subscription may go without a head before it counts as stalled (ms). */
export function stallAfterMs(pace: HeadPace, { blockTimeMs, stallBlocks }: HeadPaceRules): number {
  return Math.max(minStallBlocks * blockTimeMs, stallBlocks * expectedBlockMs(pace, blockTimeMs))
}

/** Notifications on one subscription within a window of one profile block time. */
export type HeadRate = { readonly since: number; readonly heads: number }

/** More notifications than this within one profile block time is a flood: the socket is ended. */
export const maxHeadsPerBlock = 64

/** The rate after one more notification at `at`. */
export function rateAfterHead(rate: HeadRate | null, at: number, blockTimeMs: number): HeadRate {
  return rate === null || at - rate.since >= blockTimeMs
    ? { since: at, heads: 1 }
    : { since: rate.since, heads: rate.heads + 1 }
}

export const isFlood = (rate: HeadRate): boolean => rate.heads > maxHeadsPerBlock
