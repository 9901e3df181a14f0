import { computeFeatures } from '../features/computeFeatures.js'
import { featureNames } from '../features/featureNames.js'
import { maxLogStep } from '../features/feeRule.js'
import type { FeeSeries } from '../features/types.js'
import { at, last } from '../lib/at.js'
import type { ModelLayout } from './layout.js'

/** Training examples as flat typed arrays (row-major), ready for tensors. */
export type ExampleSet = {
  count: number
  features: Float32Array
  /** [count][horizons]: log(max(b[t+1..t+N]) / b[t+1]) in max-step units */
  runMax: Float32Array
  /** [count][horizons]: log(b[t+k] / b[t+1]) in max-step units */
  marginal: Float32Array
  /** Which source (file) each example came from. */
  source: Int32Array
  /** Decision index's block number (the pending block). */
  block: Float64Array
}

export type SourceSeries = { source: number; series: FeeSeries[] }

export type BuildExamplesParameters = {
  sources: readonly SourceSeries[]
  layout: ModelLayout
  /** Share of each source's block range, at its end, kept for validation (time-ordered split). */
  validationShare: number
}

export type BuildExamplesReturnType = { train: ExampleSet; validation: ExampleSet }

function collect(
  rows: { f: Float64Array; r: Float64Array; m: Float64Array; s: number; b: number }[],
  H: number,
): ExampleSet {
  const F = featureNames.length
  const set: ExampleSet = {
    count: rows.length,
    features: new Float32Array(rows.length * F),
    runMax: new Float32Array(rows.length * H),
    marginal: new Float32Array(rows.length * H),
    source: new Int32Array(rows.length),
    block: new Float64Array(rows.length),
  }
  rows.forEach((row, i) => {
    set.features.set(row.f, i * F)
    set.runMax.set(row.r, i * H)
    set.marginal.set(row.m, i * H)
    set.source[i] = row.s
    set.block[i] = row.b
  })
  return set
}

/**
 * One example per block of every run, from the very first (no history: the model must cope with short
 * windows) to the last whose K-block future is known. Split by time within each source: the last
 * `validationShare` of its block range validates, and training examples whose future reaches into that
 * range are dropped, so nothing of the validation future leaks into training.
 */
export function buildExamples({
  sources,
  layout,
  validationShare,
}: BuildExamplesParameters): BuildExamplesReturnType {
  const H = layout.horizons.length
  const K = last(layout.horizons)
  const train: Parameters<typeof collect>[0] = []
  const validation: Parameters<typeof collect>[0] = []
  for (const { source, series } of sources) {
    const [firstSeries] = series
    const lastSeries = series.at(-1)
    if (firstSeries === undefined || lastSeries === undefined) continue
    const first = firstSeries.firstNumber
    const lastBlock = lastSeries.firstNumber + lastSeries.length - 1
    const cut = lastBlock - Math.floor((lastBlock - first + 1) * validationShare)
    for (const s of series) {
      const step = maxLogStep(s.rule)
      const lb = s.logBaseFee
      for (let end = 0; end + K - 1 < s.length; end++) {
        let ok = true
        for (let i = end; i < end + K; i++) if (!Number.isFinite(at(lb, i))) ok = false
        if (!ok) continue
        const block = s.firstNumber + end
        const inValidation = block > cut
        if (!inValidation && block + K - 1 > cut) continue
        const f = computeFeatures({ series: s, end }).vector
        const r = new Float64Array(H)
        const m = new Float64Array(H)
        const base = at(lb, end)
        let running = base
        let h = 0
        for (let k = 2; k <= K; k++) {
          const logBaseFee = at(lb, end + k - 1)
          running = Math.max(running, logBaseFee)
          if (layout.horizons[h] === k) {
            r[h] = (running - base) / step
            m[h] = (logBaseFee - base) / step
            h++
          }
        }
        ;(inValidation ? validation : train).push({ f, r, m, s: source, b: block })
      }
    }
  }
  return { train: collect(train, H), validation: collect(validation, H) }
}
