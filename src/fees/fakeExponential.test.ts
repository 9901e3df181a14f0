import { describe, expect, it } from 'vitest'
import { fakeExponential } from './fakeExponential.js'

describe('fakeExponential', () => {
  // The vectors of ../shared/data/README.md ("Blob gas"), from the EIP-4844 reference tests.
  const vectors: [bigint, bigint, bigint, bigint][] = [
    [1n, 0n, 1n, 1n],
    [38493n, 0n, 1000n, 38493n],
    [0n, 1234n, 2345n, 0n],
    [1n, 2n, 1n, 6n],
    [1n, 4n, 2n, 6n],
    [1n, 3n, 1n, 16n],
    [1n, 6n, 2n, 18n],
    [1n, 8n, 2n, 50n],
    [1n, 9n, 3n, 18n],
    [1n, 10n, 1n, 21907n],
    [1n, 50_000_000n, 2_225_652n, 5_709_098_764n],
  ]
  it.each(vectors)('fakeExponential(%s, %s, %s) = %s', (factor, numerator, denominator, expected) => {
    expect(fakeExponential({ factor, numerator, denominator })).toBe(expected)
  })

  it('is e^(n/d) floored, up to a millionth, from a few wei to the highest blob fee of 2024', () => {
    for (const excess of [10_000_000n, 50_000_000n, 92_798_976n]) {
      const exact = Number(fakeExponential({ factor: 1n, numerator: excess, denominator: 3_338_477n }))
      const real = Math.exp(Number(excess) / 3_338_477)
      expect(exact).toBeLessThanOrEqual(real)
      expect(real - exact).toBeLessThan(1 + 1e-6 * real)
    }
  })

  it('refuses a zero denominator and negative inputs', () => {
    expect(() => fakeExponential({ factor: 1n, numerator: 1n, denominator: 0n })).toThrow(RangeError)
    expect(() => fakeExponential({ factor: 1n, numerator: -1n, denominator: 1n })).toThrow(RangeError)
  })
})
