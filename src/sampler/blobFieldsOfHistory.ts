import { type BlobFork, type BlobSchedule, blobForkAt } from '../chains/blobSchedule.js'
import type { BlockRecord } from '../types.js'
import { replayBlobHistory } from './replayBlobHistory.js'
import type { SamplerContext } from './samplerContext.js'

/** eth_feeHistory's blob fields as the node sent them (validateRpcResult checked lengths and ranges). */
export type FeeHistoryBlobFields = {
  baseFeePerBlobGas?: readonly bigint[] | undefined
  blobGasUsedRatio?: readonly number[] | undefined
}

type Header = { number: number; timestamp: number; excessBlobGas: bigint | null; blobGasUsed: bigint | null }

async function headerOf(context: SamplerContext, number: number): Promise<Header | null> {
  const block = await context.client.getBlock({ blockNumber: BigInt(number), includeTransactions: false })
  if (!block) return null
  return {
    number,
    timestamp: Number(block.timestamp),
    excessBlobGas: block.excessBlobGas ?? null,
    blobGasUsed: block.blobGasUsed ?? null,
  }
}

/** The first block in (from, to] whose timestamp reaches `time` (headers, by bisection: ~10 calls for 1024). */
async function firstBlockAt(
  context: SamplerContext,
  from: number,
  to: number,
  time: number,
): Promise<number> {
  let lo = from + 1
  let hi = to
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2)
    const header = await headerOf(context, mid)
    if (header !== null && header.timestamp >= time) hi = mid
    else lo = mid + 1
  }
  return lo
}

/** The fork of each block of [oldest, newest] from the two end headers, finding fork boundaries between them. */
async function forksOfRange(
  context: SamplerContext,
  schedule: BlobSchedule,
  oldest: Header,
  newest: Header,
): Promise<(number: number) => BlobFork | undefined> {
  const first = blobForkAt(schedule, oldest.timestamp)
  const boundaries: { from: number; fork: BlobFork }[] = []
  for (const fork of schedule)
    if (fork.activationTime > oldest.timestamp && fork.activationTime <= newest.timestamp)
      boundaries.push({
        from: await firstBlockAt(context, oldest.number, newest.number, fork.activationTime),
        fork,
      })
  return (number) => {
    let found = first
    for (const b of boundaries) if (number >= b.from) found = b.fork
    return found
  }
}

/**
 * Backfilled records with their blob fields, replayed exactly from the oldest block's header (see
 * replayBlobHistory), or unchanged when the chain has no blob schedule, the node gave no blob fields, or the
 * replay was refused (logged: the records then say "unknown" rather than something wrong).
 */
export async function blobFieldsOfHistory(
  context: SamplerContext,
  records: readonly BlockRecord[],
  fields: FeeHistoryBlobFields,
): Promise<readonly BlockRecord[]> {
  const schedule = context.gate.blobSchedule()
  const first = records[0]
  const last = records.at(-1)
  if (!schedule || schedule.length === 0 || !first || !last || !fields.blobGasUsedRatio?.length)
    return records
  const [oldest, newest] = await Promise.all([
    headerOf(context, first.number),
    headerOf(context, last.number),
  ])
  if (oldest?.excessBlobGas == null || oldest.blobGasUsed == null || newest === null) return records
  const replayed = replayBlobHistory({
    records,
    anchor: { excessBlobGas: oldest.excessBlobGas, blobGasUsed: oldest.blobGasUsed },
    baseFeePerBlobGas: fields.baseFeePerBlobGas ?? [],
    blobGasUsedRatio: fields.blobGasUsedRatio,
    forkOf: await forksOfRange(context, schedule, oldest, newest),
  })
  if (replayed.ok) return replayed.records
  context.logger.warn(
    { from: first.number, to: last.number, problem: replayed.problem },
    'blob history refused: the backfilled blocks keep no blob fields',
  )
  return records
}
