import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { PublicClient } from 'viem'
import type { BlobSchedule } from '../chains/blobSchedule.js'
import { builtInBlobSchedule } from '../chains/blobSchedules.js'
import { type ChainProfile, chainProfile } from '../chains/chains.js'
import { FeecastError } from '../errors.js'
import { causeOf } from '../lib/causeOf.js'
import { childLogger, createLogger, type Logger } from '../lib/logger.js'
import type { RpcCallEvent } from '../rpc/createRpcTransport.js'
import type { WebSocketEndpoint } from '../rpc/webSocketEndpoint.js'
import type { StoreClient } from '../store/scripts.js'
import { withStoreTimeout } from '../store/withStoreTimeout.js'
import type { BlockRecord } from '../types.js'
import { createBlockFetcher } from './blockFetcher.js'
import { createBlockGate } from './blockGate.js'
import type { ChainShare } from './chainShare.js'
import { BlockRejectedError } from './errors.js'
import { failingReason } from './failingReason.js'
import { createFollowStep } from './followHeads.js'
import { createHeadSubscription } from './headSubscription.js'
import { createLeaseKeeper, type LeaseChange, type LeaseKeeper } from './leaseKeeper.js'
import { createHealthPublisher } from './publishChainHealth.js'
import { createSamplerClient } from './samplerClient.js'
import { createSamplerContext, type SamplerContext } from './samplerContext.js'
import type { RecordKind, SamplerEvent, SamplerRole } from './samplerEvents.js'
import { type CreateSamplerLoopParameters, createSamplerLoop, type SamplerLoop } from './samplerLoop.js'
import { syncWithNode } from './syncWithNode.js'

export type { RecordKind, SamplerEvent, SamplerRole } from './samplerEvents.js'

export type CreateSamplerParameters = {
  chainId: number
  redis: StoreClient
  /** The chain's endpoints, in order of preference (ignored when `client` is given). */
  rpcUrls?: readonly string[]
  /** Per call to one endpoint (default 8000 ms). */
  rpcTimeoutMs?: number
  /** Retry rounds over all endpoints (default 3). */
  rpcRetries?: number
  /** Largest RPC response body read (bytes, default 8 MiB). */
  rpcMaxResponseBytes?: number
  /** How long an endpoint's chain-id check holds (default 60000 ms). */
  rpcChainIdCheckIntervalMs?: number
  /** A ready viem client (e.g. createRpcClient with its own hooks) instead of rpcUrls. */
  client?: PublicClient
  /** Per-endpoint call counters for metrics (with rpcUrls). */
  onRpcCall?: (event: RpcCallEvent) => void
  /** Blocks backfilled on start. */
  historyBlocks: number
  /** Records kept in Redis; the oldest are trimmed. */
  maxStoredBlocks: number
  /** Of a backfill, the newest this many are fetched whole (tips); the rest through eth_feeHistory. */
  backfillFullBlocks: number
  pollIntervalMs: number
  /** A dead leader's lease expires after this; a standby then takes over. */
  leaseTtlMs: number
  /** Unique name of this replica in the lease (default host:pid:random). */
  owner?: string
  logger?: Logger
  /** Called after each record is durably stored. Errors it throws are logged, not propagated. */
  onRecord?: (record: BlockRecord, info: { kind: RecordKind }) => void
  onEvent?: (event: SamplerEvent) => void
  /** Full blocks fetched in parallel while catching up (default 4). */
  fetchConcurrency?: number
  /** Times in a row the node must lack a block below its head before it is left as a gap (default 3). */
  missingAttemptsBeforeGap?: number
  /** The chain's rules the sampler checks blocks against (default chainProfile(chainId)). */
  profile?: ChainProfile
  /** Blocks a chain must build on a base fee that breaks its known rule before it is followed (default 16). */
  ruleChangeConfirmations?: number
  /**
   * The chain's blob forks the blocks' blob fields are checked against (default: the chain id's built-in
   * schedule; a chain without one takes the node's eth_config).
   */
  blobSchedule?: BlobSchedule | undefined
  /** unix ms (tests). */
  now?: () => number
  /** Deepest reorg walked back block by block (default 128). */
  maxReorgDepth?: number
  /** Lease writes wait for this many replicas (REDIS_LEASE_REPLICAS; default 0: none). */
  leaseReplicas?: number
  /** The replicas share the chains (createChainShare): this one leads about its share of them. */
  share?: ChainShare
  /** Limit on any one Redis call (default max(2000, leaseTtlMs)). */
  storeTimeoutMs?: number
  /** How long stop() waits for the block in progress before giving up on it (default 10000 ms). */
  stopTimeoutMs?: number
  /**
   * The new-head subscription over the ws:// and wss:// endpoints: stalled after `stallBlocks` expected
   * block times without a head (default 3), and its reconnection back-off (defaults 250 and 30000 ms).
   */
  headSubscription?: { stallBlocks?: number; backoffBaseMs?: number; backoffMaxMs?: number }
}

export type Sampler = {
  /** Starts following the chain in the background; resolves at once (a standby may wait for a long time). */
  start(): Promise<void>
  /** Finishes the block in progress, releases the lease, resolves. */
  stop(): Promise<void>
  readonly role: SamplerRole
  /** The highest block this sampler knows is stored, or null. */
  readonly head: number | null
}

/**
 * The sampler of one chain, composed of named steps: the lease keeper (only the leader writes), the sync
 * step (backfill, or the gap since the stored head), the follow step (new heads one block at a time,
 * each checked against the stored head; a mismatch goes to the reorg step, which finds the common
 * ancestor and rewrites what is above it) and the loop that runs them, retrying any failure after a
 * jittered backoff from what is stored, so nothing is skipped and nothing is written twice.
 */
export function createSampler(parameters: CreateSamplerParameters): Sampler {
  const { chainId, stopTimeoutMs = 10_000 } = parameters
  const logger = childLogger(parameters.logger ?? createLogger('silent'), { component: 'sampler', chainId })
  const owner = parameters.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  const state: { role: SamplerRole } = { role: 'stopped' }
  const { context, keeper, loop, heads } = createSamplerParts(parameters, { logger, owner, state })
  let running: Promise<void> | undefined

  return {
    async start() {
      if (running) return
      state.role = 'standby'
      logger.info({ owner }, 'sampler starting')
      running = loop.run().catch((error) => logger.error({ err: error }, 'sampler loop crashed'))
    },

    async stop() {
      if (!running) return
      heads.stop()
      loop.stop()
      if (!(await settlesWithin(running, stopTimeoutMs)))
        logger.warn({ stopTimeoutMs }, 'the block in progress did not finish in time; stopping anyway')
      await keeper.release()
      state.role = 'stopped'
      running = undefined
      logger.info({ head: context.head?.number ?? null }, 'sampler stopped')
      context.emit({ type: 'stopped' })
    },

    get role() {
      return state.role
    },
    get head() {
      return context.head?.number ?? null
    },
  }
}

type SamplerParts = {
  context: SamplerContext
  keeper: LeaseKeeper
  loop: SamplerLoop
  heads: HeadFollower
}

/** The sampler's parts, wired together; `state.role` follows the lease. */
function createSamplerParts(
  parameters: CreateSamplerParameters,
  { logger, owner, state }: { logger: Logger; owner: string; state: { role: SamplerRole } },
): SamplerParts {
  const { chainId, redis, leaseTtlMs, pollIntervalMs, now = Date.now } = parameters
  const storeTimeoutMs = parameters.storeTimeoutMs ?? Math.max(2_000, leaseTtlMs)
  const store = <T>(what: string, promise: Promise<T>) => withStoreTimeout(what, promise, storeTimeoutMs)
  const { client, wrongChainSeen, webSockets } = parameters.client
    ? { client: parameters.client, wrongChainSeen: () => 0, webSockets: [] }
    : createSamplerClient({ ...parameters, logger })
  const gate = createBlockGate({
    profile: parameters.profile ?? chainProfile(chainId),
    now,
    blobSchedule: parameters.blobSchedule ?? builtInBlobSchedule(chainId),
    ...(parameters.ruleChangeConfirmations === undefined
      ? {}
      : { ruleChangeConfirmations: parameters.ruleChangeConfirmations }),
  })
  const leaseReplicas = parameters.leaseReplicas ?? 0
  const keeper = createLeaseKeeper({
    ...{ redis, chainId, owner, storeTimeoutMs, logger, ttlMs: leaseTtlMs, share: parameters.share },
    replication:
      leaseReplicas > 0
        ? { replicas: leaseReplicas, waitMs: Math.max(50, Math.floor(leaseTtlMs / 5)) }
        : undefined,
    onChange: (change) => onLeaseChange(change),
  })
  const blocks = createBlockFetcher({
    client,
    logger,
    missingAttemptsBeforeGap: parameters.missingAttemptsBeforeGap,
  })
  const context = createSamplerContext({
    ...{ chainId, client, redis, logger, blocks, gate, store, wrongChainSeen, keeper },
    maxStoredBlocks: parameters.maxStoredBlocks,
    now,
    publishHealth: () => publishHealth(),
    onRecord: parameters.onRecord,
    onEvent: parameters.onEvent,
    stopping: () => loop.stopping,
  })
  const publishHealth = createHealthPublisher({ chainId, redis, gate, logger, store, emit: context.emit })
  const heads = createHeadFollower(parameters, {
    ...{ webSockets, logger, emit: context.emit },
    storedHead: () => context.head?.number ?? null,
    wake: () => state.role === 'leader' && loop.wake(),
  })
  const loop = createSamplerLoop({
    keeper,
    ...createSteps(context, parameters, heads.take),
    pollIntervalMs,
    waitMs: heads.waitMs,
    acquireIntervalMs: Math.max(100, Math.min(1_000, leaseTtlMs / 4)),
    onFailure: (error, failures) =>
      reportFailure(context, { error, failures, phase: state.role, publishHealth }),
  })
  const onLeaseChange = (change: LeaseChange) => {
    // Only the leader follows new heads: a standby holds no subscription.
    if (change.type === 'leader') heads.start()
    else heads.pause()
    if (change.type === 'standby') state.role = 'standby'
    else {
      state.role = change.type === 'leader' ? 'leader' : loop.stopping ? 'stopped' : 'standby'
      // A new leader, or one that lost the lease, starts again from what is stored.
      loop.resync()
    }
    context.emit(change.type === 'lease-lost' ? { type: 'lease-lost' } : change)
  }
  return { context, keeper, loop, heads }
}

/** The sampler's new-head subscription, if it has WebSocket endpoints, and what the loop asks of it. */
type HeadFollower = {
  start(): void
  /** Ends the subscription (the lease was lost); start() subscribes again. */
  pause(): void
  /** Ends the subscription and closes the sockets. */
  stop(): void
  /** The highest notified head not yet taken by the follow step. */
  take(): number | null
  /** How long the loop waits between polls. */
  waitMs(): number
}

function createHeadFollower(
  parameters: CreateSamplerParameters,
  {
    webSockets,
    logger,
    emit,
    storedHead,
    wake,
  }: {
    webSockets: readonly WebSocketEndpoint[]
    logger: Logger
    emit: (event: SamplerEvent) => void
    storedHead: () => number | null
    wake: () => void
  },
): HeadFollower {
  let notified: number | null = null
  const profile = parameters.profile ?? chainProfile(parameters.chainId)
  const subscription =
    webSockets.length === 0
      ? null
      : createHeadSubscription({
          sockets: webSockets,
          logger,
          blockTimeMs: profile.blockTimeSeconds * 1000,
          storedHead,
          timeoutMs: parameters.rpcTimeoutMs ?? 8_000,
          ...parameters.headSubscription,
          onHead: (head) => {
            // A head below one already pending adds nothing (a late or reordered notification): no wake-up.
            if (notified !== null && head.number <= notified) return
            notified = head.number
            wake()
          },
          onChange: (change) => {
            emit({ type: 'head-subscription', ...change })
            // Live: one poll catches up with what came while polling; ended: polling starts now.
            wake()
          },
        })
  return {
    start: () => subscription?.start(),
    pause: () => subscription?.stop(),
    stop: () => {
      subscription?.stop()
      for (const socket of webSockets) socket.close()
    },
    take() {
      const head = notified
      notified = null
      return head
    },
    // While heads are pushed, a poll is only the safety net of a subscription that went silent.
    waitMs: () =>
      subscription?.live
        ? Math.max(parameters.pollIntervalMs, subscription.stallAfterMs())
        : parameters.pollIntervalMs,
  }
}

/** The sync and follow steps with the sampler's settings. */
function createSteps(
  context: SamplerContext,
  parameters: CreateSamplerParameters,
  takeNotifiedHead: () => number | null,
): Pick<CreateSamplerLoopParameters, 'sync' | 'follow'> {
  const { historyBlocks, backfillFullBlocks, fetchConcurrency = 4, maxReorgDepth = 128 } = parameters
  return {
    sync: () => syncWithNode(context, { historyBlocks, backfillFullBlocks, fetchConcurrency, maxReorgDepth }),
    follow: createFollowStep(context, {
      // A gap up to this size is filled block by block (whole blocks); a larger one goes through planSync.
      catchUpThreshold: Math.max(backfillFullBlocks, 32),
      maxReorgDepth,
      now: parameters.now ?? Date.now,
      takeNotifiedHead,
    }),
  }
}

/** A failed iteration, in the logs and events (a refused block also in the chain's health). */
function reportFailure(
  context: SamplerContext,
  {
    error,
    failures,
    phase,
    publishHealth,
  }: { error: unknown; failures: number; phase: SamplerRole; publishHealth: () => void },
): void {
  if (error instanceof BlockRejectedError) {
    context.emit({
      type: 'block-rejected',
      block: error.blockNumber,
      reason: error.reason,
      problem: error.shortMessage,
    })
    publishHealth()
  }
  const level = failures >= 3 || error instanceof BlockRejectedError ? 'warn' : 'info'
  // A failure that lasts is the chain's health too: /readyz names it (a refused block is already there).
  if (failures >= 3 && !(error instanceof BlockRejectedError)) {
    context.gate.failing(failingReason(error))
    publishHealth()
  }
  // feecast's own errors say what went wrong in one line (found behind viem's wrappers, whose own message is
  // 'An unknown RPC error occurred'); a stack helps only for the unexpected.
  const own = causeOf(error, FeecastError)
  const what = own ? { error: own.message, kind: own.name } : { err: error }
  context.logger[level]({ ...what, failures }, 'sampling failed; retrying')
  context.emit({ type: 'error', phase, error })
}

/** Whether `promise` settles within `ms` (it is not cancelled either way). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined
  const settled = await Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), ms)
    }),
  ])
  clearTimeout(timer)
  return settled
}
