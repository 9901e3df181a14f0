import { describe, expect, it } from 'vitest'
import { parameterProblem } from './chainLookup.js'

describe('parameterProblem', () => {
  const levels = [50, 70, 90, 95, 99]
  it('says what is wrong: missing, repeated, not a number, not an accepted value, too large', () => {
    expect(parameterProblem('chainId', undefined, [1, 1337])).toBe(
      'chainId is missing: give a positive integer chain id; served here: 1, 1337',
    )
    expect(parameterProblem('chainId', ['1', '2'], [1])).toMatch(/^chainId is given 2 times: give it once/)
    expect(parameterProblem('chainId', 'abc', [1])).toBe(
      'chainId "abc" is not a positive integer chain id; served here: 1',
    )
    expect(parameterProblem('chainId', '99999999999999999999', [1])).toBe(
      'chainId "99999999999999999999" is above 9007199254740991, the largest chain id',
    )
    expect(parameterProblem('confidence', '90,80', levels)).toBe(
      'confidence 80 is not one of 50, 70, 90, 95, 99',
    )
    expect(parameterProblem('confidence', 'high', levels)).toBe(
      'confidence "high" is not a comma-separated list of 50, 70, 90, 95, 99',
    )
  })
})
