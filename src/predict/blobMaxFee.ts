import { blobBaseFee } from '../fees/blobBaseFee.js'
import { type BlobParameters, gasPerBlob } from '../fees/blobGas.js'
import type { CalibratedThresholds } from './calibration.js'
import { thresholdFor } from './maxFee.js'

export type MaxFeePerBlobGasForParameters = {
  /** The pending block's exact excess blob gas and the fork it was read under (the higher candidate's). */
  nextExcessBlobGas: bigint
  nextFork: BlobParameters
  /**
   * Forks the blocks of the horizon may be in (usually just nextFork; near a fork both sides): the cap
   * must hold whichever applies, so it is computed under each and the highest taken.
   */
  horizonForks?: readonly BlobParameters[]
  thresholds: CalibratedThresholds
  withinBlocks: number
  /** Percent. */
  confidence: number
  /** The next blob base fee when the caller has it already (saves a fake_exponential). */
  nextBlobBaseFeePerGas?: bigint
}

/** The largest excess-blob-gas rise one block can bring in any of the forks: (max - target) blobs. */
function largestRise(forks: readonly BlobParameters[]): bigint {
  let rise = 0n
  for (const fork of forks) {
    const r = BigInt(fork.max - fork.target) * gasPerBlob
    if (r > rise) rise = r
  }
  return rise
}

export type BlobFeeCapAtThresholdParameters = Omit<
  MaxFeePerBlobGasForParameters,
  'thresholds' | 'confidence'
> & {
  /** log(cap / next blob base fee), the calibrated threshold of the horizon and confidence. */
  threshold: number
}

/**
 * The cap a log threshold θ stands for: θ · update fraction is added to the exact next excess blob gas and
 * read through EIP-4844's own fake_exponential, so the cap is met whenever the excess stays under that line,
 * integer floors included; under each fork the horizon may reach, the highest. Never above the worst case
 * ((N - 1) full blocks); N = 1 is the next blob base fee itself.
 */
export function blobFeeCapAtThreshold({
  nextExcessBlobGas,
  nextFork,
  horizonForks = [nextFork],
  withinBlocks,
  threshold,
  nextBlobBaseFeePerGas,
}: BlobFeeCapAtThresholdParameters): bigint {
  if (!Number.isInteger(withinBlocks) || withinBlocks < 1)
    throw new RangeError(`withinBlocks must be an integer >= 1, got ${withinBlocks}`)
  const forks = horizonForks.includes(nextFork) ? horizonForks : [nextFork, ...horizonForks]
  const nextFee =
    nextBlobBaseFeePerGas ?? blobBaseFee({ excessBlobGas: nextExcessBlobGas, parameters: nextFork })
  if (withinBlocks === 1) return nextFee
  const worstExcess = nextExcessBlobGas + BigInt(withinBlocks - 1) * largestRise(forks)
  const logNext = Number(nextExcessBlobGas) / Number(nextFork.baseFeeUpdateFraction)
  let fee = nextFee
  for (const fork of forks) {
    const fraction = fork.baseFeeUpdateFraction
    // The same log line under each fork's fraction; exact integers under the pending block's own.
    const line =
      fork === nextFork
        ? nextExcessBlobGas + BigInt(Math.ceil(threshold * Number(fraction)))
        : BigInt(Math.ceil((logNext + threshold) * Number(fraction)))
    const excess = line < worstExcess ? line : worstExcess
    if (fork === nextFork && excess === nextExcessBlobGas) continue // the next fee itself
    const candidate = blobBaseFee({ excessBlobGas: excess, parameters: fork })
    if (candidate > fee) fee = candidate
  }
  return fee
}

/**
 * maxFeePerBlobGas (wei) that stays at or above the blob base fee of each of the next `withinBlocks` blocks
 * with probability `confidence`: blobFeeCapAtThreshold at the calibrated threshold of (N, p). Monotone in
 * confidence and in withinBlocks, as the thresholds are.
 */
export function maxFeePerBlobGasFor({
  thresholds,
  confidence,
  ...parameters
}: MaxFeePerBlobGasForParameters): bigint {
  const threshold =
    parameters.withinBlocks > 1 ? thresholdFor(thresholds, parameters.withinBlocks, confidence) : 0
  return blobFeeCapAtThreshold({ ...parameters, threshold })
}
