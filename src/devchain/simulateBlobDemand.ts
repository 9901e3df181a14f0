import type { BlobParameters } from '../fees/blobGas.js'
import { createRandom, type Random } from '../lib/random.js'

/** The blob demand regimes of the devchain (a Markov chain, one step a block). */
export type BlobRegimeName = 'quiet' | 'steady' | 'busy' | 'burst'

/** Mean blobs per block of each regime, relative to the fork's target (so a new fork is the same world). */
const meanOfTarget: Record<BlobRegimeName, number> = { quiet: 0.35, steady: 0.9, busy: 1.2, burst: 1.6 }

/** Per-block switching probabilities: bursts are short, quiet spells and steady ones long. */
const transitions: Record<BlobRegimeName, [BlobRegimeName, number][]> = {
  quiet: [
    ['steady', 0.02],
    ['busy', 0.004],
  ],
  steady: [
    ['quiet', 0.01],
    ['busy', 0.012],
    ['burst', 0.002],
  ],
  busy: [
    ['steady', 0.03],
    ['burst', 0.01],
  ],
  burst: [
    ['busy', 0.08],
    ['steady', 0.02],
  ],
}

export type BlobDemandParameters = { seed: number }

export type BlobDemand = {
  /** Blobs carried by the next block under the fork in force there (0..max). */
  nextBlobs(fork: Pick<BlobParameters, 'target' | 'max'>): number
  readonly regime: BlobRegimeName
}

/** Poisson draw by inversion (means here are a few dozen at most). */
function poisson(random: Random, mean: number): number {
  const limit = Math.exp(-mean)
  let k = 0
  let product = random.next()
  while (product > limit && k < 1000) {
    k++
    product *= random.next()
  }
  return k
}

/**
 * The devchain's blob demand, its own process beside the execution-gas demand: a regime (quiet, steady,
 * busy, burst) that drifts block by block, independent blob senders around the regime's mean, and rollup
 * batches (a rollup posts several blobs at once every so often, and a few rollups post in the same block
 * when busy). Counts are relative to the fork's target and capped at its max, so the same process runs under
 * any schedule. Seeded: the same seed makes the same chain.
 */
export function createBlobDemand({ seed }: BlobDemandParameters): BlobDemand {
  const random = createRandom(seed)
  let regime: BlobRegimeName = 'steady'
  const step = () => {
    let u = random.next()
    for (const [to, p] of transitions[regime]) {
      if (u < p) {
        regime = to
        return
      }
      u -= p
    }
  }
  return {
    nextBlobs(fork) {
      step()
      const mean = meanOfTarget[regime] * fork.target
      // A third of the demand comes as rollup batches of 2..6 blobs, the rest as single senders.
      let blobs = poisson(random, (2 / 3) * mean)
      const batchRate = mean / 3 / 4
      for (let batches = poisson(random, batchRate); batches > 0; batches--) blobs += 2 + random.int(5)
      return Math.min(fork.max, blobs)
    },
    get regime() {
      return regime
    },
  }
}
