import { describe, expect, it } from 'vitest'
import { createCalibrationState } from '../predict/calibration.js'
import { feecastSloSpec } from '../slo/spec.js'
import { baseFeeCalibration, objectivesSeen, reliabilityPoints, wilsonInterval } from './pageData.js'

describe('wilsonInterval', () => {
  it('matches the textbook values and stays inside [0, 1]', () => {
    const [low, high] = wilsonInterval(90, 100)
    expect(low).toBeCloseTo(0.8256, 3)
    expect(high).toBeCloseTo(0.9448, 3)
    expect(wilsonInterval(0, 10)[0]).toBe(0)
    expect(wilsonInterval(10, 10)[1]).toBe(1)
    expect(wilsonInterval(10, 10)[0]).toBeCloseTo(0.7225, 3)
  })
})

describe('the calibration the page reads', () => {
  const state = createCalibrationState({ confidences: [50, 60, 90, 99], horizons: [2, 3, 4, 10] })
  state.scored[1]![2] = 200 // 90 % within 3 blocks
  state.covered[1]![2] = 180

  it('finds the base-fee state inside what the predictor persists, and refuses what is not one', () => {
    expect(baseFeeCalibration({ version: 1, baseFee: state, tips: {} })).toBe(state)
    expect(baseFeeCalibration(state)).toBe(state)
    expect(
      baseFeeCalibration({ baseFee: { confidences: [90], horizons: [2], scored: [[1, 2]] } }),
    ).toBeUndefined()
    expect(baseFeeCalibration('{')).toBeUndefined()
  })

  it("keeps the contract's cells, with coverage and interval in percent", () => {
    const points = reliabilityPoints(state)
    expect(points.map((p) => `${p.confidence}/${p.withinBlocks}`)).toEqual([
      '50/2',
      '90/2',
      '99/2',
      '50/3',
      '90/3',
      '99/3',
      '50/10',
      '90/10',
      '99/10',
    ])
    const cell = points.find((p) => p.confidence === 90 && p.withinBlocks === 3)
    expect(cell).toMatchObject({ scored: 200, covered: 180, coverage: 90 })
    expect(cell?.interval?.[0]).toBeCloseTo(85.1, 1)
    expect(points.find((p) => p.confidence === 50 && p.withinBlocks === 2)?.interval).toBeNull()
  })
})

describe('objectivesSeen', () => {
  it('puts the spec targets beside what the process counted', () => {
    const body = objectivesSeen(
      feecastSloSpec,
      {
        predict: {
          answered: 1000,
          serverErrors: 2,
          within: new Map([
            [0.05, 990],
            [0.2, 1000],
          ]),
        },
        calibration: [
          { chainId: 1, scored: 400, covered: 300 },
          { chainId: 8453, scored: 10, covered: 9 },
        ],
      },
      new Date('2026-11-30T00:00:00Z'),
    )
    const byName = Object.fromEntries(body.objectives.map((o) => [o.name, o]))
    expect(byName['predict-availability']).toMatchObject({
      target: '≥ 99.5 %',
      seen: '99.8 % of 1000',
      met: true,
    })
    expect(byName['predict-latency-50ms']).toMatchObject({
      target: '≥ 95 %',
      seen: '99 % of 1000',
      met: true,
    })
    expect(byName['prediction-calibration-1']).toMatchObject({ target: '88–92 %', met: false })
    expect(byName['prediction-calibration-8453']?.met).toBeNull()
    expect(body.since).toBe('2026-11-30T00:00:00.000Z')
  })
})
