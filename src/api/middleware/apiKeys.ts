import { createHash } from 'node:crypto'
import type { ApiKeyConfig } from '../../config.js'
import type { Context } from '../core/context.js'
import type { Step } from '../core/pipeline.js'
import { errorAnswer } from '../httpErrors.js'
import { createTokenBuckets, type TokenBuckets } from './rateLimit.js'

export type ApiKeyRejection = 'missing' | 'unknown'

type KeyEntry = { id: string; perSecond: number; burst: number; buckets: TokenBuckets }

export type ApiKeys = {
  /** False when no key is configured: the API is open. */
  readonly enabled: boolean
  /** The key a request presents (Authorization: Bearer, or X-API-Key), or why there is none. */
  identify(
    authorization: string | undefined,
    xApiKey: string | undefined,
  ): { ok: true; key: KeyEntry } | { ok: false; reason: ApiKeyRejection }
  /**
   * One request's token from the key's own bucket at `at` (ms, the request's clock): undefined when
   * allowed, else seconds to wait.
   */
  take(key: KeyEntry, at: number): number | undefined
}

/** Keys are compared by their SHA-256: the lookup takes the same time whatever bytes a guess shares. */
const digest = (key: string) => createHash('sha256').update(key).digest('hex')

const bearer = /^Bearer[ ]+(\S+)\s*$/i

/** The configured keys, each with its own token bucket. Never holds a key in clear after this call. */
export function createApiKeys(keys: readonly ApiKeyConfig[]): ApiKeys {
  const byDigest = new Map<string, KeyEntry>()
  for (const k of keys)
    byDigest.set(digest(k.key), {
      id: k.id,
      perSecond: k.perSecond,
      burst: k.burst,
      buckets: createTokenBuckets({ perSecond: k.perSecond, burst: k.burst }),
    })
  return {
    enabled: byDigest.size > 0,
    identify(authorization, xApiKey) {
      const presented = (authorization && bearer.exec(authorization)?.[1]) || xApiKey?.trim()
      if (!presented) return { ok: false, reason: 'missing' }
      const key = byDigest.get(digest(presented))
      return key ? { ok: true, key } : { ok: false, reason: 'unknown' }
    },
    take: (key, at) => key.buckets.take(key.id, at),
  }
}

export type ApiKeyAuthParameters = {
  keys: ApiKeys
  /** Requests that need no key (health checks, Prometheus). */
  skip?: (c: Context) => boolean
  onReject?: (reason: ApiKeyRejection) => void
  /**
   * Limits a client's refused requests (e.g. a rateLimit step by address): over it, its answer (429)
   * instead of 401, so guessing keys costs the guesser, as every other request does.
   */
  limitRefused?: Step
}

/**
 * With keys configured, every request but the skipped ones needs one: 401 without (or with an unknown
 * one; 429 once the client's refused requests pass limitRefused), 429 over the key's own rate limit. The key's id (never the key) goes in the context for the
 * logs. Without keys the step does nothing.
 */
export function apiKeyAuth({ keys, skip, onReject, limitRefused }: ApiKeyAuthParameters): Step {
  if (!keys.enabled) return () => undefined
  return (c) => {
    if (skip?.(c)) return undefined
    const found = keys.identify(c.headers.authorization, c.headers.apiKey)
    if (!found.ok) {
      onReject?.(found.reason)
      const limited = limitRefused?.(c)
      if (limited !== undefined) return limited
      return errorAnswer(
        c,
        401,
        'unauthorized',
        found.reason === 'missing'
          ? 'An API key is required: send it as Authorization: Bearer <key>, or as X-API-Key'
          : 'The API key is not valid',
        {},
        ['WWW-Authenticate', 'Bearer'],
      )
    }
    c.apiKeyId = found.key.id
    const retryAfter = keys.take(found.key, c.now)
    if (retryAfter === undefined) return undefined
    return errorAnswer(
      c,
      429,
      'rate_limited',
      `Too many requests: at most ${found.key.perSecond} per second (bursts of ${found.key.burst}) for this API key. Retry after ${retryAfter} s.`,
      {},
      ['Retry-After', String(retryAfter)],
    )
  }
}
