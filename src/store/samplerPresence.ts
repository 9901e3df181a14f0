import { samplersKey } from './keys.js'
import type { StoreClient } from './scripts.js'

export type AnnounceSamplerParameters = {
  /** This replica's name (host:pid:random). */
  owner: string
  /** How long the announcement holds without a renewal (ms). */
  ttlMs: number
  /** unix ms (the caller's clock; replicas' clocks should agree within a fraction of ttlMs). */
  now: number
}

/** The sampler replicas alive now, this one included. */
export type AnnounceSamplerReturnType = { replicas: number }

/**
 * Says this sampler replica is alive until now + ttlMs, forgets replicas whose announcement ran out,
 * and counts those left (one MULTI on one key, so legal on a Cluster).
 */
export async function announceSampler(
  redis: StoreClient,
  { owner, ttlMs, now }: AnnounceSamplerParameters,
): Promise<AnnounceSamplerReturnType> {
  const replies = await redis
    .multi()
    .zadd(samplersKey, now + ttlMs, owner)
    .zremrangebyscore(samplersKey, '-inf', `(${now}`)
    .zcard(samplersKey)
    .exec()
  const count = replies?.[2]
  if (!count || count[0]) throw count?.[0] ?? new Error('Redis answered no reply to ZCARD')
  return { replicas: Math.max(1, Number(count[1])) }
}

/** Withdraws this replica (a clean stop), so the others count it out at once. */
export async function withdrawSampler(redis: StoreClient, { owner }: { owner: string }): Promise<void> {
  await redis.zrem(samplersKey, owner)
}
