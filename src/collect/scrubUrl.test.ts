import { describe, expect, it } from 'vitest'
import { scrubUrl } from './scrubUrl.js'

describe('scrubUrl', () => {
  it('hides every spelling of the URL and its secret parts', () => {
    const url = 'https://user:pa55word@mainnet.infura.io/v3/0123456789abcdef?apikey=SECRET'
    const text = `HTTP request failed.\nURL: ${url}\nalso https://mainnet.infura.io/v3/0123456789abcdef and SECRET and pa55word`
    const out = scrubUrl(text, url)
    expect(out).not.toMatch(/0123456789abcdef|SECRET|pa55word/)
    expect(out).toContain('https://mainnet.infura.io/***')
  })

  it('leaves text without the URL alone', () => {
    expect(scrubUrl('timeout after 10s', 'http://127.0.0.1:8545')).toBe('timeout after 10s')
  })
})
