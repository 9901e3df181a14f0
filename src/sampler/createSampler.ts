import { randomUUID } from 'node:crypto'
import { hostname } from 'node:os'
import type { Hex, PublicClient } from 'viem'
import { type ChainProfile, chainProfile } from '../chains/chains.js'
import type { BlockFacts } from '../chains/checkBlock.js'
import { FeecastError } from '../errors.js'
import { childLogger, createLogger, type Logger } from '../lib/logger.js'
import { createRpcClient } from '../rpc/createRpcClient.js'
import type { RpcCallEvent } from '../rpc/createRpcTransport.js'
import { writeChainHealth } from '../store/chainHealth.js'
import { LeaseNotHeldError } from '../store/errors.js'
import { acquireLease, readLease, releaseLease, renewLease } from '../store/lease.js'
import { readBlocks } from '../store/readBlocks.js'
import { readHead } from '../store/readHead.js'
import type { StoreClient } from '../store/scripts.js'
import { writeBlocks } from '../store/writeBlocks.js'
import type { BlockRecord } from '../types.js'
import { createBlockFetcher } from './blockFetcher.js'
import { createBlockGate, factsOfBlock, factsOfRecord } from './blockGate.js'
import { blockHeaderToRecord, blockToRecord, type SampledBlock } from './blockToRecord.js'
import { BlockRejectedError, ChainMovedError, StoreTimeoutError } from './errors.js'
import { feeHistoryToRecords } from './feeHistoryToRecords.js'
import { jitteredDelay } from './jitteredDelay.js'
import { planSync } from './planSync.js'

export type RecordKind = 'backfill' | 'head' | 'reorg'

export type SamplerEvent =
  | { type: 'leader'; token: string }
  | { type: 'standby'; holder: string | null }
  | { type: 'lease-lost' }
  | { type: 'synced'; head: number; written: number }
  | { type: 'reorg'; ancestor: number; oldHead: number; newHead: number; replaced: number }
  | { type: 'error'; phase: string; error: unknown }
  /** A block was refused (each attempt): a future timestamp, an impossible base fee, a rule mismatch held back. */
  | { type: 'block-rejected'; block: number; reason: string; problem: string }
  /** The chain's blocks stopped (false) or went back to (true) following its known base-fee rule. */
  | { type: 'base-fee-rule'; matching: boolean; problem: string | null }
  | { type: 'stopped' }

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
  /** unix ms (tests). */
  now?: () => number
  /** Deepest reorg walked back block by block (default 128). */
  maxReorgDepth?: number
  /** Limit on any one Redis call (default max(2000, leaseTtlMs)). */
  storeTimeoutMs?: number
  /** How long stop() waits for the block in progress before giving up on it (default 10000 ms). */
  stopTimeoutMs?: number
}

export type SamplerRole = 'stopped' | 'standby' | 'leader'

export type Sampler = {
  /** Starts following the chain in the background; resolves at once (a standby may wait for a long time). */
  start(): Promise<void>
  /** Finishes the block in progress, releases the lease, resolves. */
  stop(): Promise<void>
  readonly role: SamplerRole
  /** The highest block this sampler knows is stored, or null. */
  readonly head: number | null
}

type Head = { number: number; hash: Hex | null }

/**
 * The sampler of one chain. One loop: hold the chain's lease (or wait for it), bring the store up to the node's
 * head (backfill, or the gap since the stored head), then follow new heads by polling, one block at a time:
 * fetch it whole, check its parentHash against the stored head (a mismatch walks back to the common ancestor and
 * rewrites the replaced records in one write), write it fenced by the lease, announce it, call onRecord.
 * Any failure (RPC, Redis, lease) ends the iteration: it re-reads the stored head and tries again after a
 * jittered backoff, so nothing is skipped and nothing is written twice.
 */
export function createSampler(parameters: CreateSamplerParameters): Sampler {
  const {
    chainId,
    redis,
    historyBlocks,
    maxStoredBlocks,
    backfillFullBlocks,
    pollIntervalMs,
    leaseTtlMs,
    onRecord,
    onEvent,
    fetchConcurrency = 4,
    maxReorgDepth = 128,
    missingAttemptsBeforeGap = 3,
    now = Date.now,
    storeTimeoutMs = Math.max(2_000, leaseTtlMs),
    stopTimeoutMs = 10_000,
  } = parameters
  /** Endpoints found serving another chain so far (the transport reports them). */
  let wrongChainSeen = 0
  const owner = parameters.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`
  const parentLogger = parameters.logger ?? createLogger('silent')
  const logger = childLogger(parentLogger, { component: 'sampler', chainId })
  const client =
    parameters.client ??
    createRpcClient({
      chainId,
      urls: parameters.rpcUrls ?? [],
      timeoutMs: parameters.rpcTimeoutMs ?? 8_000,
      retries: parameters.rpcRetries ?? 3,
      ...(parameters.rpcMaxResponseBytes === undefined
        ? {}
        : { maxResponseBytes: parameters.rpcMaxResponseBytes }),
      ...(parameters.rpcChainIdCheckIntervalMs === undefined
        ? {}
        : { chainIdCheckIntervalMs: parameters.rpcChainIdCheckIntervalMs }),
      onCall: parameters.onRpcCall,
      onEndpointState: ({ chainId: _, ...e }) => {
        if (e.state === 'wrong-chain') {
          wrongChainSeen++
          logger.error(
            e,
            `rpc endpoint ${e.endpoint} ${e.problem}: not used until it serves chain ${chainId}`,
          )
        } else if (e.state === 'closed') logger.info(e, 'rpc endpoint recovered')
        else logger.warn(e, 'rpc endpoint unhealthy')
      },
    })
  // A gap up to this size is filled block by block (whole blocks); a larger one goes through planSync.
  const catchUpThreshold = Math.max(backfillFullBlocks, 32)
  const acquireIntervalMs = Math.max(100, Math.min(1_000, leaseTtlMs / 4))

  let role: SamplerRole = 'stopped'
  let loop: Promise<void> | undefined
  let stopping = false
  let token: string | null = null
  let leaseValidUntil = 0
  let renewTimer: NodeJS.Timeout | undefined
  let renewing = false
  let head: Head | null = null
  let synced = false
  let standbyAnnounced = false
  /** Since when the node's head has been behind the stored head, and when that was last logged. */
  let behind: { since: number; loggedAt: number } | null = null
  /** The last block stored or seen stored: the parent the next block is checked against. */
  let parentFacts: BlockFacts | null = null
  const sleepers = new Set<() => void>()
  const gate = createBlockGate({
    profile: parameters.profile ?? chainProfile(chainId),
    now,
    ...(parameters.ruleChangeConfirmations === undefined
      ? {}
      : { ruleChangeConfirmations: parameters.ruleChangeConfirmations }),
  })

  const emit = (event: SamplerEvent) => {
    try {
      onEvent?.(event)
    } catch (error) {
      logger.warn({ err: error }, 'onEvent hook threw')
    }
  }

  let publishedVersion = 0
  let publishedRuleMatching = true
  let healthWrites: Promise<void> = Promise.resolve()
  /** Writes the gate's health to Redis when it changed (in order, best effort) and reports rule changes. */
  const publishHealth = () => {
    if (gate.version === publishedVersion) return
    publishedVersion = gate.version
    const health = gate.health()
    const matching = health.ruleMismatch === null
    if (matching !== publishedRuleMatching) {
      publishedRuleMatching = matching
      if (matching) logger.info("the chain's base fees follow its known rule again")
      else
        logger.warn(
          { problem: health.ruleMismatch?.problem },
          "the chain's base fees no longer follow its known rule: following it with low trust",
        )
      emit({ type: 'base-fee-rule', matching, problem: health.ruleMismatch?.problem ?? null })
    }
    healthWrites = healthWrites
      .then(() => store('writeChainHealth', writeChainHealth(redis, { chainId, health })))
      .catch((error) => logger.debug({ err: error }, 'could not publish the chain health'))
  }

  /** Blocks were stored: a refusal episode is over. */
  const storedBlocks = (last: BlockFacts) => {
    parentFacts = last
    gate.stored()
    publishHealth()
  }

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      if (stopping) return resolve()
      const done = () => {
        clearTimeout(timer)
        sleepers.delete(done)
        resolve()
      }
      const timer = setTimeout(done, ms)
      sleepers.add(done)
    })

  /** Redis calls are bounded: with Redis down, ioredis would queue them indefinitely. A late one is harmless:
   *  writes are idempotent and fenced. */
  const store = <T>(what: string, promise: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new StoreTimeoutError(`Redis did not answer ${what} within ${storeTimeoutMs} ms`)),
        storeTimeoutMs,
      )
      promise.then(
        (value) => {
          clearTimeout(timer)
          resolve(value)
        },
        (error) => {
          clearTimeout(timer)
          reject(error)
        },
      )
    })

  // ---- lease -------------------------------------------------------------------------------------------

  const leaseHeld = () => token !== null && Date.now() < leaseValidUntil

  const loseLease = (why: string) => {
    if (token === null) return
    token = null
    synced = false
    clearInterval(renewTimer)
    renewTimer = undefined
    role = stopping ? 'stopped' : 'standby'
    logger.warn({ why }, 'lost the lease; no longer writing')
    emit({ type: 'lease-lost' })
  }

  const renew = async () => {
    const held = token
    if (held === null || renewing) return
    renewing = true
    const sentAt = Date.now()
    try {
      const ok = await store('renewLease', renewLease(redis, { chainId, token: held, ttlMs: leaseTtlMs }))
      if (token !== held) return
      if (ok) leaseValidUntil = sentAt + leaseTtlMs
      else loseLease('renewal refused: the lease expired or another replica holds it')
    } catch (error) {
      // Redis unreachable: keep trying; the lease counts as held only until its TTL runs out since the last renewal.
      logger.debug({ err: error }, 'lease renewal failed')
    } finally {
      renewing = false
    }
  }

  const ensureLease = async (): Promise<boolean> => {
    if (leaseHeld()) return true
    if (token !== null) loseLease('not renewed within its TTL')
    const sentAt = Date.now()
    const acquired = await store('acquireLease', acquireLease(redis, { chainId, owner, ttlMs: leaseTtlMs }))
    if (acquired === null) {
      if (!standbyAnnounced) {
        standbyAnnounced = true
        role = 'standby'
        const holder = await store('readLease', readLease(redis, { chainId }))
          .then((lease) => lease?.owner ?? null)
          .catch(() => null)
        logger.info({ holder }, 'another replica holds the lease; standing by')
        emit({ type: 'standby', holder })
      }
      return false
    }
    token = acquired
    leaseValidUntil = sentAt + leaseTtlMs
    role = 'leader'
    standbyAnnounced = false
    synced = false
    clearInterval(renewTimer)
    renewTimer = setInterval(() => void renew(), Math.max(50, Math.floor(leaseTtlMs / 3)))
    logger.info({ token: acquired }, 'holding the lease: sampling')
    emit({ type: 'leader', token: acquired })
    return true
  }

  // ---- reads and writes --------------------------------------------------------------------------------

  const write = async (records: readonly BlockRecord[], truncateAbove?: number) => {
    if (!leaseHeld() || token === null) throw new LeaseNotHeldError(chainId, 'write')
    try {
      await store(
        'writeBlocks',
        writeBlocks(redis, { chainId, records, leaseToken: token, maxStoredBlocks, truncateAbove }),
      )
    } catch (error) {
      if (error instanceof LeaseNotHeldError) loseLease('a write was refused')
      throw error
    }
  }

  const announce = (records: readonly BlockRecord[], kind: RecordKind) => {
    if (!onRecord) return
    for (const record of records) {
      try {
        onRecord(record, { kind })
      } catch (error) {
        logger.warn({ err: error, block: record.number }, 'onRecord hook threw')
      }
    }
  }

  const blocks = createBlockFetcher({ client, logger, missingAttemptsBeforeGap })

  /** A fetched block's record: with its tips, or without when it came without its transactions. */
  const toRecord = (block: SampledBlock): BlockRecord =>
    block.transactions.some((tx) => typeof tx === 'string')
      ? blockHeaderToRecord(block)
      : blockToRecord(block)

  // ---- reorgs ------------------------------------------------------------------------------------------

  /**
   * `tip` is on the node's chain but does not extend the stored one. Walk back until a stored hash is the
   * parent of what the node has (the common ancestor), then replace everything above it in one write.
   */
  const handleReorg = async (tip: SampledBlock, latest: number) => {
    // An endpoint that switched to another chain looks like a deep reorg: ask which chain it serves before
    // rewriting anything (the transport takes an endpoint on another chain out of use).
    const seen = wrongChainSeen
    const reported = await client.getChainId()
    if (reported !== chainId || wrongChainSeen !== seen)
      throw new ChainMovedError(
        `the endpoint that reported a reorg at block ${Number(tip.number)} serves chain ${reported === chainId ? 'another' : reported}, not ${chainId}: nothing rewritten`,
      )
    const tipNumber = Number(tip.number)
    const oldHead = head?.number ?? tipNumber
    const lowest = Math.max(0, tipNumber - maxReorgDepth)
    const stored = new Map(
      (await store('readBlocks', readBlocks(redis, { chainId, from: lowest, to: tipNumber - 1 }))).map(
        (r) => [r.number, r],
      ),
    )
    const chain: SampledBlock[] = [tip]
    let expectedParent = tip.parentHash
    let k = tipNumber - 1
    for (; k >= lowest; k--) {
      const record = stored.get(k)
      // A missing or hash-less (eth_feeHistory) record cannot be compared: the walk stops there.
      if (!record || record.hash === null || record.hash === expectedParent) break
      const block = await blocks.fetch(k)
      if (block === 'gap') {
        // Pruned below here: the walk cannot compare further back; older records stay as they are.
        logger.warn({ block: k }, 'reorg walk-back reached a block the node no longer has')
        break
      }
      if (block.hash !== expectedParent)
        throw new ChainMovedError(`the node's chain changed while walking back a reorg at block ${k}`)
      chain.unshift(block)
      expectedParent = block.parentHash
    }
    if (k < lowest)
      logger.error(
        { maxReorgDepth, tip: tipNumber },
        'reorg deeper than maxReorgDepth: older records were kept as they are',
      )
    // The new branch is checked like any block: all of it, or none of it is stored.
    const ancestor = stored.get(k)
    const { rejected } = gate.admit(chain, ancestor ? factsOfRecord(ancestor) : null, latest)
    if (rejected) throw rejected
    const records = chain.map(toRecord)
    await write(records, tipNumber)
    storedBlocks(factsOfBlock(tip))
    head = { number: tipNumber, hash: tip.hash }
    const replaced = Math.max(0, oldHead - k)
    logger.warn(
      { ancestor: k, oldHead, newHead: tipNumber, replaced },
      'reorg: replaced records above the common ancestor',
    )
    emit({ type: 'reorg', ancestor: k, oldHead, newHead: tipNumber, replaced })
    announce(records, 'reorg')
  }

  // ---- sync and follow ---------------------------------------------------------------------------------

  /** Brings the store up to the node's head: backfill on first start, the gap after a restart. */
  const sync = async () => {
    const stored = await store('readHead', readHead(redis, { chainId }))
    const latest = Number(await client.getBlockNumber())
    head = stored ? { number: stored.number, hash: stored.hash } : null
    parentFacts = stored ? factsOfRecord(stored) : null
    if (stored?.hash) {
      // Is the stored head still on the node's chain? (It may have been reorged away while we were down.)
      const at = Math.min(stored.number, latest)
      const storedAt =
        at === stored.number
          ? stored
          : (await store('readBlocks', readBlocks(redis, { chainId, from: at, to: at })))[0]
      if (storedAt?.hash) {
        const block = await blocks.fetch(at)
        if (block === 'gap') {
          // Pruned, or a restarted devchain that resumed past it: nothing to compare with. Follow the node
          // from what it has; the blocks in between are left as a gap.
          logger.warn(
            { block: at },
            'the node no longer has the stored head: following it from the blocks it has, leaving a gap',
          )
          if (head) head = { number: head.number, hash: null }
        } else if (block.hash !== storedAt.hash) await handleReorg(block, latest)
      }
    }
    let written = 0
    const plan = planSync({ latest, storedHead: head?.number ?? null, historyBlocks, backfillFullBlocks })
    for (const { newest, count } of plan.feeHistory) {
      if (stopping) return
      const history = await client.getFeeHistory({
        blockCount: count,
        blockNumber: BigInt(newest),
        rewardPercentiles: [],
      })
      const records = feeHistoryToRecords(history)
      // The node keeps less than was asked for (pruned, or a restarted devchain): the newest part, ending at
      // `newest` (checked by validateRpcResult), is stored and the rest left as a gap.
      if (records.length < count)
        logger.warn(
          { from: newest - count + 1, to: newest, served: records.length },
          'the node has only part of the history asked for: the rest is left as a gap',
        )
      if (records.length === 0) continue
      gate.admitHistory(records, parentFacts)
      await write(records)
      storedBlocks(factsOfRecord(records[records.length - 1]!))
      head = { number: newest, hash: null }
      written += records.length
      announce(records, 'backfill')
    }
    if (plan.full) {
      const batch = Math.max(1, fetchConcurrency * 4)
      for (let from = plan.full.from; from <= plan.full.to; from += batch) {
        if (stopping) return
        const to = Math.min(plan.full.to, from + batch - 1)
        const fetched = await blocks.fetchRange(from, to, fetchConcurrency)
        const found = fetched.filter((b): b is SampledBlock => b !== 'gap')
        if (found.length < fetched.length)
          logger.warn(
            { from, to, missing: fetched.length - found.length },
            'the node does not have some blocks below its head: they are left as a gap',
          )
        let previous = head
        for (const block of found) {
          const number = Number(block.number)
          if (previous?.hash && number === previous.number + 1 && block.parentHash !== previous.hash)
            throw new ChainMovedError(
              `block ${number} does not extend block ${previous.number}: reorg during sync`,
            )
          previous = { number, hash: block.hash }
        }
        const { admitted, rejected } = gate.admit(found, parentFacts, latest)
        if (admitted.length > 0) {
          const records = admitted.map(toRecord)
          await write(records)
          const last = admitted[admitted.length - 1]!
          storedBlocks(factsOfBlock(last))
          head = { number: Number(last.number), hash: last.hash }
          written += records.length
          announce(records, 'backfill')
        }
        if (rejected) throw rejected
      }
    }
    logger.info({ head: head?.number ?? null, written }, 'in sync with the node')
    emit({ type: 'synced', head: head?.number ?? -1, written })
  }

  /** One poll: store every new block, in order. Returns true when it should run again without waiting. */
  const followOnce = async (): Promise<boolean> => {
    if (head === null) {
      synced = false
      return true
    }
    const latest = Number(await client.getBlockNumber())
    if (latest < head.number) {
      // The node is behind the stored head: a lagging endpoint, or a reorg onto a shorter chain.
      const t = now()
      if (behind === null || t - behind.loggedAt > 60_000) {
        logger.warn(
          { nodeHead: latest, storedHead: head.number, sinceMs: behind ? t - behind.since : 0 },
          `the node's head ${latest} is behind the stored head ${head.number}: waiting for it (a lagging or rewound endpoint)`,
        )
        behind = { since: behind?.since ?? t, loggedAt: t }
      }
      const [stored] = await store('readBlocks', readBlocks(redis, { chainId, from: latest, to: latest }))
      if (stored?.hash) {
        const tip = await blocks.fetch(latest)
        if (tip !== 'gap' && tip.hash !== stored.hash) await handleReorg(tip, latest)
      }
      return false
    }
    if (behind !== null) {
      logger.info(
        { nodeHead: latest, behindMs: now() - behind.since },
        "the node's head caught up with the store",
      )
      behind = null
    }
    if (latest - head.number > catchUpThreshold) {
      synced = false
      return true
    }
    for (let n = head.number + 1; n <= latest; n++) {
      if (stopping) return false
      const block = await blocks.fetch(n)
      if (block === 'gap') {
        logger.warn({ block: n }, 'the node does not have a block below its head: it is left as a gap')
        head = { number: n, hash: null }
        continue
      }
      if (head.hash !== null && block.parentHash !== head.hash) {
        await handleReorg(block, latest)
        return true
      }
      const { rejected } = gate.admit([block], parentFacts, latest)
      if (rejected) throw rejected
      const record = toRecord(block)
      await write([record])
      storedBlocks(factsOfBlock(block))
      head = { number: n, hash: block.hash }
      announce([record], 'head')
    }
    return false
  }

  const run = async () => {
    let failures = 0
    while (!stopping) {
      try {
        if (!(await ensureLease())) {
          await sleep(acquireIntervalMs)
          continue
        }
        if (!synced) {
          await sync()
          synced = !stopping
        }
        const again = await followOnce()
        failures = 0
        if (!again) await sleep(pollIntervalMs)
      } catch (error) {
        failures++
        // Start over from what is stored: after a Redis restart or a reorg race the local view may be stale.
        synced = false
        if (error instanceof LeaseNotHeldError) continue
        if (error instanceof BlockRejectedError) {
          emit({
            type: 'block-rejected',
            block: error.blockNumber,
            reason: error.reason,
            problem: error.shortMessage,
          })
          publishHealth()
        }
        const level = failures >= 3 || error instanceof BlockRejectedError ? 'warn' : 'info'
        // feecast's own errors say what went wrong in one line; a stack helps only for the unexpected.
        const what =
          error instanceof FeecastError ? { error: error.message, kind: error.name } : { err: error }
        logger[level]({ ...what, failures }, 'sampling failed; retrying')
        emit({ type: 'error', phase: role, error })
        await sleep(jitteredDelay(failures, 200, Math.max(2_000, pollIntervalMs * 2)))
      }
    }
  }

  return {
    async start() {
      if (loop) return
      stopping = false
      role = 'standby'
      logger.info({ owner }, 'sampler starting')
      loop = run().catch((error) => logger.error({ err: error }, 'sampler loop crashed'))
    },

    async stop() {
      if (!loop) return
      stopping = true
      for (const wake of [...sleepers]) wake()
      let timer: NodeJS.Timeout | undefined
      const finished = await Promise.race([
        loop.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), stopTimeoutMs)
        }),
      ])
      clearTimeout(timer)
      if (!finished)
        logger.warn({ stopTimeoutMs }, 'the block in progress did not finish in time; stopping anyway')
      clearInterval(renewTimer)
      renewTimer = undefined
      const held = token
      token = null
      if (held !== null) {
        // Released, a standby takes over at once; and a write of the abandoned block, if any, is now refused.
        await store('releaseLease', releaseLease(redis, { chainId, token: held })).catch((error) =>
          logger.warn({ err: error }, 'could not release the lease; it expires on its own'),
        )
      }
      role = 'stopped'
      loop = undefined
      logger.info({ head: head?.number ?? null }, 'sampler stopped')
      emit({ type: 'stopped' })
    },

    get role() {
      return role
    },
    get head() {
      return head?.number ?? null
    },
  }
}
