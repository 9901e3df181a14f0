import type { BlobParameters } from '../fees/blobGas.js'

/** One fork's blob parameters and when they take effect (unix seconds: forks since Cancun activate by time). */
export type BlobFork = BlobParameters & {
  name: string
  activationTime: number
}

/**
 * A chain's blob forks, ascending by activation time. Before the first one the chain has no blobs; an empty
 * schedule is a chain without blobs (feecast then says "no blob prediction", never a number).
 */
export type BlobSchedule = readonly BlobFork[]

/** Ethereum mainnet (EIP-4844, EIP-7691, EIP-7918 with Osaka, EIP-7892's blob-parameter-only forks). */
export const mainnetBlobSchedule: BlobSchedule = [
  {
    name: 'cancun',
    activationTime: 1_710_338_135,
    target: 3,
    max: 6,
    baseFeeUpdateFraction: 3_338_477n,
    reservePrice: false,
  },
  {
    name: 'prague',
    activationTime: 1_746_612_311,
    target: 6,
    max: 9,
    baseFeeUpdateFraction: 5_007_716n,
    reservePrice: false,
  },
  {
    name: 'osaka',
    activationTime: 1_764_798_551,
    target: 6,
    max: 9,
    baseFeeUpdateFraction: 5_007_716n,
    reservePrice: true,
  },
  {
    name: 'bpo1',
    activationTime: 1_765_290_071,
    target: 10,
    max: 15,
    baseFeeUpdateFraction: 8_346_193n,
    reservePrice: true,
  },
  {
    name: 'bpo2',
    activationTime: 1_767_747_671,
    target: 14,
    max: 21,
    baseFeeUpdateFraction: 11_684_671n,
    reservePrice: true,
  },
]

/** The fork in force at a timestamp, or undefined before the schedule's first fork (no blobs yet). */
export function blobForkAt(schedule: BlobSchedule, timestamp: number): BlobFork | undefined {
  let found: BlobFork | undefined
  for (const fork of schedule) {
    if (fork.activationTime > timestamp) break
    found = fork
  }
  return found
}

/**
 * Every fork that may be in force at some time in [from, to]: the one in force at `from` and any that
 * activates after it up to `to`. A block whose timestamp is not known exactly (the next one: a slot may be
 * missed) may follow any of them.
 */
export function blobForksBetween(schedule: BlobSchedule, from: number, to: number): BlobFork[] {
  const forks: BlobFork[] = []
  const first = blobForkAt(schedule, from)
  if (first) forks.push(first)
  for (const fork of schedule) if (fork.activationTime > from && fork.activationTime <= to) forks.push(fork)
  return forks
}

/**
 * The forks the next block may follow: the next block comes at least one slot after the head and, unless
 * slots are missed, exactly one; within `slackSlots` slots of a fork both sides are candidates.
 */
export function nextBlockBlobForks(
  schedule: BlobSchedule,
  headTimestamp: number,
  slotSeconds = 12,
  slackSlots = 2,
): BlobFork[] {
  return blobForksBetween(schedule, headTimestamp + 1, headTimestamp + slackSlots * slotSeconds)
}
