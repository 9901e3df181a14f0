import { describe, expect, it } from 'vitest'
import { ethStep, knownRandomWalkForecaster, randomWalkSeries } from '../../test/helpers/synthetic.js'
import { summarize, walkForward } from '../backtest/walkForward.js'
import { normalQuantile } from '../model/normal.js'
import {
  calibrateRunMax,
  calibrationCoverage,
  createCalibrationState,
  observeBlock,
  recordEstimate,
  thresholdAtScore,
} from './calibration.js'

const sigma0 = 0.2 * ethStep

describe('online calibration', () => {
  // The model believes in σ0; the chain runs at 2σ0 for 12000 blocks, then at σ0 / 2.
  const length = 24_000
  const series = randomWalkSeries({
    length,
    sigma: (i) => (i < length / 2 ? 2 * sigma0 : sigma0 / 2),
    seed: 21,
  })
  const forecaster = knownRandomWalkForecaster(sigma0)
  const first = series.firstNumber
  const run = (calibration: false | object, from: number, to: number) =>
    summarize(
      walkForward({
        sources: [{ name: 'shifted', series: [series] }],
        forecaster,
        confidences: [50, 90, 99],
        horizons: [3, 10],
        calibration: calibration as false,
        baselines: [],
        counts: (_, block) => block >= first + from && block < first + to,
      }).cells,
    )

  it('the uncalibrated model is far off in both regimes (the test is not trivial)', () => {
    const wild = run(false, 0, length / 2)
    const calm = run(false, length / 2, length)
    expect(wild.find((r) => r.confidence === 90 && r.withinBlocks === 10)!.coverage).toBeLessThan(0.7)
    expect(calm.find((r) => r.confidence === 50 && r.withinBlocks === 10)!.coverage).toBeGreaterThan(0.7)
  })

  it('converges to nominal coverage after each regime change', () => {
    // Score each regime after a burn-in of 3000 blocks.
    for (const [from, to] of [
      [3000, length / 2],
      [length / 2 + 3000, length],
    ] as const) {
      for (const r of run({}, from, to)) {
        const p = r.confidence!
        if (p === 99) expect(r.coverage * 100).toBeGreaterThan(98)
        else expect(Math.abs(r.coverage * 100 - p)).toBeLessThan(2.5)
      }
    }
  })

  it('keeps its state as plain JSON: a state restored from JSON continues exactly', () => {
    const a = createCalibrationState()
    const forecast = forecaster.forecast({} as never, series.rule)
    const step = (state: typeof a, i: number) => {
      observeBlock({ state, block: first + i, logBaseFee: series.logBaseFee[i]! })
      recordEstimate({
        state,
        block: first + i,
        logNextBaseFee: series.logBaseFee[i + 1]!,
        thresholds: calibrateRunMax({ state, forecast, maxStep: ethStep }),
      })
    }
    for (let i = 0; i < 500; i++) step(a, i)
    const b = JSON.parse(JSON.stringify(a)) as typeof a
    for (let i = 500; i < 1000; i++) {
      step(a, i)
      step(b, i)
    }
    expect(b).toEqual(a)
    expect(calibrationCoverage(a).find((r) => r.confidence === 90 && r.withinBlocks === 10)!.scored).toBe(
      1000 - 10,
    )
  })

  it('drops estimates it cannot score after a gap or a reorg, and scores only after N blocks', () => {
    const state = createCalibrationState({ horizons: [2, 3] })
    const forecast = forecaster.forecast({} as never, series.rule)
    const thresholds = calibrateRunMax({ state, forecast, maxStep: ethStep })
    observeBlock({ state, block: 100, logBaseFee: 0 })
    recordEstimate({ state, block: 100, logNextBaseFee: 0, thresholds })
    observeBlock({ state, block: 101, logBaseFee: 0 })
    expect(state.scored[0]![0]).toBe(0) // N = 2 is known only when block 102 is
    observeBlock({ state, block: 102, logBaseFee: 0.01 })
    expect(state.scored[0]![0]).toBe(1)
    recordEstimate({ state, block: 102, logNextBaseFee: 0, thresholds })
    observeBlock({ state, block: 102, logBaseFee: 0.02 }) // reorg of 102
    expect(state.pending).toHaveLength(0)
    recordEstimate({ state, block: 102, logNextBaseFee: 0, thresholds })
    observeBlock({ state, block: 105, logBaseFee: 0 }) // gap
    expect(state.pending).toHaveLength(0)
    expect(state.scored[1]![0]).toBe(0)
  })

  describe("above the model's top level", () => {
    const scores = [0.5, 0.9, 0.975, 0.99, 0.995].map(normalQuantile)
    const calm = [0.05, 0.14, 0.2, 0.25, 0.27]
    const wild = [0.12, 0.33, 0.48, 0.56, 0.63]
    const cap = 9 * ethStep + 0.02
    const z = normalQuantile(0.995) + 0.5

    it("'spread' widens with the model's own spread; 'cap' inflates a calm decision as much as a wild one", () => {
      const extra = (curve: number[], tail: 'cap' | 'spread') =>
        thresholdAtScore(scores, curve, z, cap, tail) - curve[curve.length - 1]!
      expect(extra(calm, 'spread')).toBeLessThan(extra(wild, 'spread') / 2)
      expect(extra(calm, 'cap')).toBeGreaterThan(3 * extra(calm, 'spread'))
      // a flat tail (an atom at the worst case) still leaves the calibration a way up
      expect(thresholdAtScore(scores, [0.1, 0.2, 0.2, 0.2, 0.2], z, cap, 'spread')).toBeGreaterThan(0.2)
      for (const tail of ['cap', 'spread'] as const)
        expect(thresholdAtScore(scores, calm, 20, cap, tail)).toBe(cap)
    })

    it('a new state starts with a worst-case floor that fades as outcomes arrive', () => {
      const state = createCalibrationState({ confidences: [99], horizons: [10] })
      const forecast = forecaster.forecast({} as never, series.rule)
      state.offset[0]![0] = 1 // well above the top level
      const at = () => calibrateRunMax({ state, forecast, maxStep: ethStep }).own[0]![0]!
      const fresh = at()
      state.scored[0]![0] = 800 // 8 expected misses at p = 99: half the floor
      const half = at()
      state.scored[0]![0] = 1e6
      const settled = at()
      expect(fresh).toBeGreaterThan(half)
      expect(half).toBeGreaterThan(settled)
      expect(createCalibrationState({ capFade: 0, confidences: [99], horizons: [10] }).capFade).toBe(0)
    })

    it('a state persisted before the tail rule existed keeps reading the curve as it did', () => {
      const state = createCalibrationState({ confidences: [99], horizons: [10] })
      state.offset[0]![0] = 1
      state.scored[0]![0] = 1e6
      const forecast = forecaster.forecast({} as never, series.rule)
      const old = JSON.parse(JSON.stringify(state))
      delete old.tail
      delete old.capFade
      const cap = createCalibrationState({ confidences: [99], horizons: [10], tail: 'cap' })
      cap.offset[0]![0] = 1
      const read = (s: typeof state) => calibrateRunMax({ state: s, forecast, maxStep: ethStep }).own[0]![0]!
      expect(read(old)).toBe(read(cap))
      expect(read(old)).toBeGreaterThan(read(state))
    })
  })
})
