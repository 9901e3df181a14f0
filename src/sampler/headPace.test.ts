import { describe, expect, it } from 'vitest'
import {
  expectedBlockMs,
  type HeadPace,
  isFlood,
  maxHeadsPerBlock,
  noPace,
  paceAfterHead,
  rateAfterHead,
  stallAfterMs,
} from './headPace.js'

/** The pace after heads [number, at] in order, with the sampler's stored head at each. */
const paceOf = (
  heads: [number, number][],
  storedHead: (n: number) => number | null = (n) => n - 1,
): HeadPace => heads.reduce((pace, [n, at]) => paceAfterHead(pace, n, at, storedHead(n)), noPace)

describe('headPace', () => {
  it('measures the block time from heads that move the chain forward', () => {
    const pace = paceOf([
      [10, 0],
      [11, 12_000],
      [13, 36_000], // a skipped notification: two blocks in 24 s
      [12, 37_000], // late: not a block
      [14, 48_000],
    ])
    expect(pace.perBlock).toEqual([12_000, 12_000, 12_000])
    expect(expectedBlockMs(pace, 2_000)).toBe(12_000)
    expect(stallAfterMs(pace, { blockTimeMs: 2_000, stallBlocks: 3 })).toBe(36_000)
  })

  it('does not count a head more than 4 blocks past the stored head, so 0xffffffffffff freezes nothing', () => {
    const huge = 0xffffffffffff
    const pace = paceOf(
      [
        [100, 0],
        [huge, 1],
        [105, 2], // 5 past the stored 100
        [101, 12_000],
        [102, 24_000],
      ],
      () => 100,
    )
    expect(pace.highest).toEqual({ number: 102, at: 24_000 })
    expect(pace.perBlock).toEqual([12_000, 12_000])
  })

  it('forgets a head counted before anything was stored once the stored head does not vouch for it', () => {
    const before = paceAfterHead(noPace, 0xffffffffffff, 0, null)
    expect(before.highest?.number).toBe(0xffffffffffff)
    const after = paceAfterHead(before, 101, 5_000, 100)
    expect(after).toEqual({ perBlock: [], highest: { number: 101, at: 5_000 } })
  })

  it('never calls a stall within 2 profile block times, however fast heads came', () => {
    const flood = paceOf(Array.from({ length: 20 }, (_, i): [number, number] => [100 + i, i]))
    expect(expectedBlockMs(flood, 12_000)).toBe(1)
    expect(stallAfterMs(flood, { blockTimeMs: 12_000, stallBlocks: 3 })).toBe(24_000)
    expect(stallAfterMs(noPace, { blockTimeMs: 12_000, stallBlocks: 3 })).toBe(36_000)
  })

  it(`counts more than ${maxHeadsPerBlock} notifications within one profile block time as a flood`, () => {
    let rate = rateAfterHead(null, 0, 12_000)
    for (let i = 1; i < maxHeadsPerBlock; i++) rate = rateAfterHead(rate, i, 12_000)
    expect(isFlood(rate)).toBe(false)
    expect(isFlood(rateAfterHead(rate, 11_999, 12_000))).toBe(true)
    // The next block time opens a new window.
    expect(rateAfterHead(rate, 12_000, 12_000)).toEqual({ since: 12_000, heads: 1 })
  })
})
