import { childLogger, type Logger } from '../lib/logger.js'
import { observePrediction } from '../metrics/metrics.js'
import { type ChainHealth, readChainHealth } from '../store/chainHealth.js'
import { closeConnection } from '../store/closeConnection.js'
import { copyConnection } from '../store/connect.js'
import { readChainIds } from '../store/readChainIds.js'
import { readPredictions } from '../store/readPredictions.js'
import type { StoreClient } from '../store/scripts.js'
import { type PredictionSubscription, subscribePredictions } from '../store/subscribePredictions.js'
import { withStoreTimeout } from '../store/withStoreTimeout.js'
import { type StoredPrediction, StoredPredictionSchema } from './schemas.js'

/**
 * The latest prediction of every chain, in memory, so a request costs no Redis round trip.
 * It follows the predictor's pub/sub channel, reads every key once at start, and re-reads them on a
 * timer and on every reconnection (so a message missed while Redis was away is caught up). When Redis
 * is down it keeps what it has (the API marks answers stale as they age) and reconnects by itself.
 */

export type PredictionFeedParameters = {
  /** A connection to copy: the feed opens its own two (commands, subscriber) with the same options. */
  redis: StoreClient
  /**
   * Also read and follow the layout before issue 14 (predictors of the previous version, during a rolling
   * upgrade). Default false.
   */
  legacyLayout?: boolean | undefined
  /** Chains configured for this process; those listed in Redis (readChainIds) add others. */
  chains?: readonly number[] | undefined
  logger?: Logger | undefined
  /** Re-read every prediction key this often (ms). Default 5000. */
  resyncIntervalMs?: number | undefined
  /** Give up on one Redis read after this long (ms). Default 2000. */
  commandTimeoutMs?: number | undefined
  /** Longest wait between reconnection attempts (ms). Default 1000. */
  maxReconnectDelayMs?: number | undefined
  /** Called with each new prediction accepted (after the feed has stored it). */
  onPrediction?: ((prediction: StoredPrediction) => void) | undefined
}

export type FeedEntry = {
  readonly prediction: StoredPrediction
  /** Names this prediction: changes with the head block or a recomputation. Used for ETags. */
  readonly version: string
  /** When this process received it (ms). */
  readonly receivedAt: number
  /** Answers rendered from this prediction, by the API; dropped with the entry. */
  readonly memo: Map<string, unknown>
  /**
   * The W3C traceparent of the block trace that made this prediction (stored beside it when tracing is
   * on; never served): the API's request spans link to it.
   */
  readonly traceparent?: string | undefined
}

export type PredictionFeedStatus = {
  /** Both connections are up. */
  redisUp: boolean
  /** At least one full read of Redis has succeeded (so the list of chains is known). */
  synced: boolean
  lastSyncAt: number | null
}

export type PredictionFeed = {
  get(chainId: number): FeedEntry | undefined
  /** Configured, listed in Redis, or with a prediction. */
  isKnownChain(chainId: number): boolean
  /** Known chain ids, ascending. */
  chainIds(): number[]
  status(): PredictionFeedStatus
  /** What the chain's sampler refuses or doubts (read with the predictions), if it said anything. */
  health(chainId: number): ChainHealth | undefined
  /** Resolves once the first read of Redis has succeeded, or after `timeoutMs` (false then). */
  whenSynced(timeoutMs?: number): Promise<boolean>
  /** Re-reads the chain set and every prediction now. */
  resync(): Promise<boolean>
  /**
   * A prediction this process's own predictor has just stored (or one a worker thread of it posted), as
   * the object and the JSON it stored: taken at once, without the pub/sub round trip, and without parsing
   * or checking it again (built by this code against the contract). The same prediction heard later over
   * pub/sub or read by a resync is recognised by its text and skipped. Returns whether it was taken (false:
   * not newer than the one held).
   */
  offer(local: LocalPrediction): boolean
  close(): Promise<void>
}

/** A prediction handed over in memory: see PredictionFeed.offer. */
export type LocalPrediction = {
  prediction: StoredPrediction
  /** The JSON text stored in Redis (what pub/sub and a resync will deliver). */
  json: string
  traceparent?: string | undefined
}

const traceparentForm = /^00-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/

/** The stored prediction's internal traceparent field (schema stripped it), when it is one. */
const traceparentIn = (json: unknown): string | undefined => {
  const value = (json as { traceparent?: unknown }).traceparent
  return typeof value === 'string' && traceparentForm.test(value) ? value : undefined
}

const versionOf = (p: StoredPrediction) => `${p.chainId}-${p.blockNumber}-${p.createdAt.toString(36)}`

// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one closure owns the feed's state (entries, connections, sync status); its steps (accept, resync, onConnectionChange, close) are short named functions inside it
export function createPredictionFeed({
  redis,
  chains = [],
  logger,
  resyncIntervalMs = 5_000,
  commandTimeoutMs = 2_000,
  maxReconnectDelayMs = 1_000,
  onPrediction,
  legacyLayout = false,
}: PredictionFeedParameters): PredictionFeed {
  const log = logger && childLogger(logger, { component: 'prediction-feed' })
  // Commands fail at once while disconnected (no offline queue): a resync never piles up.
  const cmd = copyConnection(redis, {
    offlineQueue: false,
    maxRetriesPerRequest: 1,
    maxReconnectDelayMs,
    connectionName: 'feecast-api-feed',
  })
  const sub = copyConnection(redis, {
    maxReconnectDelayMs,
    connectionName: 'feecast-api-feed-sub',
    subscriber: true,
  })
  let subscription: Promise<PredictionSubscription> | undefined

  const configured = new Set(chains)
  let listed = new Set<number>()
  const entries = new Map<number, FeedEntry>()
  const rawOf = new Map<number, string>()
  const healthOf = new Map<number, ChainHealth>()
  const rejectedLoggedAt = new Map<string, number>()
  let synced = false
  let lastSyncAt: number | null = null
  let closed = false
  let syncing: Promise<boolean> | undefined
  let wasUp = false
  const syncWaiters = new Set<() => void>()

  /** Whether this text is the prediction held for some chain (a local one heard again over pub/sub). */
  const isHeld = (raw: string) => {
    for (const held of rawOf.values()) if (held === raw) return true
    return false
  }

  const accept = (raw: string, source: 'pubsub' | 'resync', keyChainId?: number) => {
    if (keyChainId !== undefined && entries.get(keyChainId) && raw === rawOf.get(keyChainId)) return
    if (keyChainId === undefined && isHeld(raw)) return
    let parsed: StoredPrediction
    let json: unknown
    try {
      json = JSON.parse(raw)
      const result = StoredPredictionSchema.safeParse(json)
      if (!result.success) {
        const issue = result.error.issues[0]
        warnOnce(
          `invalid:${keyChainId ?? 'pubsub'}`,
          { source, path: issue?.path.join('.'), problem: issue?.message },
          'ignored a prediction that does not match the schema',
        )
        return
      }
      parsed = result.data
    } catch {
      warnOnce(`json:${keyChainId ?? 'pubsub'}`, { source }, 'ignored a prediction that is not JSON')
      return
    }
    store(parsed, raw, traceparentIn(json))
  }

  /** Holds the prediction if it is newer than the chain's current one (by createdAt, then block). */
  const store = (parsed: StoredPrediction, raw: string, traceparent: string | undefined): boolean => {
    const current = entries.get(parsed.chainId)?.prediction
    if (
      current &&
      !(
        parsed.createdAt > current.createdAt ||
        (parsed.createdAt === current.createdAt && parsed.blockNumber > current.blockNumber)
      )
    )
      return false
    entries.set(parsed.chainId, {
      prediction: parsed,
      version: versionOf(parsed),
      receivedAt: Date.now(),
      memo: new Map(),
      traceparent,
    })
    rawOf.set(parsed.chainId, raw)
    observePrediction(parsed)
    onPrediction?.(parsed)
    return true
  }

  const warnOnce = (key: string, fields: Record<string, unknown>, message: string) => {
    const now = Date.now()
    if ((rejectedLoggedAt.get(key) ?? 0) > now - 60_000) return
    rejectedLoggedAt.set(key, now)
    log?.warn(fields, message)
  }

  const bounded = <T>(what: string, promise: Promise<T>): Promise<T> =>
    withStoreTimeout(what, promise, commandTimeoutMs)

  const chainIds = () => [...new Set([...configured, ...listed, ...entries.keys()])].sort((a, b) => a - b)

  const resync = (): Promise<boolean> => {
    if (closed || cmd.status !== 'ready') return Promise.resolve(false)
    if (syncing) return syncing
    syncing = (async () => {
      try {
        listed = new Set(await bounded('readChainIds', readChainIds(cmd)))
        const ids = chainIds()
        // Chains that appeared since (listed by a new predictor): follow their channels too, before
        // reading their keys, so nothing announced in between is missed.
        await bounded('subscribe', subscription?.then((s) => s.add(ids)) ?? Promise.resolve())
        const predictions = await bounded(
          'readPredictions',
          readPredictions(cmd, { chainIds: ids, legacyLayout }),
        )
        for (const [chainId, json] of predictions) accept(json, 'resync', chainId)
        const healths = await bounded(
          'readChainHealth',
          Promise.all(ids.map((chainId) => readChainHealth(cmd, { chainId }))),
        )
        for (const [i, chainId] of ids.entries()) {
          const health = healths[i]
          if (health) healthOf.set(chainId, health)
          else healthOf.delete(chainId)
        }
        synced = true
        lastSyncAt = Date.now()
        for (const wake of syncWaiters) wake()
        syncWaiters.clear()
        return true
      } catch (error) {
        log?.debug({ err: (error as Error).message }, 'resync failed')
        return false
      } finally {
        syncing = undefined
      }
    })()
    return syncing
  }

  const onConnectionChange = () => {
    if (closed) return
    const up = cmd.status === 'ready' && sub.status === 'ready'
    if (up === wasUp) return
    wasUp = up
    if (up) log?.info('redis reachable: following predictions')
    else log?.warn('redis unreachable: answering from memory, reconnecting')
  }
  for (const connection of [cmd, sub]) {
    // Without a listener an 'error' event would crash the process; reconnection is ioredis's job.
    connection.on('error', (error: Error) => log?.debug({ err: error.message }, 'redis connection error'))
    connection.on('ready', () => {
      onConnectionChange()
      void resync()
    })
    connection.on('close', onConnectionChange)
  }
  subscription = subscribePredictions(sub, {
    chainIds: chainIds(),
    onPrediction: (json) => accept(json, 'pubsub'),
    legacyLayout,
  })
  subscription.catch((error: Error) => log?.warn({ err: error.message }, 'subscribe failed'))

  const timer = setInterval(() => void resync(), resyncIntervalMs)
  timer.unref()

  return {
    get: (chainId) => entries.get(chainId),
    isKnownChain: (chainId) => configured.has(chainId) || listed.has(chainId) || entries.has(chainId),
    chainIds,
    status: () => ({ redisUp: cmd.status === 'ready' && sub.status === 'ready', synced, lastSyncAt }),
    health: (chainId) => healthOf.get(chainId),
    whenSynced: (timeoutMs = 10_000) =>
      synced
        ? Promise.resolve(true)
        : new Promise<boolean>((resolve) => {
            const wake = () => {
              clearTimeout(t)
              resolve(true)
            }
            const t = setTimeout(() => {
              syncWaiters.delete(wake)
              resolve(false)
            }, timeoutMs)
            syncWaiters.add(wake)
          }),
    resync,
    offer: ({ prediction, json, traceparent }) => !closed && store(prediction, json, traceparent),
    close: async () => {
      if (closed) return
      closed = true
      clearInterval(timer)
      await Promise.all(
        [sub, cmd].map((connection) => closeConnection(connection, { timeoutMs: commandTimeoutMs })),
      )
    },
  }
}
