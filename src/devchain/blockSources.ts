import { zeroHash } from 'viem'
import type { BlobSchedule } from '../chains/blobSchedule.js'
import { type Eip1559Parameters, nextBaseFee } from '../fees/nextBaseFee.js'
import { mixSeed } from '../lib/random.js'
import type { DevBlock } from './devBlock.js'
import { blockHash } from './hex.js'
import type { ReplayBlockPlan } from './planReplay.js'
import { replayedDevBlock } from './replayedBlock.js'
import { createBlobDemand } from './simulateBlobDemand.js'
import { createDemandSimulator } from './simulateDemand.js'
import { simulatedBlobFields } from './simulatedBlobFields.js'
import { simulatedDevBlock } from './simulatedBlock.js'

/** Where a devchain's blocks come from: the simulator or a history file, one block at a time. */
export type BlockSource = {
  /**
   * The next block, or undefined when there is none (a replay at the end of its file). A simulation
   * stamps it `timestampSeconds` (later than its parent); a replay uses the file's time.
   */
  next(timestampSeconds: number): DevBlock | undefined
  /** Milliseconds between the block produced last and the next one (undefined: none left). */
  nextDelayMs(): number | undefined
  /** Blocks left to produce (Infinity for a simulation). */
  remaining(): number
}

export type SimulationSourceParameters = {
  chainId: number
  seed: number
  salt: number
  blockTime: number
  gasLimit?: bigint | undefined
  initialBaseFeePerGas?: bigint | undefined
  eip1559: Eip1559Parameters
  /** The chain's blob forks (empty or null: a chain without blobs). */
  blobSchedule?: BlobSchedule | null | undefined
  /** Continue after this block (a restarted chain): numbers, parent hash and base fee carry on. */
  after?: DevBlock | undefined
}

export function simulationSource(p: SimulationSourceParameters): BlockSource {
  const after = p.after
  const simulator = createDemandSimulator({
    // A continued chain is as deterministic as a new one: its demand is seeded by where it resumes.
    seed: after ? mixSeed(p.seed, after.number + 1) : p.seed,
    eip1559: p.eip1559,
    ...(p.gasLimit === undefined ? {} : { gasLimit: p.gasLimit }),
    ...(after
      ? {
          firstNumber: after.number + 1,
          initialBaseFeePerGas: nextBaseFee({ ...after.fee, eip1559: p.eip1559 }),
        }
      : p.initialBaseFeePerGas === undefined
        ? {}
        : { initialBaseFeePerGas: p.initialBaseFeePerGas }),
  })
  let parent: DevBlock | undefined = after
  // Blob demand is its own process, seeded apart from the execution-gas demand.
  const blobDemand = createBlobDemand({ seed: mixSeed(p.seed, after ? after.number + 1 : 0, 0xb10b) })
  const blobSchedule = p.blobSchedule ?? []
  return {
    next(timestampSeconds) {
      const block = simulator.nextBlock()
      // Never before the parent's, and never ahead of the clock: blocks that come faster than one a second
      // (a sub-second block time, or a burst mined at once) share their second, as on chains with
      // sub-second blocks. (Stamping each a second later would run the chain ahead of the clock, and
      // feecast refuses blocks from the future.)
      const timestamp = parent ? Math.max(parent.timestamp ?? 0, timestampSeconds) : timestampSeconds
      const hash = blockHash(p.chainId, p.salt, block.number)
      const parentHash = parent ? parent.hash : zeroHash
      const blob =
        blobSchedule.length === 0
          ? null
          : simulatedBlobFields({
              schedule: blobSchedule,
              demand: blobDemand,
              parent,
              timestamp,
              baseFeePerGas: block.baseFeePerGas,
            })
      parent = simulatedDevBlock({ block, hash, parentHash, timestamp, salt: p.salt, blob })
      return parent
    },
    nextDelayMs: () => p.blockTime * 1000,
    remaining: () => Number.POSITIVE_INFINITY,
  }
}

export type ReplaySourceParameters = {
  chainId: number
  salt: number
  plans: readonly ReplayBlockPlan[]
  /** Replay speed: 2 serves the file twice as fast as its timestamps. */
  speed: number
}

export function replaySource({ chainId, salt, plans, speed }: ReplaySourceParameters): BlockSource {
  let index = 0
  return {
    next() {
      const plan = plans[index]
      if (!plan) return undefined
      index++
      return replayedDevBlock({
        plan,
        hash: blockHash(chainId, salt, plan.number),
        // The parent of a block after a gap is a block the chain never serves, as for a pruned node;
        // block 0 (a file collected from genesis) has none.
        parentHash: plan.number === 0 ? zeroHash : blockHash(chainId, salt, plan.number - 1),
        salt,
      })
    },
    nextDelayMs() {
      const next = plans[index]
      if (!next) return undefined
      const previous = plans[index - 1]
      if (!previous) return 0
      return (Math.max(0, next.internal.timestamp - previous.internal.timestamp) * 1000) / speed
    },
    remaining: () => plans.length - index,
  }
}
