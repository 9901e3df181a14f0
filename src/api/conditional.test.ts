import { describe, expect, it } from 'vitest'
import { cacheControlFor, etagFor, etagMatches } from './conditional.js'

describe('ETag', () => {
  it('names the prediction, the variant and staleness', () => {
    expect(etagFor('1-100-abc', '', false)).toBe('W/"1-100-abc"')
    expect(etagFor('1-100-abc', 'c90', true)).toBe('W/"1-100-abc.c90.stale"')
  })
  it('matches If-None-Match weakly, in lists and with *', () => {
    const tag = 'W/"1-100-abc"'
    expect(etagMatches(undefined, tag)).toBe(false)
    expect(etagMatches('W/"1-100-abc"', tag)).toBe(true)
    expect(etagMatches('"1-100-abc"', tag)).toBe(true)
    expect(etagMatches('"x", W/"1-100-abc"', tag)).toBe(true)
    expect(etagMatches('*', tag)).toBe(true)
    expect(etagMatches('W/"1-101-abc"', tag)).toBe(false)
  })
})

describe('Cache-Control', () => {
  it('lasts until the next block is due, not at all once stale', () => {
    expect(cacheControlFor(0, 12, false)).toBe('public, max-age=12')
    expect(cacheControlFor(5_500, 12, false)).toBe('public, max-age=6')
    expect(cacheControlFor(20_000, 12, false)).toBe('public, max-age=0')
    expect(cacheControlFor(40_000, 12, true)).toBe('no-cache')
  })
})
