import { describe, expect, it } from 'vitest'
import { syntheticBlobRows } from '../../test/helpers/blobHistory.js'
import { mainnetBlobSchedule } from '../chains/blobSchedule.js'
import { toBlobSeries } from '../features/blobSeries.js'
import { blobBaseFee } from '../fees/blobBaseFee.js'
import { mulberry32 } from '../lib/random.js'
import { blobRandomWalkForecaster } from '../model/blobRandomWalkForecaster.js'
import {
  blobWalkForward,
  type NextBlob,
  scoreBlobCapExact,
  scoreBlobCapFast,
  withAllDecisions,
} from './blobWalkForward.js'
import { summarize } from './walkForward.js'

const schedule = mainnetBlobSchedule
const cancun = schedule[0]!

describe('blob cap scoring', () => {
  it('the fast path agrees with exact bigint arithmetic, EIP-4844 floors included', () => {
    const random = mulberry32(3)
    for (let trial = 0; trial < 2000; trial++) {
      // From the 1-wei floor to 1e12 wei, thresholds from 0 to past the worst case.
      const excess = Math.floor(random() * 700) * 131_072 * (random() < 0.3 ? 0 : 1)
      const fee = Number(blobBaseFee({ excessBlobGas: BigInt(excess), parameters: cancun }))
      const next: NextBlob = { fee, excess, fork: cancun, logFee: excess / 3_338_477, maxStep: 0.1178 }
      const withinBlocks = 2 + Math.floor(random() * 19)
      const maxExcess = excess + Math.floor(random() * 3 * withinBlocks) * 131_072
      const maxFee = Number(blobBaseFee({ excessBlobGas: BigInt(maxExcess), parameters: cancun }))
      const threshold = random() * 0.15 * withinBlocks
      const fast = scoreBlobCapFast({ next, threshold, withinBlocks, maxFee, maxExcess })
      const exact = scoreBlobCapExact({ next, threshold, withinBlocks, maxFee, forks: [cancun] })
      expect(fast.covered, `trial ${trial}`).toBe(exact.covered)
      expect(Math.abs(fast.fee - exact.fee)).toBeLessThanOrEqual(1 + 1e-5 * exact.fee)
    }
  })
})

describe('blob walk-forward backtest', () => {
  const rows = syntheticBlobRows({ blocks: 12_000, seed: 9, anchorLogFee: 18 })
  const series = toBlobSeries({ blocks: rows, schedule })

  it('calibrates a wrong model online to the stated coverage, and scores the baselines exactly', () => {
    const result = blobWalkForward({
      sources: [{ name: 'synthetic', series: [series] }],
      forecaster: blobRandomWalkForecaster(),
      schedule,
      confidences: [50, 90, 99],
      horizons: [3, 10],
    })
    expect(result.pricedDecisions).toBeGreaterThan(11_000)
    const table = withAllDecisions(summarize(result.cells), result.all)
    for (const r of table.filter((x) => x.predictor === 'feecast'))
      expect(
        Math.abs(r.coverage * 100 - r.confidence!),
        `p=${r.confidence} N=${r.withinBlocks}`,
      ).toBeLessThan(r.confidence === 99 ? 1 : 2.5)
    // blob-1x covers exactly the decisions whose N blocks never rise above the next fee.
    const oneX = table.find((r) => r.predictor === 'blob-1x' && r.withinBlocks === 10)!
    let covered = 0
    let decisions = 0
    for (let end = 1; end + 9 < series.length; end++) {
      decisions++
      let top = 0
      for (let k = end; k < end + 10; k++) top = Math.max(top, series.blobFee[k]!)
      if (top <= series.blobFee[end]!) covered++
    }
    expect(oneX.samplesAll).toBe(decisions)
    expect(oneX.coverageAll).toBeCloseTo(covered / decisions, 10)
  }, 60_000)

  it('never lets a decision see the future: changing what follows block t leaves the estimate at t unchanged', () => {
    const short = toBlobSeries({ blocks: rows.slice(0, 600), schedule })
    const later = rows.slice(0, 600).map((r, i) => (i > 400 ? { ...r, blobGasUsed: 0n } : r))
    const other = toBlobSeries({ blocks: later, schedule })
    const seen = (s: typeof short) => {
      const sums: number[] = []
      const forecaster = blobRandomWalkForecaster()
      blobWalkForward({
        sources: [{ name: 'x', series: [s] }],
        forecaster: {
          ...forecaster,
          forecast(features, maxStep) {
            let sum = 0
            for (let j = 0; j < features.length; j++) sum += features[j]!
            sums.push(sum)
            return forecaster.forecast(features, maxStep)
          },
        },
        schedule,
        confidences: [90],
        horizons: [3],
      })
      return sums
    }
    const a = seen(short)
    const b = seen(other)
    // Decision at index end reads blob usage up to end - 1: blocks <= 400 are the same.
    expect(a.slice(0, 400)).toEqual(b.slice(0, 400))
    expect(a[420]).not.toEqual(b[420])
  })
})
