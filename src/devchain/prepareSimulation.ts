import type { BlobSchedule } from '../chains/blobSchedule.js'
import type { Eip1559Parameters } from '../fees/nextBaseFee.js'
import { mixSeed } from '../lib/random.js'
import { simulationSource } from './blockSources.js'
import { blockOfHead } from './devchainState.js'
import { nowSeconds, type PreparedChain, type SavedChain } from './preparedChain.js'

export type PrepareSimulationParameters = {
  chainId: number
  seed: number
  eip1559: Eip1559Parameters
  /** Seconds between blocks. */
  blockTime: number
  /** Blocks made ahead of time ('all' means the default). */
  history: number | 'all'
  defaultHistory: number
  gasLimit?: bigint | undefined
  initialBaseFeePerGas?: bigint | undefined
  blobSchedule?: BlobSchedule | null | undefined
  /** The same chain saved by an earlier run: the simulation resumes after its head. */
  saved: SavedChain
}

/**
 * The prepare-simulation step: simulated demand from the seed, or, for a restarted chain, from its
 * saved head on; the blocks made at start are a block time apart and end now.
 */
export function prepareSimulation(parameters: PrepareSimulationParameters): PreparedChain {
  const { blockTime, seed, saved } = parameters
  if (!(blockTime > 0)) throw new RangeError(`blockTime must be positive, not ${blockTime}`)
  let initial = parameters.history === 'all' ? parameters.defaultHistory : Math.max(1, parameters.history)
  const resumeAfter = saved?.mode === 'simulate' ? blockOfHead(saved.head) : undefined
  if (resumeAfter) {
    // The chain went on while it was down: a block a block time, up to `history` of them.
    const down = nowSeconds() - (resumeAfter.timestamp ?? nowSeconds())
    initial = Math.min(initial, Math.max(1, Math.floor(down / blockTime)))
  }
  const start = nowSeconds() - blockTime * (initial - 1)
  return {
    mode: 'simulate',
    source: simulationSource({
      chainId: parameters.chainId,
      seed,
      salt: mixSeed(seed, 0x51),
      blockTime,
      gasLimit: parameters.gasLimit,
      initialBaseFeePerGas: parameters.initialBaseFeePerGas,
      eip1559: parameters.eip1559,
      blobSchedule: parameters.blobSchedule,
      after: resumeAfter,
    }),
    initial,
    aheadOfTime: (i) => Math.floor(start + i * blockTime),
    resumeAfter,
    inexact: [],
    describe: `simulation (seed ${seed})`,
  }
}
