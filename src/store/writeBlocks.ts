import type { BlockRecord } from '../types.js'
import { LeaseNotHeldError, StoreBehindError } from './errors.js'
import { storeKeys } from './keys.js'
import { behindReply, fencedReply, runScript, type StoreClient, writeBlocksScript } from './scripts.js'
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
  /**
   * The head this writer last stored (or read): a store whose head is lower lost writes (a failover), and
   * the write is refused with StoreBehindError so the writer refills from what is stored.
   */
  knownHead?: number | null
}

/** The stored head after the write (-1: the store is empty). */
export type WriteBlocksReturnType = { headNumber: number }

/**
 * Writes block records of one chain atomically, idempotently (a number holds one record: writing it again
 * replaces it) and fenced by the lease; announces the write on the chain's channel. Throws LeaseNotHeldError
 * when the lease is not the writer's, StoreBehindError when the store holds less than the writer stored.
 */
export async function writeBlocks(
  redis: StoreClient,
  { chainId, records, leaseToken, maxStoredBlocks, truncateAbove, knownHead }: WriteBlocksParameters,
): Promise<WriteBlocksReturnType> {
  const keys = storeKeys(chainId)
  const args: (string | number)[] = [
    leaseToken,
    maxStoredBlocks,
    truncateAbove === undefined ? '' : truncateAbove,
    keys.channel,
    chainId,
    knownHead === undefined || knownHead === null ? '' : knownHead,
  ]
  for (const record of records) args.push(record.number, serializeBlockRecord(record))
  try {
    const head = await runScript(
      redis,
      writeBlocksScript,
      [keys.blocks, keys.head, keys.lease, keys.leaseEpoch],
      args,
    )
    return { headNumber: Number(head) }
  } catch (error) {
    if (error instanceof Error && error.message.startsWith(fencedReply))
      throw new LeaseNotHeldError(chainId, 'writeBlocks')
    if (error instanceof Error && error.message.startsWith(behindReply))
      throw new StoreBehindError(chainId, {
        storedHead: Number(error.message.slice(behindReply.length + 1)),
        knownHead: knownHead ?? -1,
      })
    throw error
  }
}
