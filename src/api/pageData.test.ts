import { describe, expect, it } from 'vitest'
import { pageHtml } from '../page/pageHtml.js'
import { createCalibrationState } from '../predict/calibration.js'
import { feecastSloSpec } from '../slo/spec.js'
import {
  bandVerdict,
  baseFeeCalibration,
  objectivesSeen,
  reliabilityPoints,
  sloBoardUrl,
  wilsonInterval,
} from './pageData.js'

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
        bands: {
          'prediction-calibration': [
            { chainId: 1, scored: 400, covered: 300 },
            { chainId: 8453, scored: 10, covered: 9 },
          ],
          'blob-fee-calibration': [{ chainId: 1, scored: 10_000, covered: 9_000 }],
        },
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
    // Each band reads its own calibration: the blob row is not the base-fee one, and a chain without blobs
    // has no blob row.
    expect(byName['blob-fee-calibration-1']).toMatchObject({ seen: '90 % of 10000', met: true })
    expect(byName['blob-fee-calibration-8453']).toBeUndefined()
    expect(body.since).toBe('2026-11-30T00:00:00.000Z')
  })
})

describe('bandVerdict', () => {
  const band = { lower: 88, upper: 92, minEvents: 50 }
  it('judges a band only when the coverage interval lies inside it or outside it', () => {
    expect(bandVerdict({ scored: 10_000, covered: 9_000 }, band)).toEqual({
      seen: '90 % of 10000',
      met: true,
    })
    expect(bandVerdict({ scored: 400, covered: 300 }, band)).toEqual({ seen: '75 % of 400', met: false })
    // 87.43 % of 573 is as likely a healthy 90 % as a failing one: not judged, the interval said.
    const early = bandVerdict({ scored: 573, covered: 501 }, band)
    expect(early.met).toBeNull()
    expect(early.seen).toMatch(/^87\.43 % of 573 \(95 % interval \d+\.\d+ %–\d+\.\d+ %: not judged yet\)$/)
    expect(bandVerdict({ scored: 40, covered: 36 }, band)).toEqual({
      seen: '90 % of 40 (fewer than 50: not judged)',
      met: null,
    })
    expect(bandVerdict({ scored: 0, covered: 0 }, band)).toEqual({ seen: 'nothing scored yet', met: null })
  })
})

describe('the Grafana link (GRAFANA_URL)', () => {
  const seen = {
    predict: { answered: 10, serverErrors: 0, within: new Map([[0.2, 10]]) },
    bands: { 'prediction-calibration': [{ chainId: 1, scored: 0, covered: 0 }] },
  }
  const since = new Date('2026-11-30T00:00:00Z')

  it('links every objective to the generated SLO board over 30 days when set, and none when not', () => {
    const linked = objectivesSeen(feecastSloSpec, seen, since, 'https://grafana.example.org/grafana')
    expect(linked.objectives.length).toBeGreaterThan(2)
    for (const o of linked.objectives)
      expect(o.grafana).toBe('https://grafana.example.org/grafana/d/feecast-slo?from=now-30d&to=now')
    const plain = objectivesSeen(feecastSloSpec, seen, since)
    expect(plain.objectives.every((o) => !('grafana' in o))).toBe(true)
  })

  it('keeps a path prefix and a trailing slash alike, and escapes the board name', () => {
    expect(sloBoardUrl('https://g.example/', 'feecast')).toBe(
      'https://g.example/d/feecast-slo?from=now-30d&to=now',
    )
    expect(sloBoardUrl('https://g.example/a/b/', 'x y')).toBe(
      'https://g.example/a/b/d/x%20y-slo?from=now-30d&to=now',
    )
  })

  it('gives the objectives table its link column only when set', () => {
    expect(pageHtml({ grafanaUrl: 'https://g.example' })).toContain('<th scope="col">30 days</th>')
    expect(pageHtml()).not.toContain('30 days</th>')
    expect(pageHtml()).toContain('GRAFANA_URL links it here')
  })
})
