import type { TrustedProxies } from '../../lib/trustedProxies.js'
import type { Context } from '../core/context.js'
import type { Step } from '../core/pipeline.js'
import { errorAnswer } from '../httpErrors.js'

export type RateLimitParameters = {
  /** Sustained requests per second per key. */
  perSecond: number
  /** Requests a key may make at once above the sustained rate. */
  burst: number
  /** What a client is (default: its address). */
  keyOf?: (c: Context) => string
  /** Requests this returns true for are not counted (probes, scrapes). */
  skip?: (c: Context) => boolean
}

/** The client's address: the socket's, or, when that is a trusted proxy, the one it forwarded for. */
export function clientAddress(c: Context, isTrustedProxy: TrustedProxies): string {
  return clientAddressFrom(c.headers.forwardedFor, c.req.socket?.remoteAddress, isTrustedProxy)
}

/**
 * The client's address from its socket and X-Forwarded-For header. The header is believed only when
 * the socket's peer is a trusted proxy; then the rightmost entry that is not itself a trusted proxy is
 * the client (entries to its left were written by the client and prove nothing).
 */
export function clientAddressFrom(
  forwardedFor: string | undefined,
  remoteAddress: string | undefined,
  isTrustedProxy: TrustedProxies,
): string {
  if (forwardedFor && isTrustedProxy(remoteAddress)) {
    const hops = forwardedFor.split(',')
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = (hops[i] as string).trim().slice(0, 64)
      if (hop === '') continue
      if (!isTrustedProxy(hop)) return hop
    }
  }
  return remoteAddress ?? 'unknown'
}

export type TokenBucketsParameters = {
  /** Sustained requests per second per key (0: no limit). */
  perSecond: number
  /** Requests a key may make at once above the sustained rate. */
  burst: number
}

export type TokenBuckets = {
  /**
   * Takes one request's token for `key` at `at` (ms: the request's clock, Context.now, so a request reads
   * the clock once): undefined when allowed, else the seconds to wait (Retry-After). A refused request
   * takes nothing.
   */
  take(key: string, at: number): number | undefined
  /** Buckets held now: what the sweep keeps bounded. */
  readonly size: number
}

/**
 * A token bucket per client: `burst` requests at once, refilled at `perSecond`. Buckets that have
 * refilled are swept, so memory stays bounded by the clients of the last few seconds.
 */
export function createTokenBuckets({ perSecond, burst }: TokenBucketsParameters): TokenBuckets {
  if (!(perSecond > 0)) return { take: () => undefined, size: 0 }
  const buckets = new Map<string, Bucket>()
  const refillMs = (burst / perSecond) * 1000
  // The first take sweeps the empty map and starts the count on the request clock it was given.
  let lastSweep = Number.NEGATIVE_INFINITY
  const sweep = (t: number) => {
    lastSweep = t
    for (const [key, b] of buckets) if (t - b.at >= refillMs) buckets.delete(key)
  }
  return {
    take(key, t) {
      if (t - lastSweep > Math.max(10_000, refillMs)) sweep(t)
      let b = buckets.get(key)
      if (b === undefined) {
        b = { tokens: burst, at: t }
        buckets.set(key, b)
      } else {
        b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond)
        b.at = t
      }
      if (b.tokens < 1) return Math.max(1, Math.ceil((1 - b.tokens) / perSecond))
      b.tokens -= 1
      return undefined
    },
    get size() {
      return buckets.size
    },
  }
}

type Bucket = { tokens: number; at: number }

/**
 * Rate limits per client with token buckets, on the request's clock (Context.now, read once per request).
 * Over the limit the answer is 429 with Retry-After.
 */
export function rateLimit({
  perSecond,
  burst,
  keyOf = (c) => clientAddress(c, () => false),
  skip,
}: RateLimitParameters): Step {
  if (!(perSecond > 0)) return () => undefined
  const buckets = createTokenBuckets({ perSecond, burst })
  return (c) => {
    if (skip?.(c)) return undefined
    const retryAfter = buckets.take(keyOf(c), c.now)
    if (retryAfter === undefined) return undefined
    return errorAnswer(
      c,
      429,
      'rate_limited',
      `Too many requests: at most ${perSecond} per second (bursts of ${burst}) per client. Retry after ${retryAfter} s.`,
      {},
      ['Retry-After', String(retryAfter)],
    )
  }
}
