import { type BlobSchedule, mainnetBlobSchedule } from './blobSchedule.js'

/**
 * Built-in blob schedules by chain id. Chains not listed have none until one is given (`--blob-schedule`, or
 * a node's eth_config): feecast then says "no blob prediction" rather than guess another chain's rules.
 */
export const knownBlobSchedules: Readonly<Record<number, BlobSchedule>> = { 1: mainnetBlobSchedule }

/** The built-in blob schedule of a chain, or null when feecast knows none. */
export function builtInBlobSchedule(chainId: number): BlobSchedule | null {
  return knownBlobSchedules[chainId] ?? null
}
