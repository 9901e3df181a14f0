import { describe, expect, it } from 'vitest'
import { chainProfile, knownChains } from './chains.js'

describe('chainProfile', () => {
  it('gives a listed chain its profile', () => {
    expect(chainProfile(1)).toBe(knownChains[1])
    expect(chainProfile(1).baseFeeRule).toBe('eip1559')
  })

  it('gives a chain it does not list the generic model with an unknown rule, made once', () => {
    const gnosis = chainProfile(100)
    expect(gnosis).toMatchObject({ id: 100, name: 'chain 100', blockTimeSeconds: 12, baseFeeRule: 'unknown' })
    expect(gnosis.freshnessSeconds).toBe(60)
    // Read on every answer for that chain: the same object, not a new one per request.
    expect(chainProfile(100)).toBe(gnosis)
    expect(chainProfile(101)).not.toBe(gnosis)
    expect(chainProfile(101).id).toBe(101)
  })

  it('gives profiles no caller can change for the others', () => {
    expect(Object.isFrozen(chainProfile(1))).toBe(true)
    expect(Object.isFrozen(chainProfile(100))).toBe(true)
    expect(() => {
      ;(chainProfile(100) as { blockTimeSeconds: number }).blockTimeSeconds = 1
    }).toThrow(TypeError)
  })
})
