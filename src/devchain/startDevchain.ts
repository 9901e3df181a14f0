import type { Hex } from 'viem'
import type { BlobSchedule } from '../chains/blobSchedule.js'
import { builtInBlobSchedule } from '../chains/blobSchedules.js'
import { chainProfile, devchainId } from '../chains/chains.js'
import type { Eip1559Parameters } from '../fees/nextBaseFee.js'
import { createBlockClock } from './blockClock.js'
import { type ChainStore, createChainStore } from './chainStore.js'
import { headOf, readDevchainState } from './devchainState.js'
import { createHeadSaver } from './headSaver.js'
import type { RpcMethods } from './jsonRpc.js'
import { startJsonRpcServer } from './jsonRpcServer.js'
import type { InexactRow } from './planReplay.js'
import { nowSeconds, type PreparedChain } from './preparedChain.js'
import { type DevchainReplaySource, prepareReplay } from './prepareReplay.js'
import { prepareSimulation } from './prepareSimulation.js'
import { createRpcMethods } from './rpcMethods.js'

export type { DevchainReplaySource } from './prepareReplay.js'

export type StartDevchainParameters = {
  /** 0 (the default): any free port. */
  port?: number
  host?: string
  chainId?: number
  /**
   * Replay this block history file (a path, or parsed rows) instead of simulating demand.
   * See planReplay for what is synthesized; rows missing from the file are not served (null).
   */
  replay?: DevchainReplaySource | undefined
  /** Seeds the simulation, and what a replay synthesizes. Default 1. */
  seed?: number
  /**
   * Seconds between blocks. Simulation: the pace (default: the chain profile's block time, 2 s for the
   * devchain). Replay: spacing of synthesized timestamps (default 12 s, Ethereum's slot).
   */
  blockTime?: number
  /** Replay speed: blocks come this many times faster than their timestamps say. Default 1. */
  speed?: number
  /**
   * Blocks that exist when the server starts, so a sampler has something to backfill. Simulation:
   * blocks made ahead of time (default 256). Replay: the first rows of the file (default 256); 'all'
   * serves the whole file at once (no live blocks: the mode for tests and `collect`).
   */
  history?: number | 'all'
  /**
   * The chain's blob forks (EIP-4844 and later): simulated blocks carry blob gas under them, and eth_config,
   * eth_blobBaseFee and eth_feeHistory's blob fields answer from them. Default: the chain id's built-in
   * schedule (the devchain's is mainnet's newest parameters from its first block); none: a chain without blobs.
   */
  blobSchedule?: BlobSchedule | undefined
  /** Serve eth_config (EIP-7910) from the blob schedule. Default true; false: a node that predates it. */
  ethConfig?: boolean | undefined
  /** Gas limit of simulated blocks, and of replayed rows that have none (default 30M). */
  gasLimit?: bigint
  /** Base fee of the first simulated block, or of a replayed file without base fees. */
  initialBaseFeePerGas?: bigint
  /** EIP-1559 parameters (default: the chain profile's). */
  eip1559?: Eip1559Parameters
  /** Simulated blocks kept in memory; older ones read as null, as from a pruned node. Default 4096. */
  retainBlocks?: number
  /** false: start paused (blocks only through mine()). Default true. */
  autoMine?: boolean
  /**
   * Where the chain keeps its head between runs (devchain.json). With it, a restarted devchain
   * continues the same chain: a simulation resumes after its last block (same number, hash and base
   * fee path; the blocks it would have made while down, up to `history`, are made at start), a
   * replay resumes at the row it had reached. Without it, every start is a new chain from block 0.
   */
  stateDir?: string
  /** Things a person running the chain should know (end of a replay, rows that cannot round-trip). */
  onNotice?: (message: string) => void
}

export type DevchainBlockEvent = {
  number: number
  hash: Hex
  timestamp: number | null
  /** Date.now() when the block became visible over RPC. */
  producedAt: number
}

export type Devchain = {
  url: string
  /** The same port over WebSocket: every method, and eth_subscribe("newHeads"). */
  wsUrl: string
  host: string
  port: number
  chainId: number
  mode: 'simulate' | 'replay'
  /** Number of the latest block. */
  head(): number
  /** Stops producing blocks (the server keeps answering: the chain looks stalled). */
  pause(): void
  resume(): void
  isPaused(): boolean
  /** Produces `blocks` blocks now (default 1), paused or not. Returns the new head. */
  mine(blocks?: number): number
  /** Called after each new block; returns the unsubscribe function. */
  onBlock(listener: (block: DevchainBlockEvent) => void): () => void
  /** Replay: true once the file's last row is served. */
  ended(): boolean
  /** Replay: rows whose present cells cannot be given back exactly (contradictory or half-empty). */
  inexact: readonly InexactRow[]
  stop(): Promise<void>
}

const defaultHistory = 256

/**
 * Starts a local JSON-RPC chain: simulated EIP-1559 demand, or a replayed history file. The
 * embedded default chain of `npm start`, and the node of the tests. Composed of named steps: prepare
 * the chain (prepareReplay or prepareSimulation), make the blocks that exist at start, serve them
 * over JSON-RPC, and let the block clock produce the rest (the head saved as it goes).
 */
export async function startDevchain(parameters: StartDevchainParameters = {}): Promise<Devchain> {
  const chainId = parameters.chainId ?? devchainId
  const onNotice = parameters.onNotice ?? (() => {})
  const eip1559 = parameters.eip1559 ?? chainProfile(chainId).eip1559
  const blobSchedule = parameters.blobSchedule ?? builtInBlobSchedule(chainId) ?? []
  const prepared = await prepareChain({ ...parameters, blobSchedule }, chainId, eip1559)
  const store = createInitialBlocks(prepared, parameters.retainBlocks)
  if (prepared.resumeAfter)
    onNotice(`continuing the chain of ${parameters.stateDir} after block ${prepared.resumeAfter.number}`)
  const saver = createSaver(parameters, chainId, prepared, store)
  saver?.save()
  const methods = createRpcMethods({
    store,
    chainId,
    eip1559,
    blobSchedule,
    ethConfig: parameters.ethConfig,
    slotSeconds:
      parameters.blockTime ?? (prepared.mode === 'replay' ? 12 : chainProfile(chainId).blockTimeSeconds),
  })
  const server = await startJsonRpcServer({
    methods,
    ...(parameters.host === undefined ? {} : { host: parameters.host }),
    ...(parameters.port === undefined ? {} : { port: parameters.port }),
  })
  const producer = createBlockProducer({ prepared, store, onNotice, onBlock: () => saver?.save() })
  // newHeads before any other listener: the WebSocket clients hear of the block the moment it is served.
  producer.onBlock((block) => server.publishHead(headerOf(methods, block.number)))
  const clock = createBlockClock({
    source: prepared.source,
    produce: producer.produce,
    paused: parameters.autoMine === false,
  })

  let stopped = false
  return {
    ...{
      url: server.url,
      wsUrl: server.wsUrl,
      host: server.host,
      port: server.port,
      chainId,
      mode: prepared.mode,
    },
    head: () => store.head().number,
    pause: () => clock.pause(),
    resume: () => clock.resume(),
    isPaused: () => clock.isPaused(),
    mine(blocks = 1) {
      clock.mine(blocks)
      return store.head().number
    },
    onBlock: producer.onBlock,
    ended: () => prepared.source.remaining() === 0,
    inexact: prepared.inexact,
    async stop() {
      if (stopped) return
      stopped = true
      clock.stop()
      producer.close()
      await server.close()
      await saver?.flushed()
    },
  }
}

/** Keeps the chain's head in stateDir, when there is one. */
function createSaver(
  parameters: StartDevchainParameters,
  chainId: number,
  prepared: PreparedChain,
  store: ChainStore,
): ReturnType<typeof createHeadSaver> | undefined {
  if (parameters.stateDir === undefined) return undefined
  return createHeadSaver({
    dir: parameters.stateDir,
    onNotice: parameters.onNotice ?? (() => {}),
    state: () => ({
      version: 1,
      chainId,
      seed: parameters.seed ?? 1,
      mode: prepared.mode,
      ...(prepared.replayIdentity ? { replay: prepared.replayIdentity } : {}),
      head: headOf(store.head()),
    }),
  })
}

/** A block's header as eth_subscribe("newHeads") sends it: the RPC block without its transaction list. */
function headerOf(methods: RpcMethods, number: number): Record<string, unknown> {
  const block = methods.eth_getBlockByNumber?.([`0x${number.toString(16)}`, false]) ?? {}
  const { transactions: _, ...header } = block as Record<string, unknown>
  return header
}

/** The chain's blocks in memory, with those that exist at start (a restarted chain's saved head first). */
function createInitialBlocks(prepared: PreparedChain, retainBlocks = 4096): ChainStore {
  const store = createChainStore({
    retain: prepared.mode === 'simulate' ? retainBlocks : Number.POSITIVE_INFINITY,
  })
  if (prepared.resumeAfter) store.add(prepared.resumeAfter)
  for (let i = 0; i < prepared.initial; i++) {
    const block = prepared.source.next(prepared.aheadOfTime(i))
    if (block) store.add(block)
  }
  return store
}

type BlockProducer = Pick<Devchain, 'onBlock'> & {
  /** Makes the next block now (the clock's and mine()'s); false at the end of a replay, announced once. */
  produce(): boolean
  /** Drops every listener. */
  close(): void
}

/** Adds the source's next block to the chain and tells the listeners. */
function createBlockProducer({
  prepared,
  store,
  onNotice,
  onBlock,
}: {
  prepared: PreparedChain
  store: ChainStore
  onNotice: (message: string) => void
  /** After each block is added (before the listeners hear of it). */
  onBlock: () => void
}): BlockProducer {
  const listeners = new Set<(block: DevchainBlockEvent) => void>()
  let endAnnounced = false
  return {
    produce() {
      const block = prepared.source.next(nowSeconds())
      if (!block) {
        if (!endAnnounced) {
          endAnnounced = true
          onNotice(`replay reached the end of ${prepared.describe} at block ${store.head().number}`)
        }
        return false
      }
      store.add(block)
      onBlock()
      const event = {
        number: block.number,
        hash: block.hash,
        timestamp: block.timestamp,
        producedAt: Date.now(),
      }
      for (const listener of listeners) listener(event)
      return true
    },
    onBlock(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close: () => listeners.clear(),
  }
}

/** Checks the settings and runs the prepare step of the chain's mode, continuing a saved chain of the same id and seed. */
async function prepareChain(
  parameters: StartDevchainParameters,
  chainId: number,
  eip1559: Eip1559Parameters,
): Promise<PreparedChain> {
  const seed = parameters.seed ?? 1
  const history = parameters.history ?? defaultHistory
  if (history !== 'all' && (!Number.isInteger(history) || history < 0))
    throw new RangeError(`history must be a non-negative integer or 'all', not ${history}`)
  const stored = parameters.stateDir === undefined ? undefined : await readDevchainState(parameters.stateDir)
  const saved =
    stored !== undefined && stored.chainId === chainId && stored.seed === seed ? stored : undefined
  const common = {
    chainId,
    seed,
    eip1559,
    history,
    saved,
    gasLimit: parameters.gasLimit,
    initialBaseFeePerGas: parameters.initialBaseFeePerGas,
  }
  if (parameters.replay !== undefined)
    return prepareReplay({
      ...common,
      replay: parameters.replay,
      blockTime: parameters.blockTime,
      speed: parameters.speed,
      onNotice: parameters.onNotice ?? (() => {}),
    })
  return prepareSimulation({
    ...common,
    blockTime: parameters.blockTime ?? chainProfile(chainId).blockTimeSeconds,
    blobSchedule: parameters.blobSchedule,
    defaultHistory,
  })
}
