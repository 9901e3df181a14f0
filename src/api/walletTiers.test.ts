import type { Estimate } from '@feecast/client'
import { describe, expect, it } from 'vitest'
import { predictionFixture } from '../../test/support/predictionFixture.js'
import { mulberry32 } from '../lib/random.js'
import { pickEstimate } from './pickEstimate.js'
import { tipStep, walletTierPromises, walletTiers } from './walletTiers.js'

const gwei = 1_000_000_000n
const names = ['low', 'medium', 'high'] as const

/** A grid of estimates with tips and base-fee bounds drawn at random (not ordered by p or N). */
function randomEstimates(seed: number, zeroTips = false): Estimate[] {
  const random = mulberry32(seed)
  const estimates: Estimate[] = []
  for (const withinBlocks of [1, 3, 10])
    for (const confidence of [50, 70, 90, 95, 99]) {
      const tip = zeroTips ? 0n : BigInt(Math.floor(random() * 3)) * (gwei / 10n)
      const base = 20n * gwei + BigInt(Math.floor(random() * 5e9))
      estimates.push({
        confidence,
        withinBlocks,
        maxPriorityFeePerGas: tip.toString(),
        maxFeePerGas: (base + tip).toString(),
        expectedFeePerGas: (20n * gwei + tip).toString(),
        maxPriorityFeePerGasGwei: Number(tip) / 1e9,
        maxFeePerGasGwei: Number(base + tip) / 1e9,
      })
    }
  return estimates
}

describe('walletTiers', () => {
  it("orders the fixture's tiers though its own estimates cap the longest wait highest", () => {
    const p = predictionFixture()
    const low = pickEstimate(p.estimates, 90, 10)!
    const high = pickEstimate(p.estimates, 99, 1)!
    expect(BigInt(low.maxFeePerGas)).toBeGreaterThan(BigInt(high.maxFeePerGas)) // the raw order is backwards
    const tiers = walletTiers({
      estimates: p.estimates,
      pendingBaseFeePerGas: BigInt(p.pendingBaseFeePerGas),
    })!
    expect(tiers.low.maxFeePerGas).toBeLessThan(tiers.medium.maxFeePerGas)
    expect(tiers.medium.maxFeePerGas).toBeLessThan(tiers.high.maxFeePerGas)
  })

  it.each(Array.from({ length: 200 }, (_, i) => i + 1))(
    'keeps tips and caps strictly rising and every promise kept (random grid %i)',
    (seed) => {
      const estimates = randomEstimates(seed)
      const pending = 20n * gwei
      const tiers = walletTiers({ estimates, pendingBaseFeePerGas: pending })!
      for (let i = 1; i < names.length; i++) {
        const [below, above] = [tiers[names[i - 1]!], tiers[names[i]!]]
        expect(above.maxPriorityFeePerGas).toBeGreaterThan(below.maxPriorityFeePerGas)
        expect(above.maxFeePerGas).toBeGreaterThan(below.maxFeePerGas)
      }
      for (const name of names) {
        const tier = tiers[name]
        const own = pickEstimate(
          estimates,
          walletTierPromises[name].confidence,
          walletTierPromises[name].withinBlocks,
        )!
        // At least the tip its promise needs, and a cap that still covers its own wait's base fee.
        expect(tier.maxPriorityFeePerGas).toBeGreaterThanOrEqual(BigInt(own.maxPriorityFeePerGas))
        expect(tier.maxFeePerGas - tier.maxPriorityFeePerGas).toBeGreaterThanOrEqual(
          BigInt(own.maxFeePerGas) - BigInt(own.maxPriorityFeePerGas),
        )
        expect(tier.maxFeePerGas - tier.maxPriorityFeePerGas).toBeGreaterThanOrEqual(pending)
      }
    },
  )

  it('raises an unordered tip 5 % above the tier below, at least 1 wei', () => {
    expect(tipStep(2n * gwei)).toBe(gwei / 10n)
    expect(tipStep(0n)).toBe(1n)
    expect(tipStep(10n)).toBe(1n)
  })

  it('keeps equal tiers where the chain ignores tips (nothing can be bought)', () => {
    const estimates = randomEstimates(7, true)
    const tiers = walletTiers({ estimates, pendingBaseFeePerGas: 20n * gwei, ignoresTips: true })!
    expect(names.map((n) => tiers[n].maxPriorityFeePerGas)).toEqual([0n, 0n, 0n])
    expect(tiers.low.maxFeePerGas).toBeLessThanOrEqual(tiers.medium.maxFeePerGas)
    expect(tiers.medium.maxFeePerGas).toBeLessThanOrEqual(tiers.high.maxFeePerGas)
  })

  it('is null when an estimate a tier needs is missing', () => {
    const estimates = randomEstimates(3).filter((e) => e.confidence !== 99)
    expect(walletTiers({ estimates, pendingBaseFeePerGas: gwei })).toBeNull()
  })
})
