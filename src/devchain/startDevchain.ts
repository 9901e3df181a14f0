import type { Hex } from 'viem'
import { chainProfile, devchainId } from '../chains/chains.js'
import type { Eip1559Parameters } from '../fees/nextBaseFee.js'
import { type HistoryColumn, HistoryFileError } from '../history/historyCsv.js'
import { readHistoryFile } from '../history/readHistoryFile.js'
import { mixSeed } from '../lib/random.js'
import type { HistoryRow } from '../types.js'
import { type BlockSource, replaySource, simulationSource } from './blockSources.js'
import { createChainStore } from './chainStore.js'
import type { DevBlock } from './devBlock.js'
import {
  blockOfHead,
  type DevchainState,
  headOf,
  readDevchainState,
  writeDevchainState,
} from './devchainState.js'
import { startJsonRpcServer } from './jsonRpcServer.js'
import { type InexactRow, planReplay } from './planReplay.js'
import { createRpcMethods } from './rpcMethods.js'

export type DevchainReplaySource =
  | string
  | { rows: readonly HistoryRow[]; presentColumns: readonly HistoryColumn[]; source?: string }

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
 * embedded default chain of `npm start`, and the node of the tests.
 */
export async function startDevchain(parameters: StartDevchainParameters = {}): Promise<Devchain> {
  const chainId = parameters.chainId ?? devchainId
  const profile = chainProfile(chainId)
  const eip1559 = parameters.eip1559 ?? profile.eip1559
  const seed = parameters.seed ?? 1
  const notice = parameters.onNotice ?? (() => {})
  const nowSeconds = () => Math.floor(Date.now() / 1000)
  const history = parameters.history ?? defaultHistory
  if (history !== 'all' && (!Number.isInteger(history) || history < 0))
    throw new RangeError(`history must be a non-negative integer or 'all', not ${history}`)

  const saved = parameters.stateDir === undefined ? undefined : await readDevchainState(parameters.stateDir)
  const sameChain = saved !== undefined && saved.chainId === chainId && saved.seed === seed
  let replayIdentity: DevchainState['replay']
  let resumeAfter: DevBlock | undefined

  let source: BlockSource
  let initial: number
  let inexact: InexactRow[] = []
  let mode: Devchain['mode']
  let describe: string
  let aheadOfTime = (_index: number) => nowSeconds()

  if (parameters.replay !== undefined) {
    mode = 'replay'
    const file =
      typeof parameters.replay === 'string'
        ? { ...(await readHistoryFile(parameters.replay)), source: parameters.replay }
        : { source: 'replay', ...parameters.replay }
    if (file.rows.length === 0)
      throw new HistoryFileError(file.source, undefined, 'the file has no blocks to replay')
    initial = history === 'all' ? file.rows.length : Math.min(file.rows.length, Math.max(1, history))
    const blockTime = parameters.blockTime ?? 12
    const rows = file.rows
    replayIdentity = { source: file.source, firstNumber: rows[0]!.number, rows: rows.length }
    if (
      sameChain &&
      saved.mode === 'replay' &&
      JSON.stringify(saved.replay) === JSON.stringify(replayIdentity) &&
      history !== 'all'
    ) {
      const at = rows.findIndex((r) => r.number === saved.head.number)
      if (at >= 0) initial = Math.max(initial, at + 1)
    }
    const plan = planReplay({
      rows,
      presentColumns: file.presentColumns,
      blockTime,
      // Without timestamps in the file, the blocks served at start end about now.
      firstTimestamp: nowSeconds() - Math.round(blockTime * (rows[initial - 1]!.number - rows[0]!.number)),
      eip1559,
      seed,
      ...(parameters.gasLimit === undefined ? {} : { gasLimit: parameters.gasLimit }),
      ...(parameters.initialBaseFeePerGas === undefined
        ? {}
        : { initialBaseFeePerGas: parameters.initialBaseFeePerGas }),
    })
    inexact = plan.inexact
    const speed = parameters.speed ?? 1
    if (!(speed > 0)) throw new RangeError(`speed must be positive, not ${speed}`)
    source = replaySource({
      chainId,
      salt: mixSeed(seed, rows[0]!.number, rows.length),
      plans: plan.blocks,
      speed,
    })
    describe = `${file.source} (blocks ${rows[0]!.number}..${rows[rows.length - 1]!.number}, ${rows.length} rows)`
    if (inexact.length > 0)
      notice(
        `${inexact.length} row(s) of ${file.source} cannot be served so that collect gives them back exactly, first: block ${inexact[0]!.number} (${inexact[0]!.reason})`,
      )
  } else {
    mode = 'simulate'
    const blockTime = parameters.blockTime ?? profile.blockTimeSeconds
    if (!(blockTime > 0)) throw new RangeError(`blockTime must be positive, not ${blockTime}`)
    initial = history === 'all' ? defaultHistory : Math.max(1, history)
    if (sameChain && saved.mode === 'simulate') {
      resumeAfter = blockOfHead(saved.head)
      // The chain went on while it was down: a block a block time, up to `history` of them.
      const down = nowSeconds() - (resumeAfter.timestamp ?? nowSeconds())
      initial = Math.min(initial, Math.max(1, Math.floor(down / blockTime)))
    }
    source = simulationSource({
      chainId,
      seed,
      salt: mixSeed(seed, 0x51),
      blockTime,
      gasLimit: parameters.gasLimit,
      initialBaseFeePerGas: parameters.initialBaseFeePerGas,
      eip1559,
      after: resumeAfter,
    })
    // The blocks made ahead of time are a block time apart and end now.
    const start = nowSeconds() - blockTime * (initial - 1)
    aheadOfTime = (i) => Math.floor(start + i * blockTime)
    describe = `simulation (seed ${seed})`
  }

  const store = createChainStore({
    retain: mode === 'simulate' ? (parameters.retainBlocks ?? 4096) : Number.POSITIVE_INFINITY,
  })
  if (resumeAfter) store.add(resumeAfter)
  for (let i = 0; i < initial; i++) store.add(source.next(aheadOfTime(i))!)
  if (resumeAfter) notice(`continuing the chain of ${parameters.stateDir} after block ${resumeAfter.number}`)

  // The head is saved after every block (one small atomic write at a time; bursts coalesce).
  let saving: Promise<void> | undefined
  let unsaved = false
  const save = () => {
    const dir = parameters.stateDir
    if (dir === undefined) return
    unsaved = true
    saving ??= (async () => {
      while (unsaved) {
        unsaved = false
        const state: DevchainState = {
          version: 1,
          chainId,
          seed,
          mode,
          ...(replayIdentity ? { replay: replayIdentity } : {}),
          head: headOf(store.head()),
        }
        await writeDevchainState(dir, state).catch((error: Error) =>
          notice(`cannot save the chain's head in ${dir}: ${error.message}`),
        )
      }
      saving = undefined
    })()
  }
  save()

  const server = await startJsonRpcServer({
    methods: createRpcMethods({ store, chainId, eip1559 }),
    ...(parameters.host === undefined ? {} : { host: parameters.host }),
    ...(parameters.port === undefined ? {} : { port: parameters.port }),
  })

  const listeners = new Set<(block: DevchainBlockEvent) => void>()
  let paused = parameters.autoMine === false
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  /** Wall-clock time the head is taken to have arrived; the next block is due a block time after. */
  let anchor = Date.now()
  let endAnnounced = false

  const produce = (): boolean => {
    const block = source.next(nowSeconds())
    if (!block) {
      if (!endAnnounced) {
        endAnnounced = true
        notice(`replay reached the end of ${describe} at block ${store.head().number}`)
      }
      return false
    }
    store.add(block)
    save()
    const event = {
      number: block.number,
      hash: block.hash,
      timestamp: block.timestamp,
      producedAt: Date.now(),
    }
    for (const listener of listeners) listener(event)
    return true
  }

  const schedule = () => {
    clearTimeout(timer)
    timer = undefined
    if (paused || stopped) return
    const delay = source.nextDelayMs()
    if (delay === undefined) {
      produce() // announces the end
      return
    }
    timer = setTimeout(tick, Math.max(0, anchor + delay - Date.now()))
    timer.unref()
  }

  const tick = () => {
    // Catch up on every block that is due (a fast replay, or a slow event loop), a bounded number a tick.
    for (let i = 0; i < 1000; i++) {
      const delay = source.nextDelayMs()
      if (delay === undefined || anchor + delay > Date.now()) break
      if (!produce()) break
      anchor += delay
    }
    schedule()
  }

  schedule()

  return {
    url: server.url,
    host: server.host,
    port: server.port,
    chainId,
    mode,
    head: () => store.head().number,
    pause() {
      paused = true
      schedule()
    },
    resume() {
      if (!paused) return
      paused = false
      anchor = Date.now()
      schedule()
    },
    isPaused: () => paused,
    mine(blocks = 1) {
      for (let i = 0; i < blocks; i++) if (!produce()) break
      anchor = Date.now()
      schedule()
      return store.head().number
    },
    onBlock(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    ended: () => source.remaining() === 0,
    inexact,
    async stop() {
      if (stopped) return
      stopped = true
      clearTimeout(timer)
      listeners.clear()
      await server.close()
      await saving
    },
  }
}
