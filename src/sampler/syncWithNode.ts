import type { Span } from '@opentelemetry/api'
import { toHex } from 'viem'
import { readBlocks } from '../store/readBlocks.js'
import { readHead } from '../store/readHead.js'
import { inSyncTrace } from '../tracing/syncTrace.js'
import type { BlockRecord } from '../types.js'
import { blobFieldsOfHistory } from './blobFieldsOfHistory.js'
import { factsOfBlock, factsOfRecord } from './blockGate.js'
import { recordOfFetchedBlock, type SampledBlock } from './blockToRecord.js'
import { ChainMovedError } from './errors.js'
import { feeHistoryToRecords } from './feeHistoryToRecords.js'
import { planSync, type SyncPlan, syncStart } from './planSync.js'
import { rewriteReorg } from './rewriteReorg.js'
import type { Head, SamplerContext } from './samplerContext.js'
import { syncBlobSchedule } from './syncBlobSchedule.js'

export type SyncWithNodeParameters = {
  /** Blocks backfilled on start. */
  historyBlocks: number
  /** Of a backfill, the newest this many are fetched whole (tips); the rest through eth_feeHistory. */
  backfillFullBlocks: number
  /** Full blocks fetched in parallel. */
  fetchConcurrency: number
  maxReorgDepth: number
}

/**
 * The sync step: brings the store up to the node's head. Re-reads the stored head (it may have been
 * reorged away while the sampler was down or away from Redis), then executes planSync's plan: a
 * backfill on first start, the gap since the stored head after a restart. Emits 'synced' once done;
 * returns early, without it, when the sampler is stopping. With tracing on it is one trace (inSyncTrace).
 */
export function syncWithNode(context: SamplerContext, parameters: SyncWithNodeParameters): Promise<void> {
  return inSyncTrace(context.chainId, (span) => syncSteps(context, parameters, span))
}

async function syncSteps(
  context: SamplerContext,
  parameters: SyncWithNodeParameters,
  span: Span | null,
): Promise<void> {
  const { chainId, client } = context
  await syncBlobSchedule(context)
  const stored = await context.store('readHead', readHead(context.redis, { chainId }))
  const latest = Number(await client.getBlockNumber())
  context.head = stored ? { number: stored.number, hash: stored.hash } : null
  context.storedHead = stored?.number ?? null
  context.parent = stored ? factsOfRecord(stored) : null
  const from = syncStart({
    latest,
    storedHead: stored?.number ?? null,
    historyBlocks: parameters.historyBlocks,
  })
  const oldestServed = await context.blocks.oldestServed(from, latest)
  if (oldestServed > from) leaveGapBelow(context, from, oldestServed)
  else if (stored?.hash) await checkStoredHead(context, stored, latest, parameters.maxReorgDepth)
  const plan = planSync({
    latest,
    storedHead: context.head?.number ?? null,
    historyBlocks: parameters.historyBlocks,
    backfillFullBlocks: parameters.backfillFullBlocks,
    oldestServed,
  })
  span?.setAttributes({ 'feecast.sync.node_head': latest, 'feecast.sync.stored_head': stored?.number ?? -1 })
  const backfilled = await storeFeeHistory(context, plan.feeHistory)
  if (backfilled === null) return
  let written = backfilled
  if (plan.full) {
    const fetched = await storeFullBlocks(context, plan.full, latest, parameters.fetchConcurrency)
    if (fetched === null) return
    written += fetched
  }
  span?.setAttribute('feecast.sync.blocks_written', written)
  context.logger.info({ head: context.head?.number ?? null, written }, 'in sync with the node')
  context.emit({ type: 'synced', head: context.head?.number ?? -1, written })
}

/**
 * The node does not have the blocks from..oldestServed-1 (pruned, or a restarted devchain that resumed past
 * them; the block fetcher has counted them missing often enough): they are left as a gap, and the node is
 * followed from the oldest block it has. A stored head among them cannot be compared with the node's.
 */
function leaveGapBelow(context: SamplerContext, from: number, oldestServed: number): void {
  context.logger.warn(
    { from, to: oldestServed - 1, oldestServed },
    'the node does not have the blocks below the oldest it serves: they are left as a gap',
  )
  if (context.head && context.head.number < oldestServed)
    context.head = { number: oldestServed - 1, hash: null }
}

/** Is the stored head still on the node's chain? A mismatch is a reorg that happened while away. */
async function checkStoredHead(
  context: SamplerContext,
  stored: BlockRecord,
  latest: number,
  maxReorgDepth: number,
): Promise<void> {
  const at = Math.min(stored.number, latest)
  const storedAt =
    at === stored.number
      ? stored
      : (
          await context.store(
            'readBlocks',
            readBlocks(context.redis, { chainId: context.chainId, from: at, to: at }),
          )
        )[0]
  if (!storedAt?.hash) return
  const block = await context.blocks.fetch(at)
  if (block === 'gap') {
    // Pruned, or a restarted devchain that resumed past it: nothing to compare with. Follow the node
    // from what it has; the blocks in between are left as a gap.
    context.logger.warn(
      { block: at },
      'the node no longer has the stored head: following it from the blocks it has, leaving a gap',
    )
    if (context.head) context.head = { number: context.head.number, hash: null }
  } else if (block.hash !== storedAt.hash) await rewriteReorg(context, { tip: block, latest, maxReorgDepth })
}

/** eth_feeHistory as the node sends it (validateRpcResult has checked it), blob fields included. */
type RpcFeeHistory = {
  oldestBlock: string
  baseFeePerGas: string[]
  gasUsedRatio: number[]
  baseFeePerBlobGas?: string[] | null
  blobGasUsedRatio?: number[] | null
}

/** The older part of the plan, through eth_feeHistory (no hashes, no tips). Records written, or null when stopped. */
async function storeFeeHistory(
  context: SamplerContext,
  calls: SyncPlan['feeHistory'],
): Promise<number | null> {
  let written = 0
  for (const { newest, count } of calls) {
    if (context.stopping()) return null
    // Raw, not viem's getFeeHistory: its formatter drops the blob fields.
    const raw = (await context.client.request({
      method: 'eth_feeHistory',
      params: [toHex(count), toHex(newest), []],
    } as never)) as RpcFeeHistory
    const history = {
      oldestBlock: BigInt(raw.oldestBlock),
      baseFeePerGas: raw.baseFeePerGas.map((v) => BigInt(v)),
      gasUsedRatio: raw.gasUsedRatio,
    }
    const records = await blobFieldsOfHistory(context, feeHistoryToRecords(history), {
      baseFeePerBlobGas: raw.baseFeePerBlobGas?.map((v) => BigInt(v)),
      blobGasUsedRatio: raw.blobGasUsedRatio ?? undefined,
    })
    // The node keeps less than was asked for (pruned, or a restarted devchain): the newest part, ending at
    // `newest` (checked by validateRpcResult), is stored and the rest left as a gap.
    if (records.length < count)
      context.logger.warn(
        { from: newest - count + 1, to: newest, served: records.length },
        'the node has only part of the history asked for: the rest is left as a gap',
      )
    const last = records.at(-1)
    if (last === undefined) continue
    context.gate.admitHistory(records, context.parent)
    await context.write(records)
    context.stored(factsOfRecord(last))
    context.head = { number: newest, hash: null }
    written += records.length
    context.announce(records, 'backfill')
  }
  return written
}

/** The newest part of the plan, fetched whole in batches. Records written, or null when stopped. */
async function storeFullBlocks(
  context: SamplerContext,
  full: NonNullable<SyncPlan['full']>,
  latest: number,
  concurrency: number,
): Promise<number | null> {
  let written = 0
  const batch = Math.max(1, concurrency * 4)
  for (let from = full.from; from <= full.to; from += batch) {
    if (context.stopping()) return null
    const to = Math.min(full.to, from + batch - 1)
    const fetched = await context.blocks.fetchRange(from, to, concurrency)
    const found = fetched.filter((b): b is SampledBlock => b !== 'gap')
    if (found.length < fetched.length)
      context.logger.warn(
        { from, to, missing: fetched.length - found.length },
        'the node does not have some blocks below its head: they are left as a gap',
      )
    checkLinked(context.head, found)
    const { admitted, rejected } = context.gate.admit(found, context.parent, latest)
    const last = admitted.at(-1)
    if (last !== undefined) {
      const records = admitted.map(recordOfFetchedBlock)
      await context.write(records)
      context.stored(factsOfBlock(last))
      context.head = { number: Number(last.number), hash: last.hash }
      written += records.length
      context.announce(records, 'backfill')
    }
    if (rejected) throw rejected
  }
  return written
}

/** Consecutive fetched blocks must each extend the one before (from `head` on): else the chain moved. */
function checkLinked(head: Head | null, blocks: readonly SampledBlock[]): void {
  let previous = head
  for (const block of blocks) {
    const number = Number(block.number)
    if (previous?.hash && number === previous.number + 1 && block.parentHash !== previous.hash)
      throw new ChainMovedError(`block ${number} does not extend block ${previous.number}: reorg during sync`)
    previous = { number, hash: block.hash }
  }
}
