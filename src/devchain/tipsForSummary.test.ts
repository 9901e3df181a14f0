import { describe, expect, it } from 'vitest'
import { createRandom } from '../lib/random.js'
import { tipsForSummary } from './tipsForSummary.js'

const summary = (tips: bigint[]) => {
  const sorted = [...tips].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  let sum = 0n
  for (const t of sorted) sum += t
  return { min: sorted[0]!, avg: sum / BigInt(sorted.length), max: sorted[sorted.length - 1]! }
}

describe('tipsForSummary', () => {
  it('reproduces min, floor-mean and max of any real list of tips, for every count', () => {
    const random = createRandom(9)
    for (let i = 0; i < 400; i++) {
      const count = 1 + random.int(i % 3 === 0 ? 4 : 300)
      const scale = 10 ** random.int(11)
      const real = Array.from({ length: count }, () => BigInt(Math.floor(scale * random.pareto(1.3, 1000))))
      const target = summary(real)
      const { tips, exact } = tipsForSummary({ count, ...target, random: createRandom(i) })
      expect(exact).toBe(true)
      expect(tips).toHaveLength(count)
      expect(summary(tips)).toEqual(target)
    }
  })

  it('fills in what is not given and still hits what is', () => {
    const random = createRandom(1)
    // Every subset of a real list's summary: feasible by construction.
    const blanks = [
      [true, false, true],
      [false, true, true],
      [true, true, false],
      [false, true, false],
      [true, false, false],
      [false, false, true],
      [false, false, false],
    ]
    for (let i = 0; i < 300; i++) {
      const count = 1 + random.int(i % 2 === 0 ? 5 : 200)
      const real = Array.from({ length: count }, () => BigInt(Math.floor(1e8 * random.pareto(1.5, 500))))
      const full = summary(real)
      const [keepMin, keepAvg, keepMax] = blanks[i % blanks.length]!
      const target = {
        min: keepMin ? full.min : null,
        avg: keepAvg ? full.avg : null,
        max: keepMax ? full.max : null,
      }
      const { tips, exact } = tipsForSummary({ count, ...target, random: createRandom(1000 + i) })
      expect(
        exact,
        `count ${count} ${JSON.stringify(target, (_, v) => (typeof v === 'bigint' ? `${v}` : v))}`,
      ).toBe(true)
      const s = summary(tips)
      if (target.min !== null) expect(s.min).toBe(target.min)
      if (target.avg !== null) expect(s.avg).toBe(target.avg)
      if (target.max !== null) expect(s.max).toBe(target.max)
      expect(tips.every((t) => t >= 0n)).toBe(true)
    }
  })

  it('spreads tips instead of repeating the mean', () => {
    const { tips } = tipsForSummary({
      count: 100,
      min: null,
      avg: 1_000_000_000n,
      max: null,
      random: createRandom(2),
    })
    expect(new Set(tips).size).toBeGreaterThan(50)
  })

  it('says when the targets contradict each other', () => {
    const random = createRandom(1)
    expect(tipsForSummary({ count: 1, min: 5n, avg: 6n, max: 7n, random }).exact).toBe(false)
    expect(tipsForSummary({ count: 3, min: 10n, avg: 5n, max: 20n, random }).exact).toBe(false)
    expect(tipsForSummary({ count: 0, min: 1n, avg: null, max: null, random }).exact).toBe(false)
    expect(tipsForSummary({ count: 0, min: null, avg: null, max: null, random })).toEqual({
      tips: [],
      exact: true,
    })
  })
})
