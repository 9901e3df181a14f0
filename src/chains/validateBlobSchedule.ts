import type { BlobFork, BlobSchedule } from './blobSchedule.js'
import { BlobScheduleError } from './errors.js'

/** Hostile-input bounds: no real chain comes near them. */
export const blobScheduleLimits = { forks: 64, maxBlobs: 1024, updateFraction: 2n ** 48n } as const

/**
 * Checks forks from any source and returns them as a schedule (sorted by activation time): every number in
 * range, target below max (a fork whose max equals its target could never raise the fee), names and
 * activation times unique.
 */
export function validateBlobSchedule(source: string, forks: readonly BlobFork[]): BlobSchedule {
  if (forks.length > blobScheduleLimits.forks)
    throw new BlobScheduleError(source, `${forks.length} forks, more than ${blobScheduleLimits.forks}`)
  const sorted = [...forks].sort((a, b) => a.activationTime - b.activationTime)
  const names = new Set<string>()
  sorted.forEach((fork, i) => {
    const where = `fork "${fork.name}"`
    if (!Number.isSafeInteger(fork.activationTime) || fork.activationTime < 0)
      throw new BlobScheduleError(
        source,
        `${where}: activation time ${fork.activationTime} is not a unix time`,
      )
    if (!Number.isInteger(fork.target) || fork.target < 1)
      throw new BlobScheduleError(
        source,
        `${where}: target ${fork.target} is not a whole number of blobs >= 1`,
      )
    if (!Number.isInteger(fork.max) || fork.max <= fork.target || fork.max > blobScheduleLimits.maxBlobs)
      throw new BlobScheduleError(
        source,
        `${where}: max ${fork.max} must be a whole number of blobs above the target (${fork.target}) and at most ${blobScheduleLimits.maxBlobs}`,
      )
    if (fork.baseFeeUpdateFraction < 1n || fork.baseFeeUpdateFraction > blobScheduleLimits.updateFraction)
      throw new BlobScheduleError(
        source,
        `${where}: update fraction ${fork.baseFeeUpdateFraction} is outside 1..${blobScheduleLimits.updateFraction}`,
      )
    if (names.has(fork.name)) throw new BlobScheduleError(source, `fork "${fork.name}" appears twice`)
    names.add(fork.name)
    const previous = sorted[i - 1]
    if (previous && previous.activationTime === fork.activationTime)
      throw new BlobScheduleError(
        source,
        `forks "${previous.name}" and "${fork.name}" activate at the same time ${fork.activationTime}`,
      )
    if (previous?.reservePrice && !fork.reservePrice)
      throw new BlobScheduleError(
        source,
        `fork "${fork.name}" drops EIP-7918's reserve price that "${previous.name}" introduced`,
      )
  })
  return sorted
}
