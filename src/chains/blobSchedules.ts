import { last } from '../lib/at.js'
import { type BlobSchedule, mainnetBlobSchedule } from './blobSchedule.js'
import { devchainId } from './chains.js'

/**
 * The devchain's schedule: mainnet's newest blob parameters (BPO2, with EIP-7918's reserve price) in force
 * from its first block, so a simulated chain looks like mainnet today.
 */
export const devchainBlobSchedule: BlobSchedule = [
  { ...last(mainnetBlobSchedule), name: 'devchain', activationTime: 0 },
]

/**
 * Built-in blob schedules by chain id. Chains not listed have none until one is given (`--blob-schedule`, or
 * a node's eth_config): feecast then says "no blob prediction" rather than guess another chain's rules.
 */
export const knownBlobSchedules: Readonly<Record<number, BlobSchedule>> = {
  1: mainnetBlobSchedule,
  [devchainId]: devchainBlobSchedule,
}

/** The built-in blob schedule of a chain, or null when feecast knows none. */
export function builtInBlobSchedule(chainId: number): BlobSchedule | null {
  return knownBlobSchedules[chainId] ?? null
}
