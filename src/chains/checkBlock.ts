import {
  type BaseFeeParameters,
  expectedBaseFee,
  implausibleBaseFee,
  opStackBaseFeeParameters,
} from '../fees/baseFeeRule.js'
import { gasPerBlob } from '../fees/blobGas.js'
import { nextExcessBlobGas } from '../fees/nextExcessBlobGas.js'
import { type BlobSchedule, blobForkAt } from './blobSchedule.js'
import type { ChainProfile } from './chains.js'

/**
 * What an endpoint says about a block, checked against what the chain's rules allow before it is
 * stored. Pure: the sampler decides what to do with the verdict.
 */

/** The header fields the checks read. */
export type BlockFacts = {
  number: number
  /** unix seconds */
  timestamp: number | null
  baseFeePerGas: bigint | null
  gasUsed: bigint | null
  gasLimit: bigint | null
  blobGasUsed?: bigint | null | undefined
  excessBlobGas?: bigint | null | undefined
  /** OP-stack chains carry their next base-fee parameters here. */
  extraData?: string | undefined
}

export type BlockCheck =
  /** Everything checked holds (or could not be checked: no parent, no base fee, unknown rule). */
  | { verdict: 'ok'; ruleChecked: boolean }
  /**
   * The base fee is plausible but does not follow from the parent by the chain's known rule: the rule
   * may have changed (a fork, new parameters) or the endpoint may be wrong.
   */
  | { verdict: 'mismatch'; problem: string; rule?: 'base-fee' | 'blob' }
  /** Impossible under any rule: never stored. */
  | { verdict: 'reject'; reason: 'timestamp' | 'base-fee' | 'blob-gas'; problem: string }

/**
 * How far ahead of this machine's clock a block's timestamp may be. Clocks differ by well under a second
 * under NTP; past this, the block (or this machine's clock) is wrong, and a block from the future would
 * make stale data look fresh.
 */
export const maxFutureSeconds = 30

export type CheckBlockParameters = {
  profile: Pick<ChainProfile, 'id' | 'name' | 'eip1559' | 'baseFeeRule'>
  block: BlockFacts
  /** The stored or fetched block before it; ignored unless its number is block.number - 1. */
  parent: BlockFacts | null
  nowSeconds: number
  /** The chain's blob forks: with them, blob fields are checked against the fork in force (none: bounds only). */
  blobSchedule?: BlobSchedule | null | undefined
}

/** The base-fee parameters the chain's rule gives the child of `parent`, or undefined when unknown. */
export function baseFeeParametersAfter(
  profile: CheckBlockParameters['profile'],
  parent: BlockFacts,
): BaseFeeParameters | undefined {
  switch (profile.baseFeeRule) {
    case 'eip1559':
      return { eip1559: profile.eip1559, minBaseFeePerGas: 0n, daFootprint: false }
    case 'op-stack':
      return (
        opStackBaseFeeParameters(parent.extraData, profile.eip1559) ??
        // Without the parent's extraData (a record read back from the store) the parameters are not known.
        (parent.extraData === undefined
          ? undefined
          : { eip1559: profile.eip1559, minBaseFeePerGas: 0n, daFootprint: false })
      )
    case 'unknown':
      return undefined
  }
}

/** More blobs than any fork could carry (mainnet's BPO2 has 21): an answer past it is not a block. */
export const maxBlobsPerBlock = 4096n
/** Past 2^64 - 1 the excess does not fit a header field. */
const maxExcessBlobGas = 2n ** 64n - 1n

/**
 * The blob fields against the chain's blob rules: impossible values are refused outright; a blob gas over the
 * fork's max, or an excess that the fork's rule (EIP-4844, EIP-7918's reserve branch) does not give from the
 * parent, is a mismatch: a wrong answer, or a fork feecast does not know yet (the gate holds it back, then
 * follows the chain with low trust). Null when everything checked holds.
 */
export function checkBlobFields(
  block: BlockFacts,
  consecutive: BlockFacts | null,
  schedule: BlobSchedule | null | undefined,
): BlockCheck | null {
  const used = block.blobGasUsed ?? null
  const excess = block.excessBlobGas ?? null
  if (used === null && excess === null) return null
  if (used !== null && (used < 0n || used % gasPerBlob !== 0n || used > maxBlobsPerBlock * gasPerBlob))
    return {
      verdict: 'reject',
      reason: 'blob-gas',
      problem: `block ${block.number} has blob gas used ${used}, not a whole number of blobs (${gasPerBlob} gas each) up to ${maxBlobsPerBlock}`,
    }
  if (excess !== null && (excess < 0n || excess > maxExcessBlobGas))
    return {
      verdict: 'reject',
      reason: 'blob-gas',
      problem: `block ${block.number} has excess blob gas ${excess}, outside 0..2^64-1`,
    }
  const fork = schedule && block.timestamp !== null ? blobForkAt(schedule, block.timestamp) : undefined
  if (!fork) return null
  if (used !== null && used > BigInt(fork.max) * gasPerBlob)
    return {
      verdict: 'mismatch',
      rule: 'blob',
      problem: `block ${block.number} carries ${used / gasPerBlob} blobs; ${fork.name} allows ${fork.max}`,
    }
  if (excess === null || consecutive?.excessBlobGas == null || consecutive.blobGasUsed == null) return null
  const parent = {
    excessBlobGas: consecutive.excessBlobGas,
    blobGasUsed: consecutive.blobGasUsed,
    baseFeePerGas: consecutive.baseFeePerGas,
  }
  // Without the parent's base fee EIP-7918 allows either branch: both are accepted then.
  const candidates =
    fork.reservePrice && parent.baseFeePerGas == null
      ? [
          nextExcessBlobGas({ parent, parameters: { ...fork, reservePrice: false } }).excessBlobGas,
          parent.excessBlobGas + (parent.blobGasUsed * BigInt(fork.max - fork.target)) / BigInt(fork.max),
        ]
      : [nextExcessBlobGas({ parent, parameters: fork }).excessBlobGas]
  if (candidates.includes(excess)) return null
  return {
    verdict: 'mismatch',
    rule: 'blob',
    problem: `block ${block.number} has excess blob gas ${excess}; ${fork.name}'s rule gives ${candidates.join(' or ')} from its parent`,
  }
}

export function checkBlock({
  profile,
  block,
  parent,
  nowSeconds,
  blobSchedule,
}: CheckBlockParameters): BlockCheck {
  const consecutive = parent !== null && parent.number === block.number - 1 ? parent : null
  const base = checkBaseFee({ profile, block, consecutive, nowSeconds })
  if (base.verdict !== 'ok') return base
  return checkBlobFields(block, consecutive, blobSchedule) ?? base
}

/** The timestamp and base-fee checks of checkBlock. */
function checkBaseFee({
  profile,
  block,
  consecutive,
  nowSeconds,
}: Omit<CheckBlockParameters, 'parent' | 'blobSchedule'> & { consecutive: BlockFacts | null }): BlockCheck {
  if (block.timestamp !== null) {
    if (block.timestamp > nowSeconds + maxFutureSeconds)
      return {
        verdict: 'reject',
        reason: 'timestamp',
        problem: `block ${block.number} has a timestamp ${block.timestamp - nowSeconds} s in the future (is this machine's clock right?)`,
      }
    if (consecutive?.timestamp != null && block.timestamp < consecutive.timestamp)
      return {
        verdict: 'reject',
        reason: 'timestamp',
        problem: `block ${block.number} has a timestamp ${consecutive.timestamp - block.timestamp} s before its parent's`,
      }
  }
  if (block.baseFeePerGas === null) return { verdict: 'ok', ruleChecked: false }
  const implausible = implausibleBaseFee(consecutive?.baseFeePerGas ?? null, block.baseFeePerGas)
  if (implausible)
    return { verdict: 'reject', reason: 'base-fee', problem: `block ${block.number}: ${implausible}` }
  if (
    consecutive === null ||
    consecutive.baseFeePerGas === null ||
    consecutive.gasUsed === null ||
    consecutive.gasLimit === null
  )
    return { verdict: 'ok', ruleChecked: false }
  const parameters = baseFeeParametersAfter(profile, consecutive)
  if (parameters === undefined) return { verdict: 'ok', ruleChecked: false }
  const expected = expectedBaseFee(
    {
      baseFeePerGas: consecutive.baseFeePerGas,
      gasUsed: consecutive.gasUsed,
      gasLimit: consecutive.gasLimit,
      blobGasUsed: consecutive.blobGasUsed,
    },
    parameters,
  )
  if (expected === block.baseFeePerGas) return { verdict: 'ok', ruleChecked: true }
  return {
    verdict: 'mismatch',
    problem: `block ${block.number} has base fee ${block.baseFeePerGas} wei; ${profile.name}'s rule gives ${expected} wei from its parent`,
  }
}
