import { describe, expect, it } from 'vitest'
import { sharedData } from '../../test/helpers/sharedData.js'
import { readHistoryFile } from '../history/readHistoryFile.js'
import { gasUsedRatioFromBaseFees, nextBaseFee } from './nextBaseFee.js'

const gwei = 1_000_000_000n

describe('nextBaseFee', () => {
  it('keeps the base fee when the block is exactly at target', () => {
    expect(nextBaseFee({ baseFeePerGas: 100n * gwei, gasUsed: 15_000_000n, gasLimit: 30_000_000n })).toBe(
      100n * gwei,
    )
  })
  it('rises 12.5% for a full block and falls 12.5% for an empty one (hand-checked)', () => {
    expect(nextBaseFee({ baseFeePerGas: 100n * gwei, gasUsed: 30_000_000n, gasLimit: 30_000_000n })).toBe(
      112_500_000_000n,
    )
    expect(nextBaseFee({ baseFeePerGas: 100n * gwei, gasUsed: 0n, gasLimit: 30_000_000n })).toBe(
      87_500_000_000n,
    )
  })
  it('truncates like the clients: 7 wei at 3/4 of target falls by floor(7*0.25/8)=0', () => {
    // 7 * 3_750_000 / 15_000_000 = 1 (floor), / 8 = 0
    expect(nextBaseFee({ baseFeePerGas: 7n, gasUsed: 11_250_000n, gasLimit: 30_000_000n })).toBe(7n)
  })
  it('raises by at least 1 wei above target, even where the division gives 0', () => {
    expect(nextBaseFee({ baseFeePerGas: 7n, gasUsed: 15_000_001n, gasLimit: 30_000_000n })).toBe(8n)
  })
  it('uses the chain parameters (Base: elasticity 6, denominator 250)', () => {
    const eip1559 = { elasticityMultiplier: 6n, baseFeeMaxChangeDenominator: 250n }
    // target 5M, used 30M: +5x target over 250 = +2%
    expect(
      nextBaseFee({ baseFeePerGas: 1_000_000n, gasUsed: 30_000_000n, gasLimit: 30_000_000n, eip1559 }),
    ).toBe(1_020_000n)
  })

  const premerge = sharedData('blocks/eth-2022-09-premerge.csv')
  it.runIf(premerge !== null)('recomputes every next base fee of real mainnet blocks exactly', async () => {
    const { rows } = await readHistoryFile(premerge as string)
    let checked = 0
    for (let i = 0; i + 1 < rows.length; i++) {
      const [parent, child] = [rows[i]!, rows[i + 1]!]
      if (child.number !== parent.number + 1) continue
      expect(
        nextBaseFee({
          baseFeePerGas: parent.baseFeePerGas!,
          gasUsed: parent.gasUsed!,
          gasLimit: parent.gasLimit!,
        }),
        `block ${child.number}`,
      ).toBe(child.baseFeePerGas)
      checked++
    }
    expect(checked).toBeGreaterThan(1000)
  })
})

describe('gasUsedRatioFromBaseFees', () => {
  it('inverts the EIP-1559 step', () => {
    expect(gasUsedRatioFromBaseFees(100n * gwei, 112_500_000_000n)).toBeCloseTo(2, 9)
    expect(gasUsedRatioFromBaseFees(100n * gwei, 87_500_000_000n)).toBeCloseTo(0, 9)
    expect(gasUsedRatioFromBaseFees(100n * gwei, 100n * gwei)).toBe(1)
  })
  it('agrees with nextBaseFee for a half-full block', () => {
    const next = nextBaseFee({ baseFeePerGas: 40n * gwei, gasUsed: 22_500_000n, gasLimit: 30_000_000n })
    expect(gasUsedRatioFromBaseFees(40n * gwei, next)).toBeCloseTo(1.5, 6)
  })
})
