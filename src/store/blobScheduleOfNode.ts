import type { BlobFork, BlobSchedule } from '../chains/blobSchedule.js'
import { storeKeys } from './keys.js'
import type { StoreClient } from './scripts.js'

/**
 * What a chain's node said its blob schedule is (eth_config, EIP-7910), as the sampler checked it: the
 * schedule, and the problems found with it (a mismatch with the built-in schedule of a known chain, a
 * refused answer). Written by the sampler leader at start and on reconnection; read by the predictor, which
 * uses the node's schedule only where feecast has none built in, and turns the problems into trust reasons.
 */
export type BlobScheduleOfNode = {
  /** unix ms */
  updatedAt: number
  /** null when the node gave none (no eth_config, or an answer that was refused). */
  schedule: BlobSchedule | null
  /** Already redacted: they reach logs and the prediction's trust reasons. */
  problems: string[]
}

type StoredFork = Omit<BlobFork, 'baseFeeUpdateFraction'> & { baseFeeUpdateFraction: string }
type Stored = Omit<BlobScheduleOfNode, 'schedule'> & { schedule: StoredFork[] | null }

export async function writeBlobScheduleOfNode(
  redis: StoreClient,
  { chainId, value }: { chainId: number; value: BlobScheduleOfNode },
): Promise<void> {
  const stored: Stored = {
    ...value,
    schedule:
      value.schedule?.map((f) => ({ ...f, baseFeeUpdateFraction: f.baseFeeUpdateFraction.toString() })) ??
      null,
  }
  await redis.set(storeKeys(chainId).blobSchedule, JSON.stringify(stored))
}

/**
 * The node's blob schedule as the sampler stored it, or null when none was written or it does not parse
 * (advisory: the caller validates the forks before using them).
 */
export async function readBlobScheduleOfNode(
  redis: StoreClient,
  { chainId }: { chainId: number },
): Promise<BlobScheduleOfNode | null> {
  const text = await redis.get(storeKeys(chainId).blobSchedule)
  if (text === null) return null
  try {
    const parsed = JSON.parse(text) as Stored
    if (typeof parsed.updatedAt !== 'number' || !Array.isArray(parsed.problems)) return null
    return {
      updatedAt: parsed.updatedAt,
      problems: parsed.problems.filter((p): p is string => typeof p === 'string'),
      schedule: Array.isArray(parsed.schedule)
        ? parsed.schedule.map((f) => ({ ...f, baseFeeUpdateFraction: BigInt(f.baseFeeUpdateFraction) }))
        : null,
    }
  } catch {
    return null
  }
}
