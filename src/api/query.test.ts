import { describe, expect, it } from 'vitest'
import { miscasedParameter, parseQuery } from './query.js'

describe('parseQuery', () => {
  it.each([
    ['/predict', {}],
    ['/predict?', {}],
    ['/predict?chainId=1', { chainId: '1' }],
    ['/predict?chainId=1&confidence=90,99', { chainId: '1', confidence: '90,99' }],
    ['/predict?confidence=90%2C99&x', { confidence: '90,99', x: '' }],
    ['/predict?a=1&a=2&a=3', { a: ['1', '2', '3'] }],
    ['/predict?a=%E0%A4%A&b=c+d', { a: '%E0%A4%A', b: 'c d' }],
    ['/predict?chainId=1#frag', { chainId: '1' }],
    ['http://h:1/p?&&k=v&', { k: 'v' }],
  ])('%s', (target, expected) => expect(parseQuery(target)).toEqual(expected))
  it('ignores __proto__', () => {
    const q = parseQuery('/p?__proto__=x&constructor=y')
    expect(Object.getPrototypeOf(q)).toBe(Object.prototype)
    expect(q.constructor).toBe('y')
  })
})

describe('miscasedParameter', () => {
  it('names a parameter given in another case, and what it meant; leaves others alone', () => {
    const expected = ['chainId', 'confidence', 'withinBlocks']
    expect(miscasedParameter({ chainId: '1', withinblocks: '3' }, expected)).toEqual({
      given: 'withinblocks',
      expected: 'withinBlocks',
    })
    expect(miscasedParameter({ ChainId: '1' }, expected)).toEqual({ given: 'ChainId', expected: 'chainId' })
    expect(miscasedParameter({ chainId: '1', _: '123', confidence: '90' }, expected)).toBeUndefined()
  })
})
