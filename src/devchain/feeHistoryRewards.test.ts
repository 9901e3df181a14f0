import { describe, expect, it } from 'vitest'
import { feeHistoryRewards } from './feeHistoryRewards.js'

describe('feeHistoryRewards (geth processBlock)', () => {
  it('weights percentiles by gas used, against the header gas used', () => {
    // Sorted by tip: 1 (21k), 5 (100k), 9 (79k); header gas used 200k.
    const samples = [
      { tip: 9n, gasUsed: 79_000n },
      { tip: 1n, gasUsed: 21_000n },
      { tip: 5n, gasUsed: 100_000n },
    ]
    const rewards = feeHistoryRewards({
      samples,
      blockGasUsed: 200_000n,
      percentiles: [0, 10, 10.5, 11, 60, 60.5, 61, 100],
    })
    // thresholds: 0, 20000, 21000, 22000, 120000, 121000, 122000, 200000
    expect(rewards).toEqual([1n, 1n, 1n, 5n, 5n, 5n, 9n, 9n])
  })

  it('gives zeros for a block without transactions, and keeps equal tips in their order', () => {
    expect(feeHistoryRewards({ samples: [], blockGasUsed: 0n, percentiles: [25, 75] })).toEqual([0n, 0n])
    expect(
      feeHistoryRewards({
        samples: [
          { tip: 3n, gasUsed: 10n },
          { tip: 3n, gasUsed: 10n },
        ],
        blockGasUsed: 20n,
        percentiles: [50, 100],
      }),
    ).toEqual([3n, 3n])
  })

  it('stops at the last transaction when receipts sum to less than the header says', () => {
    const rewards = feeHistoryRewards({
      samples: [
        { tip: 2n, gasUsed: 10n },
        { tip: 4n, gasUsed: 10n },
      ],
      blockGasUsed: 1_000n,
      percentiles: [50, 99],
    })
    expect(rewards).toEqual([4n, 4n])
  })
})
