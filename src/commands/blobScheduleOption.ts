import type { BlobSchedule } from '../chains/blobSchedule.js'
import { builtInBlobSchedule } from '../chains/blobSchedules.js'
import { readBlobScheduleFile } from '../chains/readBlobScheduleFile.js'
import { CommandOptionError } from './errors.js'

export type BlobScheduleOptions = {
  /** Chain whose built-in schedule applies (default 1, Ethereum mainnet). */
  chainId?: string | number
  /** `--blob-schedule FILE`: a schedule file, which wins over the built-in one. */
  blobSchedule?: string
}

/**
 * The blob schedule a command's history files follow: a history file names no chain, so `--blob-schedule FILE`
 * or the built-in schedule of `--chain-id` (mainnet's by default). A chain without one is refused with what
 * to pass instead.
 */
export async function resolveBlobSchedule(
  options: BlobScheduleOptions,
): Promise<{ schedule: BlobSchedule; label: string }> {
  const chainId = Number(options.chainId ?? 1)
  if (!Number.isSafeInteger(chainId) || chainId <= 0)
    throw new CommandOptionError(`Invalid --chain-id: ${options.chainId}`)
  if (options.blobSchedule)
    return { schedule: await readBlobScheduleFile(options.blobSchedule), label: options.blobSchedule }
  const schedule = builtInBlobSchedule(chainId)
  if (!schedule)
    throw new CommandOptionError(`Chain ${chainId} has no built-in blob schedule.`, {
      details: 'Pass the chain\'s blob forks with --blob-schedule FILE (see README "Blob fees").',
    })
  return { schedule, label: `chain ${chainId} (built in)` }
}
