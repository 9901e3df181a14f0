import type { Context } from 'hono'
import type { ApiEnv } from '../env.js'
import { jsonError } from '../httpErrors.js'
import { requestHeader } from '../nodeHeaders.js'
import type { Step } from './edge.js'

export type RateLimitParameters = {
  /** Sustained requests per second per key. */
  perSecond: number
  /** Requests a key may make at once above the sustained rate. */
  burst: number
  /** What a client is (default: its address). */
  keyOf?: (c: Context<ApiEnv>) => string
  /** Requests this returns true for are not counted (probes, scrapes). */
  skip?: (c: Context<ApiEnv>) => boolean
  now?: () => number
}

/** The client's address: the socket's, or behind one trusted proxy the last X-Forwarded-For entry. */
export function clientAddress(c: Context<ApiEnv>, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = requestHeader(c, 'x-forwarded-for')
    if (forwarded) {
      const last = forwarded.slice(forwarded.lastIndexOf(',') + 1).trim()
      if (last !== '') return last.slice(0, 64)
    }
  }
  return c.env?.incoming?.socket?.remoteAddress ?? 'unknown'
}

type Bucket = { tokens: number; at: number }

/**
 * A token bucket per client: `burst` requests at once, refilled at `perSecond`. Over the limit the
 * answer is 429 with Retry-After. Buckets that have refilled are swept, so memory stays bounded by the
 * clients of the last few seconds.
 */
export function rateLimit({
  perSecond,
  burst,
  keyOf = (c) => clientAddress(c, false),
  skip,
  now = Date.now,
}: RateLimitParameters): Step {
  if (!(perSecond > 0)) return () => undefined
  const buckets = new Map<string, Bucket>()
  const refillMs = (burst / perSecond) * 1000
  let lastSweep = now()
  const sweep = (t: number) => {
    lastSweep = t
    for (const [key, b] of buckets) if (t - b.at >= refillMs) buckets.delete(key)
  }
  return (c) => {
    if (skip?.(c)) return undefined
    const t = now()
    if (t - lastSweep > Math.max(10_000, refillMs)) sweep(t)
    const key = keyOf(c)
    let b = buckets.get(key)
    if (b === undefined) {
      b = { tokens: burst, at: t }
      buckets.set(key, b)
    } else {
      b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond)
      b.at = t
    }
    if (b.tokens < 1) {
      const retryAfter = Math.max(1, Math.ceil((1 - b.tokens) / perSecond))
      return jsonError(
        c,
        429,
        'rate_limited',
        `Too many requests: at most ${perSecond} per second (bursts of ${burst}) per client. Retry after ${retryAfter} s.`,
        {},
        { 'Retry-After': String(retryAfter) },
      )
    }
    b.tokens -= 1
    return undefined
  }
}
