import type { Hex } from 'viem'
import type { BlobSchedule } from '../chains/blobSchedule.js'
import { type Eip1559Parameters, nextBaseFee } from '../fees/nextBaseFee.js'
import { blobBaseFeeOfBlock, ethConfigOf, feeHistoryBlobFields, nextBlobBaseFeeOf } from './blobRpc.js'
import type { ChainStore } from './chainStore.js'
import type { DevBlock } from './devBlock.js'
import { JsonRpcError } from './errors.js'
import { feeHistoryRewards } from './feeHistoryRewards.js'
import { quantity } from './hex.js'
import { type RpcMethods, rpcErrorCodes } from './jsonRpc.js'
import { toRpcBlock, toRpcReceipts } from './rpcBlock.js'
import { suggestTipCap } from './suggestTipCap.js'

export type CreateRpcMethodsParameters = {
  store: ChainStore
  chainId: number
  eip1559: Eip1559Parameters
  /** The chain's blob forks (empty: a chain without blobs, which answers no blob method). */
  blobSchedule?: BlobSchedule | undefined
  /** Seconds between blocks: the next block's time, and so its blob fork. */
  slotSeconds?: number | undefined
  clientVersion?: string
  /** Serve eth_config (EIP-7910) on a chain with blobs. Default true; false: a node that predates it. */
  ethConfig?: boolean | undefined
}

/** geth's cap on eth_feeHistory's block count (larger requests are cut, not refused). */
export const maxFeeHistoryBlocks = 1024
const maxRewardPercentiles = 100
/** How far behind the head "safe" and "finalized" are (one and two epochs of 32 slots). */
const safeDistance = 32
const finalizedDistance = 64

const invalid = (index: number, problem: string) =>
  new JsonRpcError(rpcErrorCodes.invalidParams, `invalid argument ${index}: ${problem}`)

const hexQuantity = /^0x(0|[1-9a-f][0-9a-f]*)$/i

function parseQuantity(value: unknown, index: number): number {
  if (typeof value !== 'string') throw invalid(index, 'expected a hex string')
  if (!value.startsWith('0x') && !value.startsWith('0X')) throw invalid(index, 'hex string without 0x prefix')
  if (value.length === 2) throw invalid(index, 'hex string "0x"')
  if (!hexQuantity.test(value))
    throw invalid(
      index,
      /^0x0[0-9a-f]/i.test(value) ? 'hex number with leading zero digits' : 'invalid hex string',
    )
  const n = Number.parseInt(value, 16)
  if (!Number.isSafeInteger(n)) throw invalid(index, 'hex number > 64 bits')
  return n
}

type BlockSelector = { tag: 'latest' | 'earliest' | 'pending' | 'safe' | 'finalized' } | { number: number }

function parseBlockSelector(value: unknown, index: number): BlockSelector {
  if (
    value === 'latest' ||
    value === 'earliest' ||
    value === 'pending' ||
    value === 'safe' ||
    value === 'finalized'
  )
    return { tag: value }
  if (typeof value === 'string' && !value.startsWith('0x') && !value.startsWith('0X'))
    throw invalid(index, `unknown block tag "${value.slice(0, 40)}"`)
  return { number: parseQuantity(value, index) }
}

/** geth's math.HexOrDecimal64: a JSON number, a decimal string or a hex string. */
function parseCount(value: unknown, index: number): number {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value) || value < 0) throw invalid(index, 'expected a non-negative integer')
    return value
  }
  if (typeof value === 'string' && /^[0-9]+$/.test(value)) return Number(value)
  return parseQuantity(value, index)
}

function parseBoolean(value: unknown, index: number): boolean {
  if (value === undefined) return false
  if (typeof value !== 'boolean') throw invalid(index, 'expected a boolean (full transactions or hashes)')
  return value
}

function requireArgs(params: readonly unknown[], required: number, max: number) {
  if (params.length < required)
    throw invalid(params.length, `missing value for required argument ${params.length}`)
  if (params.length > max)
    throw new JsonRpcError(rpcErrorCodes.invalidParams, `too many arguments, want at most ${max}`)
}

/**
 * The Ethereum JSON-RPC methods the devchain serves, over its chain store. Blocks the chain does not
 * have (future, pruned, or missing from a replayed file) are null, as on a real node.
 */
export function createRpcMethods({
  store,
  chainId,
  eip1559,
  blobSchedule = [],
  slotSeconds = 12,
  clientVersion = 'feecast-devchain/v0.1.0',
  ethConfig = true,
}: CreateRpcMethodsParameters): RpcMethods {
  const blobs = { schedule: blobSchedule, slotSeconds }
  const maxPriorityFee = createTipSuggester(store)
  return {
    web3_clientVersion: () => clientVersion,
    net_version: () => String(chainId),
    eth_chainId: () => quantity(chainId),
    eth_syncing: () => false,
    eth_blockNumber: () => quantity(store.head().number),

    eth_getBlockByNumber: (params) => {
      requireArgs(params, 1, 2)
      const selector = parseBlockSelector(params[0], 0)
      const full = parseBoolean(params[1], 1)
      const block = resolveBlock(store, selector)
      return block ? toRpcBlock(block, full, chainId) : null
    },

    eth_getBlockByHash: (params) => {
      requireArgs(params, 1, 2)
      const hash = params[0]
      if (typeof hash !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(hash))
        throw invalid(0, 'expected a 32-byte hex block hash')
      const full = parseBoolean(params[1], 1)
      const block = store.getByHash(hash as Hex)
      return block ? toRpcBlock(block, full, chainId) : null
    },

    eth_getBlockReceipts: (params) => {
      requireArgs(params, 1, 1)
      const block = resolveBlock(store, parseBlockSelector(params[0], 0))
      return block ? toRpcReceipts(block) : null
    },

    eth_gasPrice: () => {
      const head = store.head()
      return quantity(maxPriorityFee() + (head.baseFeePerGas ?? 0n))
    },

    eth_maxPriorityFeePerGas: () => quantity(maxPriorityFee()),

    eth_feeHistory: (params) => feeHistory(store, eip1559, params, blobs),

    ...(blobSchedule.length === 0
      ? {}
      : {
          eth_blobBaseFee: () => {
            const fee = nextBlobBaseFeeOf(store.head(), blobSchedule, slotSeconds)
            if (fee === null)
              throw new JsonRpcError(rpcErrorCodes.serverError, 'the head block has no blob fields')
            return quantity(fee)
          },
          ...(ethConfig
            ? { eth_config: () => ethConfigOf(blobSchedule, chainId, Math.floor(Date.now() / 1000)) }
            : {}),
        }),
  }
}

/** The block a selector names, if the chain has it. */
function resolveBlock(store: ChainStore, selector: BlockSelector): DevBlock | undefined {
  const head = store.head()
  if ('number' in selector) return selector.number > head.number ? undefined : store.get(selector.number)
  switch (selector.tag) {
    case 'latest':
    case 'pending':
      // The devchain has no mempool of its own: the pending block is the head.
      return head
    case 'earliest':
      return store.earliest()
    case 'safe':
      return store.atOrBelow(Math.max(store.earliest().number, head.number - safeDistance))
    case 'finalized':
      return store.atOrBelow(Math.max(store.earliest().number, head.number - finalizedDistance))
  }
}

/** geth's tip suggestion over the last 20 blocks, computed once per head. */
function createTipSuggester(store: ChainStore): () => bigint {
  let lastTip = { head: '' as string, value: 1_000_000_000n }
  return () => {
    const head = store.head()
    if (lastTip.head === head.hash) return lastTip.value
    const blocks = []
    for (let n = head.number; n >= 0 && blocks.length < 20; n--) {
      const block = store.get(n)
      if (!block) {
        if (n < store.earliest().number) break
        continue
      }
      blocks.push({ miner: block.miner, transactions: block.transactions() })
    }
    const value = suggestTipCap({ blocks, lastPrice: lastTip.value })
    lastTip = { head: head.hash, value }
    return value
  }
}

/** eth_feeHistory as geth answers it: up to 1024 consecutive blocks ending at the one named, and the next base fee. */
function feeHistory(
  store: ChainStore,
  eip1559: Eip1559Parameters,
  params: readonly unknown[],
  blobs: { schedule: BlobSchedule; slotSeconds: number },
): unknown {
  requireArgs(params, 2, 3)
  let count = parseCount(params[0], 0)
  const selector = parseBlockSelector(params[1], 1)
  const percentiles = parsePercentiles(params[2], 2)
  const head = store.head()
  if ('number' in selector && selector.number > head.number)
    throw new JsonRpcError(
      rpcErrorCodes.serverError,
      `request beyond head block: requested ${selector.number}, head ${head.number}`,
    )
  if (count > maxFeeHistoryBlocks) count = maxFeeHistoryBlocks
  const newest = resolveBlock(store, selector)
  const emptyResult = (oldest: number) => ({
    oldestBlock: quantity(oldest),
    baseFeePerGas: [],
    gasUsedRatio: [],
    ...(percentiles.length > 0 ? { reward: [] } : {}),
  })
  if (count === 0) return emptyResult(0)
  // A block the chain lacks (pruned, or a gap of a replayed file): nothing to report.
  if (!newest) return emptyResult('number' in selector ? selector.number : head.number)
  const blocks = runEndingAt(store, newest, count)
  const baseFees = blocks.map((b) => quantity(b.baseFeePerGas ?? 0n))
  baseFees.push(quantity(baseFeeAfter(store, eip1559, newest)))
  const result: Record<string, unknown> = {
    oldestBlock: quantity(blocks[0]?.number ?? newest.number),
    baseFeePerGas: baseFees,
    gasUsedRatio: blocks.map((b) =>
      b.fee.gasLimit === 0n ? 0 : Number(b.fee.gasUsed) / Number(b.fee.gasLimit),
    ),
  }
  if (blobs.schedule.length > 0) {
    const child = store.get(newest.number + 1)
    const nextFee = child
      ? blobBaseFeeOfBlock(child, blobs.schedule)
      : nextBlobBaseFeeOf(newest, blobs.schedule, blobs.slotSeconds)
    Object.assign(result, feeHistoryBlobFields(blocks, blobs.schedule, nextFee))
  }
  if (percentiles.length > 0)
    result.reward = blocks.map((b) =>
      feeHistoryRewards({ samples: b.rewardSamples(), blockGasUsed: b.fee.gasUsed, percentiles }).map(
        quantity,
      ),
    )
  return result
}

/** The run of consecutive blocks ending at `newest`, at most `count`, ascending: gaps cut it, as for a pruned node. */
function runEndingAt(store: ChainStore, newest: DevBlock, count: number): DevBlock[] {
  const blocks: DevBlock[] = [newest]
  for (let n = newest.number - 1; blocks.length < count && n >= 0; n--) {
    const block = store.get(n)
    if (!block) break
    blocks.push(block)
  }
  return blocks.reverse()
}

/** Base fee the block after `block` has: the served one when the chain has it, else computed. */
function baseFeeAfter(store: ChainStore, eip1559: Eip1559Parameters, block: DevBlock): bigint {
  const child = store.get(block.number + 1)
  if (child) return child.baseFeePerGas ?? 0n
  return nextBaseFee({ ...block.fee, eip1559 })
}

function parsePercentiles(value: unknown, index: number): number[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) throw invalid(index, 'expected an array of reward percentiles')
  if (value.length > maxRewardPercentiles)
    throw invalid(index, `invalid reward percentile: over the query limit ${maxRewardPercentiles}`)
  value.forEach((p, i) => {
    if (typeof p !== 'number' || !Number.isFinite(p))
      throw invalid(index, `reward percentile #${i} is not a number`)
    if (p < 0 || p > 100) throw invalid(index, `invalid reward percentile: ${p}`)
    if (i > 0 && p <= (value[i - 1] as number))
      throw invalid(index, `invalid reward percentile: #${i - 1}:${value[i - 1]} >= #${i}:${p}`)
  })
  return value as number[]
}
