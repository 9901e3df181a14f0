import type { Hex, PublicClient } from 'viem'
import type { BlockFacts } from '../chains/checkBlock.js'
import type { Logger } from '../lib/logger.js'
import { LeaseNotHeldError, StoreBehindError } from '../store/errors.js'
import type { StoreClient } from '../store/scripts.js'
import { writeBlocks } from '../store/writeBlocks.js'
import type { BlockRecord } from '../types.js'
import type { BlockFetcher } from './blockFetcher.js'
import type { BlockGate } from './blockGate.js'
import type { LeaseKeeper } from './leaseKeeper.js'
import { createRefusedForks, type RefusedForks } from './refusedForks.js'
import type { RecordKind, SamplerEvent } from './samplerEvents.js'

/** A stored block as the sampler follows it: hash null when it cannot be compared (eth_feeHistory, a gap). */
export type Head = { number: number; hash: Hex | null }

/**
 * What the sampler's steps (sync, follow, reorg rewrite) share: the node, the store, the block checks,
 * and the sampler's view of what is stored, which the steps move forward.
 */
export type SamplerContext = {
  readonly chainId: number
  readonly client: PublicClient
  readonly redis: StoreClient
  readonly logger: Logger
  readonly blocks: BlockFetcher
  readonly gate: BlockGate
  /** The fork a deep reorg was last refused for, so its next blocks are refused without walking back. */
  readonly refusedForks: RefusedForks
  /** A Redis call, bounded in time (StoreTimeoutError). */
  store<T>(what: string, promise: Promise<T>): Promise<T>
  /** The highest block known to be stored, or null when nothing is. */
  head: Head | null
  /** The last block stored or seen stored: the parent the next block is checked against. */
  parent: BlockFacts | null
  /**
   * The stored head as this sampler last wrote or read it: a store whose head is lower lost writes (a
   * failover), and a write then fails with StoreBehindError so the sampler refills from what is stored.
   */
  storedHead: number | null
  /** Writes records fenced by the lease; LeaseNotHeldError (and the lease counts as lost) when refused. */
  write(records: readonly BlockRecord[], truncateAbove?: number): Promise<void>
  /** Records up to `last` are stored: the next block is checked against it; a refusal episode is over. */
  stored(last: BlockFacts): void
  /**
   * The sampler cannot go on for `problem` although nothing failed (the node stays behind): published in
   * the chain's health, and on /readyz, until a block is stored.
   */
  failing(problem: string): void
  /** Hands stored records to the onRecord hook. */
  announce(records: readonly BlockRecord[], kind: RecordKind): void
  emit(event: SamplerEvent): void
  /** stop() was called: a step ends at its next block boundary. */
  stopping(): boolean
  /** Endpoints found serving another chain so far (the transport reports them). */
  wrongChainSeen(): number
}

export type CreateSamplerContextParameters = Pick<
  SamplerContext,
  'chainId' | 'client' | 'redis' | 'logger' | 'blocks' | 'gate' | 'store' | 'stopping' | 'wrongChainSeen'
> & {
  keeper: LeaseKeeper
  maxStoredBlocks: number
  /** unix ms */
  now: () => number
  /** After anything the gate saw: publishes its health when it changed. */
  publishHealth: () => void
  onRecord: ((record: BlockRecord, info: { kind: RecordKind }) => void) | undefined
  onEvent: ((event: SamplerEvent) => void) | undefined
}

/** The context of one sampler: fenced writes through its lease keeper, its hooks guarded against throwing. */
export function createSamplerContext({
  keeper,
  maxStoredBlocks,
  now,
  publishHealth,
  onRecord,
  onEvent,
  ...shared
}: CreateSamplerContextParameters): SamplerContext {
  const { chainId, redis, logger, gate, store } = shared
  const context: SamplerContext = {
    ...shared,
    refusedForks: createRefusedForks({ now }),
    head: null,
    parent: null,
    storedHead: null,
    async write(records, truncateAbove) {
      const token = keeper.token()
      if (token === null) throw new LeaseNotHeldError(chainId, 'write')
      try {
        const { headNumber } = await store(
          'writeBlocks',
          writeBlocks(redis, {
            ...{ chainId, records, leaseToken: token, maxStoredBlocks, truncateAbove },
            knownHead: context.storedHead,
          }),
        )
        context.storedHead = headNumber
      } catch (error) {
        if (error instanceof LeaseNotHeldError) keeper.lose('a write was refused')
        if (error instanceof StoreBehindError)
          logger.warn(
            { storedHead: error.storedHead, written: error.knownHead },
            'the store lost blocks this sampler wrote (a Redis failover, or forget-chain): refilling them from the chain',
          )
        throw error
      }
    },
    stored(last) {
      context.parent = last
      context.refusedForks.forget()
      gate.stored()
      publishHealth()
    },
    failing(problem) {
      gate.failing(problem)
      publishHealth()
    },
    announce(records, kind) {
      if (!onRecord) return
      for (const record of records) {
        try {
          onRecord(record, { kind })
        } catch (error) {
          logger.warn({ err: error, block: record.number }, 'onRecord hook threw')
        }
      }
    },
    emit(event) {
      try {
        onEvent?.(event)
      } catch (error) {
        logger.warn({ err: error }, 'onEvent hook threw')
      }
    },
  }
  return context
}
