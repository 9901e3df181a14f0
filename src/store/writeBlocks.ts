import type { BlockRecord } from '../types.js'
import { LeaseNotHeldError } from './errors.js'
import { storeKeys } from './keys.js'
import { fencedReply, runScript, type StoreClient, writeBlocksScript } from './scripts.js'
import { serializeBlockRecord } from './serializeBlockRecord.js'

export type WriteBlocksParameters = {
  chainId: number
  records: readonly BlockRecord[]
  /** The writer's lease token (acquireLease): the write is refused unless it is still the chain's lease. */
  leaseToken: string
  /** Records kept; the oldest beyond this are trimmed in the same write. */
  maxStoredBlocks: number
  /**
   * Remove every stored record above this number first (a reorg onto a shorter chain: the old chain's
   * records above the new head must go).
   */
  truncateAbove?: number
}

/** The stored head after the write (-1: the store is empty). */
export type WriteBlocksReturnType = { headNumber: number }

/**
 * Writes block records of one chain atomically, idempotently (a number holds one record: writing it again
 * replaces it) and fenced by the lease; announces the write on the chain's channel. Throws LeaseNotHeldError
 * when the lease is not the writer's.
 */
export async function writeBlocks(
  redis: StoreClient,
  { chainId, records, leaseToken, maxStoredBlocks, truncateAbove }: WriteBlocksParameters,
): Promise<WriteBlocksReturnType> {
  const keys = storeKeys(chainId)
  const args: (string | number)[] = [
    leaseToken,
    maxStoredBlocks,
    truncateAbove === undefined ? '' : truncateAbove,
    keys.channel,
    chainId,
  ]
  for (const record of records) args.push(record.number, serializeBlockRecord(record))
  try {
    const head = await runScript(redis, writeBlocksScript, [keys.blocks, keys.head, keys.lease], args)
    return { headNumber: Number(head) }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(fencedReply))
      throw new LeaseNotHeldError(chainId, 'writeBlocks')
    throw error
  }
}
