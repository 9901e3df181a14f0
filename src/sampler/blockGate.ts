import type { BlobSchedule } from '../chains/blobSchedule.js'
import type { ChainProfile } from '../chains/chains.js'
import { type BlockFacts, checkBlock } from '../chains/checkBlock.js'
import { implausibleBaseFee } from '../fees/baseFeeRule.js'
import type { ChainHealth } from '../store/chainHealth.js'
import type { BlockRecord } from '../types.js'
import type { SampledBlock } from './blockToRecord.js'
import { BlockRejectedError } from './errors.js'

export type BlockGateParameters = {
  profile: Pick<ChainProfile, 'id' | 'name' | 'eip1559' | 'baseFeeRule'>
  /** unix ms */
  now: () => number
  /**
   * A block whose base fee does not follow the chain's known rule is held back until the node has built
   * this many blocks on it: one wrong answer is refused, a chain that has moved on to new parameters
   * (a fork) is followed, with low trust. Default 16.
   */
  ruleChangeConfirmations?: number
  /** Blocks in a row that follow the rule again before the mismatch is over. Default 64. */
  ruleRecoveryBlocks?: number
  /** The chain's blob forks (built in, or from the node's eth_config: see setBlobSchedule). */
  blobSchedule?: BlobSchedule | null | undefined
}

export type Admitted = {
  /** The leading candidates that may be stored, in order. */
  admitted: SampledBlock[]
  /** Why the next one may not (nothing after it is admitted). */
  rejected?: BlockRejectedError
}

export type BlockGate = {
  /** Checks candidates (ascending) after `parent` while the node's head is `latest`. */
  admit(candidates: readonly SampledBlock[], parent: BlockFacts | null, latest: number): Admitted
  /**
   * A refusal decided outside the block checks (a reorg deeper than maxReorgDepth): counted in the same
   * episode, and so named in the chain's health, as a block the checks refuse. Returns `error`, to throw.
   */
  refuse<E extends BlockRejectedError>(error: E): E
  /** Checks backfilled history (base fees only) after `parent`; throws BlockRejectedError. */
  admitHistory(records: readonly BlockRecord[], parent: BlockFacts | null): void
  /**
   * The node's blob forks (eth_config): checked against from now on, unless the gate was given a schedule
   * (built in, or configured), which stays in force.
   */
  adoptNodeBlobSchedule(schedule: BlobSchedule | null): void
  /** The schedule blob fields are checked against (null: bounds only). */
  blobSchedule(): BlobSchedule | null
  /** The schedule the gate was given (built in or configured), or null: the reference a node is checked against. */
  givenBlobSchedule(): BlobSchedule | null
  /** The sampler keeps failing for `problem` (not a refused block): published until a block is stored. */
  failing(problem: string): void
  /** A block was stored: an episode of refusals or failures is over. */
  stored(): void
  /** What to publish (new object on every change). */
  health(): ChainHealth
  /** Bumped on every change of health(), so the caller writes it only then. */
  readonly version: number
}

export const factsOfBlock = (b: SampledBlock): BlockFacts => ({
  number: Number(b.number),
  timestamp: Number(b.timestamp),
  baseFeePerGas: b.baseFeePerGas,
  gasUsed: b.gasUsed,
  gasLimit: b.gasLimit,
  blobGasUsed: b.blobGasUsed ?? null,
  excessBlobGas: b.excessBlobGas ?? null,
  extraData: b.extraData,
})

export const factsOfRecord = (r: BlockRecord): BlockFacts => ({
  number: r.number,
  timestamp: r.timestamp,
  baseFeePerGas: r.baseFeePerGas,
  gasUsed: r.gasUsed,
  gasLimit: r.gasLimit,
  blobGasUsed: r.blobGasUsed,
  excessBlobGas: r.excessBlobGas,
})

/**
 * The sampler's checks of what its endpoint says (checkBlock), with the state they need: a refusal
 * episode (a block refused again and again while the chain ages into stale) and the chain's rule
 * having stopped matching. No I/O: the sampler stores what is admitted and publishes health().
 */
// biome-ignore lint/complexity/noExcessiveLinesPerFunction: one closure owns the chain's health state (refusal episode, rule mismatch); its methods (change, reject, admit, health) are short
export function createBlockGate({
  profile,
  now,
  ruleChangeConfirmations = 16,
  ruleRecoveryBlocks = 64,
  blobSchedule: initialBlobSchedule = null,
}: BlockGateParameters): BlockGate {
  let blobSchedule = initialBlobSchedule
  let health: ChainHealth = { updatedAt: now(), rejecting: null, ruleMismatch: null, failing: null }
  let version = 0
  let matchesInARow = 0

  const change = (next: Partial<ChainHealth>) => {
    health = { ...health, ...next, updatedAt: now() }
    version++
  }

  const refuse = <E extends BlockRejectedError>(error: E): E => {
    const { blockNumber: block, reason, problem } = error
    const current = health.rejecting
    if (current && current.block === block && current.reason === reason) {
      health = { ...health, rejecting: { ...current, attempts: current.attempts + 1, problem } }
    } else change({ rejecting: { block, reason, problem, since: now(), attempts: 1 } })
    return error
  }

  const reject = (block: number, reason: string, problem: string): BlockRejectedError =>
    refuse(new BlockRejectedError(block, reason, problem))

  return {
    admit(candidates, parent, latest) {
      const admitted: SampledBlock[] = []
      let previous = parent
      for (const block of candidates) {
        const facts = factsOfBlock(block)
        const check = checkBlock({
          profile,
          block: facts,
          parent: previous,
          nowSeconds: Math.floor(now() / 1000),
          blobSchedule,
        })
        if (check.verdict === 'reject')
          return { admitted, rejected: reject(facts.number, check.reason, check.problem) }
        if (check.verdict === 'mismatch') {
          if (health.ruleMismatch === null) {
            const built = latest - facts.number
            if (built < ruleChangeConfirmations)
              return {
                admitted,
                rejected: reject(
                  facts.number,
                  check.rule === 'blob' ? 'blob-rule' : 'base-fee-rule',
                  `${check.problem} (held back until the chain has built ${ruleChangeConfirmations} blocks on it; ${built} so far)`,
                ),
              }
            change({ ruleMismatch: { problem: check.problem, since: now() } })
          }
          matchesInARow = 0
        } else if (check.ruleChecked && health.ruleMismatch !== null) {
          matchesInARow++
          if (matchesInARow >= ruleRecoveryBlocks) {
            matchesInARow = 0
            change({ ruleMismatch: null })
          }
        }
        admitted.push(block)
        previous = facts
      }
      return { admitted }
    },

    refuse,

    admitHistory(records, parent) {
      let previous = parent
      for (const record of records) {
        if (record.baseFeePerGas !== null) {
          const consecutive = previous !== null && previous.number === record.number - 1 ? previous : null
          const problem = implausibleBaseFee(consecutive?.baseFeePerGas ?? null, record.baseFeePerGas)
          if (problem) throw reject(record.number, 'base-fee', `block ${record.number}: ${problem}`)
        }
        previous = factsOfRecord(record)
      }
    },

    adoptNodeBlobSchedule(schedule) {
      if (initialBlobSchedule === null) blobSchedule = schedule
    },
    blobSchedule: () => blobSchedule,
    givenBlobSchedule: () => initialBlobSchedule,

    failing(problem) {
      // Published when it begins or its reason changes, not on every retry of the same.
      if (health.failing?.problem !== problem)
        change({ failing: { problem, since: health.failing?.since ?? now() } })
    },

    stored() {
      if (health.rejecting !== null || health.failing) change({ rejecting: null, failing: null })
    },

    health: () => health,
    get version() {
      return version
    },
  }
}
