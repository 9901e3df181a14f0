import { describe, expect, it } from 'vitest'
import { effectiveTip } from './effectiveTip.js'
import { summarizeTips } from './summarizeTips.js'

describe('effectiveTip', () => {
  it('is the priority fee when the cap leaves room', () => {
    expect(effectiveTip({ baseFeePerGas: 10n, maxFeePerGas: 100n, maxPriorityFeePerGas: 3n })).toBe(3n)
  })
  it('is capped by maxFee - baseFee', () => {
    expect(effectiveTip({ baseFeePerGas: 98n, maxFeePerGas: 100n, maxPriorityFeePerGas: 5n })).toBe(2n)
  })
  it('is gasPrice - baseFee for legacy transactions', () => {
    expect(effectiveTip({ baseFeePerGas: 10n, gasPrice: 25n })).toBe(15n)
  })
  it('is never negative', () => {
    expect(effectiveTip({ baseFeePerGas: 10n, gasPrice: 5n })).toBe(0n)
  })
})

describe('summarizeTips', () => {
  it('returns null for an empty block', () => {
    expect(summarizeTips({ tips: [] })).toBeNull()
  })
  it('drops the miner and sub-2-wei tips from the threshold but not from min/avg/max', () => {
    const s = summarizeTips({
      miner: '0xAbC',
      tips: [
        { tip: 0n, from: '0x1' },
        { tip: 1n, from: '0x2' },
        { tip: 5n, from: '0xabc' },
        { tip: 7n, from: '0x3' },
        { tip: 100n, from: '0x4' },
      ],
    })!
    expect(s.threshold).toBe(7n)
    expect(s.min).toBe(0n)
    expect(s.max).toBe(100n)
    expect(s.avg).toBe(22n) // floor(113 / 5)
    expect(s.p50).toBe(5n)
    expect(s.count).toBe(5)
  })
  it('falls back to the min when every tip is filtered', () => {
    expect(summarizeTips({ tips: [{ tip: 1n }, { tip: 0n }] })!.threshold).toBe(0n)
  })
})
