import {
  type BaseFeeParameters,
  expectedBaseFee,
  implausibleBaseFee,
  opStackBaseFeeParameters,
} from '../fees/baseFeeRule.js'
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
  | { verdict: 'mismatch'; problem: string }
  /** Impossible under any rule: never stored. */
  | { verdict: 'reject'; reason: 'timestamp' | 'base-fee'; problem: string }

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

export function checkBlock({ profile, block, parent, nowSeconds }: CheckBlockParameters): BlockCheck {
  const consecutive = parent !== null && parent.number === block.number - 1 ? parent : null
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
