import { Cluster, Redis, type RedisOptions } from 'ioredis'
import type { StoreClient } from './scripts.js'

/** host:port of a Sentinel or a Cluster node. */
export type StoreNode = { host: string; port: number }

/** Where Redis is: one server (REDIS_URL), a Sentinel set, or a Cluster. */
export type StoreTarget =
  | { kind: 'url'; url: string }
  | {
      kind: 'sentinel'
      sentinels: readonly StoreNode[]
      /** The master's name in the Sentinels' configuration (REDIS_SENTINEL_NAME). */
      name: string
      /** The data servers' ACL user and password (REDIS_USERNAME, REDIS_PASSWORD). */
      username?: string | undefined
      password?: string | undefined
      /** The Sentinels' own password (REDIS_SENTINEL_PASSWORD). */
      sentinelPassword?: string | undefined
    }
  | {
      kind: 'cluster'
      nodes: readonly StoreNode[]
      username?: string | undefined
      password?: string | undefined
    }

export type ConnectionOptions = {
  /** Commands sent while disconnected wait for the connection (true) or fail at once (false). Default true. */
  offlineQueue?: boolean
  /** Retries of one command across reconnections (null: forever). Default null. */
  maxRetriesPerRequest?: number | null
  /** Longest wait between reconnection attempts (ms). Default 1000. */
  maxReconnectDelayMs?: number
  connectionName?: string
  /** A subscriber connection: on a Cluster it follows sharded channels on each slot's node. */
  subscriber?: boolean
}

/** Whether the client is a Redis Cluster client (sharded pub/sub, slot rules). */
export const isCluster = (client: StoreClient): client is Cluster =>
  (client as Partial<Cluster>).isCluster === true

/**
 * An old primary that comes back as a replica answers writes with READONLY: reconnect (through the
 * Sentinels, to the new primary) and resend the command.
 */
const reconnectOnReadonly = (error: Error): 2 | false => (error.message.startsWith('READONLY') ? 2 : false)

const retryStrategyOf = (maxDelayMs: number) => (times: number) =>
  Math.min(50 * 2 ** Math.min(times, 10), maxDelayMs)

function makeConnection(target: StoreTarget, options: ConnectionOptions): StoreClient {
  const {
    offlineQueue = true,
    maxRetriesPerRequest = null,
    maxReconnectDelayMs = 1_000,
    connectionName,
    subscriber = false,
  } = options
  const common: RedisOptions = {
    maxRetriesPerRequest,
    enableOfflineQueue: offlineQueue,
    reconnectOnError: reconnectOnReadonly,
    ...(connectionName === undefined ? {} : { connectionName }),
  }
  const retryStrategy = retryStrategyOf(maxReconnectDelayMs)
  switch (target.kind) {
    case 'url':
      return new Redis(target.url, { ...common, retryStrategy })
    case 'sentinel':
      return new Redis({
        ...common,
        retryStrategy,
        sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
        name: target.name,
        role: 'master',
        failoverDetector: true,
        sentinelRetryStrategy: retryStrategy,
        ...(target.username === undefined ? {} : { username: target.username }),
        ...(target.password === undefined ? {} : { password: target.password }),
        ...(target.sentinelPassword === undefined ? {} : { sentinelPassword: target.sentinelPassword }),
      })
    case 'cluster':
      return new Cluster(
        target.nodes.map(({ host, port }) => ({ host, port })),
        {
          enableOfflineQueue: offlineQueue,
          clusterRetryStrategy: retryStrategy,
          shardedSubscribers: subscriber,
          // A killed primary: refresh the slot table until its replica is promoted, then resend.
          retryDelayOnClusterDown: 200,
          retryDelayOnFailover: 200,
          retryDelayOnMoved: 50,
          redisOptions: {
            ...common,
            ...(target.username === undefined ? {} : { username: target.username }),
            ...(target.password === undefined ? {} : { password: target.password }),
          },
        },
      )
  }
}

/** The target a connection was made for, so copies of it (a subscriber, a feed's own) reach the same store. */
const targets = new WeakMap<StoreClient, StoreTarget>()

/**
 * A connection to the store through ioredis: a plain client for REDIS_URL, a Sentinel-aware client that
 * follows a failover by itself (asks the Sentinels for the new primary, and listens for their
 * switch-master announcements), or a Cluster client that follows slot moves and promoted replicas.
 */
export function connectStore(target: StoreTarget, options: ConnectionOptions = {}): StoreClient {
  const client = makeConnection(target, options)
  targets.set(client, target)
  return client
}

/**
 * Another connection to the same store with other options (a subscriber needs one of its own). A client
 * made elsewhere (tests pass a plain ioredis client) is copied with ioredis's duplicate().
 */
export function copyConnection(client: StoreClient, options: ConnectionOptions = {}): StoreClient {
  const target = targets.get(client)
  if (target) return connectStore(target, options)
  if (isCluster(client))
    return client.duplicate(undefined, {
      ...(options.offlineQueue === undefined ? {} : { enableOfflineQueue: options.offlineQueue }),
      shardedSubscribers: options.subscriber ?? false,
    })
  return client.duplicate({
    ...(options.offlineQueue === undefined ? {} : { enableOfflineQueue: options.offlineQueue }),
    ...(options.maxRetriesPerRequest === undefined
      ? {}
      : { maxRetriesPerRequest: options.maxRetriesPerRequest }),
    ...(options.maxReconnectDelayMs === undefined
      ? {}
      : { retryStrategy: retryStrategyOf(options.maxReconnectDelayMs) }),
    ...(options.connectionName === undefined ? {} : { connectionName: options.connectionName }),
  })
}
