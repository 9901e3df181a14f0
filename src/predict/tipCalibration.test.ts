import { describe, expect, it } from 'vitest'
import { mulberry32 } from '../lib/random.js'
import {
  createTipCalibrationState,
  observeTipBlock,
  recordTipEstimate,
  tipFor,
  windowMinima,
} from './tipCalibration.js'

describe('windowMinima', () => {
  it('takes the lowest τ of each window, ignoring unknown blocks', () => {
    expect(windowMinima([5n, 3n, null, 9n], 2)).toEqual([3n, 3n, 9n])
  })
  it('matches the minimum of every window taken one by one, on random series with gaps', () => {
    const random = mulberry32(3)
    for (let trial = 0; trial < 50; trial++) {
      const taus = Array.from({ length: 1 + Math.floor(random() * 80) }, () =>
        random() < 0.15 ? null : BigInt(Math.floor(random() * 1e6)) * 10n ** BigInt(Math.floor(random() * 8)),
      )
      for (const n of [1, 2, 3, 5, 10, 20]) {
        const slow: bigint[] = []
        for (let i = 0; i + n <= taus.length; i++) {
          const known = taus.slice(i, i + n).filter((t): t is bigint => t !== null)
          if (known.length > 0) slow.push(known.reduce((a, b) => (b < a ? b : a)))
        }
        slow.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
        expect(windowMinima(taus, n)).toEqual(slow)
      }
    }
  })
})

describe('tipFor', () => {
  const state = createTipCalibrationState()
  const taus = Array.from({ length: 200 }, (_, i) => BigInt(1 + (i % 100)))
  it('is monotone in confidence and falls with the horizon', () => {
    const at = (n: number, p: number) => tipFor({ state, thresholds: taus, withinBlocks: n, confidence: p })!
    for (const n of [1, 3, 10]) expect(at(n, 50) <= at(n, 90) && at(n, 90) <= at(n, 99)).toBe(true)
    expect(at(10, 90) <= at(1, 90)).toBe(true)
  })
  it('respects the chain floor and chains that ignore tips', () => {
    expect(tipFor({ state, thresholds: taus, withinBlocks: 1, confidence: 50, minTipWei: 1000n })).toBe(1000n)
    expect(tipFor({ state, thresholds: [], withinBlocks: 1, confidence: 50, ignoresTips: true })).toBe(0n)
  })
  it('reads single blocks, not window minima, when too few windows resolve the level', () => {
    // A young chain: ten quiet blocks (τ 1 wei), then a rush (τ 1 gwei and up). Twenty blocks make eleven
    // 10-block windows, each holding a quiet block: their maximum minimum is 1 wei, a tip that waits
    // out the rush. p = 99 needs 100 windows; until then the single blocks' τ speak.
    const young = [
      ...Array.from({ length: 10 }, () => 1n),
      ...Array.from({ length: 10 }, (_, i) => 10n ** 9n + BigInt(i)),
    ]
    expect(tipFor({ state, thresholds: young, withinBlocks: 10, confidence: 99 })).toBe(10n ** 9n + 9n)
    // p = 50 is resolved by eleven windows: unchanged.
    expect(tipFor({ state, thresholds: young, withinBlocks: 10, confidence: 50 })).toBe(1n)
    // With history enough, p = 99 reads the window minima again.
    const long = Array.from({ length: 400 }, (_, i) => BigInt(1 + (i % 100)))
    expect(tipFor({ state, thresholds: long, withinBlocks: 10, confidence: 99 })).toBe(91n)
  })
  it("reads the windows that followed a block in the head's state, when enough of them resolve the level", () => {
    // Alternating spells of 20 calm blocks (τ 1..20) and 20 congested ones (τ 1000..1019).
    const taus: bigint[] = []
    const congested: boolean[] = []
    for (let b = 0; b < 400; b++) {
      const rush = Math.floor(b / 20) % 2 === 1
      taus.push(BigInt((rush ? 1000 : 1) + (b % 20)))
      congested.push(rush)
    }
    const at = (now: boolean | undefined) =>
      tipFor({ state, thresholds: taus, withinBlocks: 1, confidence: 90, congested, congestedNow: now })!
    // All windows alike: the 90 % level is a rush's τ, paid in calm spells too.
    expect(at(undefined)).toBeGreaterThanOrEqual(1000n)
    // After a calm block the next block is calm 19 times in 20: the 90 % tip is a calm one.
    expect(at(false)).toBeLessThan(1000n)
    expect(at(true)).toBeGreaterThanOrEqual(1000n)
  })
  it('refuses to answer without data', () => {
    expect(tipFor({ state, thresholds: [1n, 2n], withinBlocks: 1, confidence: 90 })).toBeNull()
  })
})

describe('online tip calibration', () => {
  it('brings coverage back to nominal after the tip market jumps tenfold', () => {
    const random = mulberry32(7)
    const state = createTipCalibrationState({ confidences: [90], horizons: [1, 3] })
    const taus: bigint[] = []
    let before = { scored: 0, covered: 0 }
    for (let b = 0; b < 6000; b++) {
      // Regime change at block 3000: τ from a heavier, tenfold market, which the 256-block window lags.
      const scale = b < 3000 ? 1 : 10
      const tau = BigInt(Math.round(scale * 1e9 * Math.exp(random() * 2) * (random() < 0.1 ? 5 : 1)))
      observeTipBlock(state, b, tau)
      taus.push(tau)
      const window = taus.slice(-256)
      const tips = state.horizons.map((n) =>
        state.confidences.map((p) => tipFor({ state, thresholds: window, withinBlocks: n, confidence: p })),
      )
      recordTipEstimate(state, b, tips)
      if (b === 3000) before = { scored: state.scored[0]![0]!, covered: state.covered[0]![0]! }
    }
    // Coverage of the estimates scored after the jump only.
    const coverage = (state.covered[0]![0]! - before.covered) / (state.scored[0]![0]! - before.scored)
    expect(coverage).toBeGreaterThan(0.87)
    expect(coverage).toBeLessThan(0.93)
  })
})
