import { blobFeatureNames } from '../features/blobFeatureNames.js'
import { writeBlobFeatures } from '../features/blobFeatures.js'
import { type BlobSeries, blobMaxLogStep } from '../features/blobSeries.js'
import { pricedBlobFeeWei } from '../fees/blobRegime.js'
import type { ExampleSet } from './examples.js'
import type { ModelLayout } from './layout.js'

/** Blob training examples: the base-fee model's shape (so one trainer fits both), plus each one's regime. */
export type BlobExampleSet = ExampleSet & {
  /** 1 where the exact next blob fee is priced (>= 1000 wei), 0 in the floor regime. */
  priced: Uint8Array
}

export type BlobSourceSeries = { source: number; series: readonly BlobSeries[] }

export type BuildBlobExamplesParameters = {
  sources: readonly BlobSourceSeries[]
  layout: ModelLayout
  /** Share of each source's block range, at its end, kept for validation (time-ordered split). */
  validationShare: number
  /**
   * One example every `stride` blocks. Neighbouring blocks' windows overlap in all but one block, so a
   * stride of a few loses little and makes training on a million blocks fit in minutes.
   */
  stride?: number
}

class Rows {
  features: number[] = []
  runMax: number[] = []
  marginal: number[] = []
  source: number[] = []
  block: number[] = []
  priced: number[] = []
  toSet(): BlobExampleSet {
    return {
      count: this.source.length,
      features: Float32Array.from(this.features),
      runMax: Float32Array.from(this.runMax),
      marginal: Float32Array.from(this.marginal),
      source: Int32Array.from(this.source),
      block: Float64Array.from(this.block),
      priced: Uint8Array.from(this.priced),
    }
  }
}

/**
 * One example every `stride` blocks of every run, from its first block (no history) to the last whose
 * K-block future is known. Targets, in the pending block's fork's largest-rise units relative to its exact
 * log blob fee: the running max over the next N blocks and the value N - 1 blocks later. Split by time per
 * source as for base fees (training examples whose future reaches the validation range are dropped).
 */
export function buildBlobExamples({
  sources,
  layout,
  validationShare,
  stride = 1,
}: BuildBlobExamplesParameters): { train: BlobExampleSet; validation: BlobExampleSet } {
  const H = layout.horizons.length
  const K = layout.horizons[H - 1] ?? 2
  const F = blobFeatureNames.length
  const train = new Rows()
  const validation = new Rows()
  const row = new Float64Array(F)
  for (const { source, series } of sources) {
    const firstSeries = series[0]
    const lastSeries = series[series.length - 1]
    if (!firstSeries || !lastSeries) continue
    const first = firstSeries.firstNumber
    const last = lastSeries.firstNumber + lastSeries.length - 1
    const cut = last - Math.floor((last - first + 1) * validationShare)
    for (const s of series) {
      const lf = s.logBlobFee
      for (let end = 0; end + K - 1 < s.length; end++) {
        const block = s.firstNumber + end
        if (block % stride !== 0) continue
        const inValidation = block > cut
        if (!inValidation && block + K - 1 > cut) continue
        const rows = inValidation ? validation : train
        writeBlobFeatures(s, end, row)
        for (let j = 0; j < F; j++) rows.features.push(row[j] ?? 0)
        const unit = blobMaxLogStep(s, end)
        const base = lf[end] ?? 0
        let running = base
        let h = 0
        for (let k = 2; k <= K; k++) {
          const value = lf[end + k - 1] ?? base
          if (value > running) running = value
          if (layout.horizons[h] === k) {
            rows.runMax.push((running - base) / unit)
            rows.marginal.push((value - base) / unit)
            h++
          }
        }
        rows.source.push(source)
        rows.block.push(block)
        rows.priced.push((s.blobFee[end] ?? 0) >= Number(pricedBlobFeeWei) ? 1 : 0)
      }
    }
  }
  return { train: train.toSet(), validation: validation.toSet() }
}

/** The examples of one regime (priced or floor). */
export function selectBlobExamples(set: BlobExampleSet, priced: boolean): BlobExampleSet {
  const keep: number[] = []
  for (let i = 0; i < set.count; i++) if ((set.priced[i] === 1) === priced) keep.push(i)
  const F = set.count > 0 ? set.features.length / set.count : 0
  const H = set.count > 0 ? set.runMax.length / set.count : 0
  const pick = <T extends Float32Array | Float64Array | Int32Array | Uint8Array>(
    data: T,
    width: number,
    make: (n: number) => T,
  ) => {
    const out = make(keep.length * width)
    keep.forEach((i, r) => {
      out.set(data.subarray(i * width, (i + 1) * width), r * width)
    })
    return out
  }
  return {
    count: keep.length,
    features: pick(set.features, F, (n) => new Float32Array(n)),
    runMax: pick(set.runMax, H, (n) => new Float32Array(n)),
    marginal: pick(set.marginal, H, (n) => new Float32Array(n)),
    source: pick(set.source, 1, (n) => new Int32Array(n)),
    block: pick(set.block, 1, (n) => new Float64Array(n)),
    priced: pick(set.priced, 1, (n) => new Uint8Array(n)),
  }
}
