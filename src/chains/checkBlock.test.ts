import { describe, expect, it } from 'vitest'
import { chainProfile } from './chains.js'
import { type BlockFacts, checkBlock, maxFutureSeconds } from './checkBlock.js'

const gwei = 1_000_000_000n
const now = 1_800_000_000
const parent: BlockFacts = {
  number: 100,
  timestamp: now - 12,
  baseFeePerGas: 8n * gwei,
  gasUsed: 30_000_000n,
  gasLimit: 30_000_000n,
}
const child = (fields: Partial<BlockFacts>): BlockFacts => ({
  number: 101,
  timestamp: now,
  baseFeePerGas: 9n * gwei,
  gasUsed: 15_000_000n,
  gasLimit: 30_000_000n,
  ...fields,
})
const ethereum = chainProfile(1)

describe('checkBlock', () => {
  it('accepts a block whose base fee follows from its parent by the chain rule', () => {
    expect(checkBlock({ profile: ethereum, parent, block: child({}), nowSeconds: now })).toEqual({
      verdict: 'ok',
      ruleChecked: true,
    })
  })

  it('refuses a block from the future, or older than its parent', () => {
    const ahead = checkBlock({
      profile: ethereum,
      parent,
      block: child({ timestamp: now + 365 * 86_400 }),
      nowSeconds: now,
    })
    expect(ahead).toMatchObject({ verdict: 'reject', reason: 'timestamp' })
    expect(
      checkBlock({
        profile: ethereum,
        parent,
        block: child({ timestamp: now + maxFutureSeconds }),
        nowSeconds: now,
      }).verdict,
    ).toBe('ok')
    expect(
      checkBlock({ profile: ethereum, parent, block: child({ timestamp: now - 13 }), nowSeconds: now }),
    ).toMatchObject({ verdict: 'reject', reason: 'timestamp' })
  })

  it('refuses a 1000x jump and 2^256 - 1 on any chain, even one whose rule is unknown', () => {
    for (const profile of [ethereum, chainProfile(42161), chainProfile(999_999)]) {
      expect(
        checkBlock({ profile, parent, block: child({ baseFeePerGas: 8_000n * gwei }), nowSeconds: now }),
      ).toMatchObject({ verdict: 'reject', reason: 'base-fee' })
      expect(
        checkBlock({
          profile,
          parent: null,
          block: child({ baseFeePerGas: 2n ** 256n - 1n }),
          nowSeconds: now,
        }),
      ).toMatchObject({ verdict: 'reject', reason: 'base-fee' })
    }
  })

  it('calls a plausible base fee that breaks the known rule a mismatch; an unknown rule is not checked', () => {
    const off = child({ baseFeePerGas: 8_500_000_000n })
    expect(checkBlock({ profile: ethereum, parent, block: off, nowSeconds: now })).toMatchObject({
      verdict: 'mismatch',
      problem: expect.stringContaining('rule gives 9000000000 wei'),
    })
    expect(checkBlock({ profile: chainProfile(42161), parent, block: off, nowSeconds: now })).toEqual({
      verdict: 'ok',
      ruleChecked: false,
    })
  })

  it("checks OP-stack blocks with the parameters in their parent's extraData", () => {
    const base = chainProfile(8453)
    // Jovian: denominator 250, elasticity 6, minimum 0.01 gwei; an empty parent at 0.005 gwei.
    const extraData = `0x01${(250).toString(16).padStart(8, '0')}${(6).toString(16).padStart(8, '0')}${(10_000_000).toString(16).padStart(16, '0')}`
    const low: BlockFacts = { ...parent, baseFeePerGas: 5_000_000n, gasUsed: 0n, extraData }
    expect(
      checkBlock({
        profile: base,
        parent: low,
        block: child({ baseFeePerGas: 10_000_000n }),
        nowSeconds: now,
      }),
    ).toEqual({ verdict: 'ok', ruleChecked: true })
    // Without the parent's extraData (a record read back from the store) the rule cannot be applied.
    const { extraData: _, ...stored } = low
    expect(
      checkBlock({
        profile: base,
        parent: stored,
        block: child({ baseFeePerGas: 9_000_000n }),
        nowSeconds: now,
      }),
    ).toEqual({ verdict: 'ok', ruleChecked: false })
  })

  it('does not check across a gap', () => {
    expect(
      checkBlock({
        profile: ethereum,
        parent,
        block: child({ number: 105, baseFeePerGas: 10n * gwei }),
        nowSeconds: now,
      }),
    ).toEqual({ verdict: 'ok', ruleChecked: false })
  })
})
