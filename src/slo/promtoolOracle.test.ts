import { describe, expect, it } from 'vitest'
import { expandSpec } from './expand.js'
import { buildModel, eventsIn, firing, windowError } from './promtoolOracle.js'
import { scenariosFor } from './promtoolScenarios.js'
import { feecastSloSpec } from './spec.js'

const objectives = expandSpec(feecastSloSpec)
const objective = (slo: string) => {
  const s = objectives.find((x) => x.slo === slo)
  if (!s) throw new Error(`no objective ${slo}`)
  return s
}

describe('promtool oracle', () => {
  const availability = objective('predict-availability') // 99.5 %: budget 0.005

  it('counts errors and events over a window from the raw per-minute history', () => {
    const { model } = buildModel(availability, [
      { minutes: 30, error: 0 },
      { minutes: 30, error: 0.01, events: 100 },
    ])
    expect(windowError(availability, model, 60, '5m')).toBeCloseTo(0.01, 9)
    // The last 60 minutes: 30 clean minutes of 60 events, 30 of 100 events at 1 %.
    expect(windowError(availability, model, 60, '1h')).toBeCloseTo(30 / (30 * 60 + 30 * 100), 9)
    expect(eventsIn(model, 60, '5m')).toBe(500)
    expect(eventsIn(model, 60, '1h')).toBe(30 * 60 + 30 * 100)
  })

  it('pages on a fast burn in both windows, tickets on a slow one, and says nothing on a clean history', () => {
    const clean = buildModel(availability, [{ minutes: 90, error: 0 }]).model
    expect(firing(availability, clean, 90, 'page')).toBe(false)
    expect(firing(availability, clean, 90, 'ticket')).toBe(false)
    const fast = buildModel(availability, [{ minutes: 90, error: 20 * 0.005 }]).model
    expect(firing(availability, fast, 90, 'page')).toBe(true)
    const slow = buildModel(availability, [{ minutes: 60 * 24, error: 2 * 0.005 }]).model
    expect(firing(availability, slow, 60 * 24, 'page')).toBe(false)
    expect(firing(availability, slow, 60 * 24, 'ticket')).toBe(true)
  })

  it('calls an outcome within 10 % of a threshold close rather than guessing', () => {
    // 6x the budget, the threshold of the second page condition (6h, 30m), exactly; the first (14.4x) is false.
    const edge = buildModel(availability, [{ minutes: 90, error: 6 * 0.005 }]).model
    expect(firing(availability, edge, 90, 'page')).toBe('close')
    const above = buildModel(availability, [{ minutes: 90, error: 7 * 0.005 }]).model
    expect(firing(availability, above, 90, 'page')).toBe(true)
  })

  it('reads a time share from samples at both ends of the window (Prometheus 2 range selectors)', () => {
    const freshness = objective('sampler-freshness')
    const { model } = buildModel(freshness, [
      { minutes: 10, error: 0 },
      { minutes: 5, error: 1 },
    ])
    expect(model.kind).toBe('samples')
    // Minutes 10..15: six samples, the stalled ones among them as the fixture's indicator says.
    const indicator = model.kind === 'samples' ? model.indicator : []
    const expected = indicator.slice(10, 16).reduce((a, b) => a + b, 0) / 6
    expect(windowError(freshness, model, 15, '5m')).toBeCloseTo(expected, 12)
    expect(expected).toBeGreaterThan(0.5)
  })
})

describe('promtool scenarios', () => {
  it('give every objective named scenarios that show what they are for, by the oracle', () => {
    for (const s of objectives) {
      const scenarios = scenariosFor(s)
      expect(scenarios.length, s.id).toBeGreaterThanOrEqual(5)
      expect(new Set(scenarios.map((x) => x.name)).size, s.id).toBe(scenarios.length)
      expect(
        scenarios.some((x) => x.expect.ticket),
        s.id,
      ).toBe(true)
      for (const scenario of scenarios) {
        const { model } = buildModel(s, scenario.segments)
        const end = scenario.segments.reduce((a, seg) => a + seg.minutes, 0)
        expect(firing(s, model, end, 'page'), `${s.id}: ${scenario.name}`).toBe(scenario.expect.page)
        expect(firing(s, model, end, 'ticket'), `${s.id}: ${scenario.name}`).toBe(scenario.expect.ticket)
      }
    }
  })

  it('check the traffic guard only where an objective has one', () => {
    for (const s of objectives) {
      const guarded = scenariosFor(s).some((x) => x.name.startsWith('too few events to judge'))
      expect(guarded, s.id).toBe(s.guard !== undefined)
    }
  })
})
