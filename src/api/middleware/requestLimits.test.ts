import { describe, expect, it } from 'vitest'
import { testContext } from '../core/testRequest.js'
import { requestLimits } from './requestLimits.js'

const step = requestLimits({ maxBodyBytes: 10, maxUrlLength: 50 })
const codeOf = (answer: ReturnType<typeof step>) =>
  answer === undefined
    ? undefined
    : (JSON.parse(String(answer.body)) as { error: { code: string } }).error.code

describe('requestLimits', () => {
  it('lets small requests through', () => {
    expect(step(testContext({ target: '/x?a=1' }))).toBeUndefined()
    expect(
      step(testContext({ method: 'POST', target: '/x', headers: { 'Content-Length': '10' } })),
    ).toBeUndefined()
  })
  it('answers 413 to a body over the limit, declared or chunked', () => {
    const declared = step(testContext({ method: 'POST', headers: { 'Content-Length': '11' } }))
    expect(declared?.status).toBe(413)
    expect(codeOf(declared)).toBe('payload_too_large')
    const chunked = step(testContext({ method: 'POST', headers: { 'Transfer-Encoding': 'chunked' } }))
    expect(chunked?.status).toBe(413)
    expect(chunked?.headers).toContain('close')
  })
  it('answers 413 to a nonsense Content-Length', () => {
    expect(step(testContext({ method: 'POST', headers: { 'Content-Length': 'lots' } }))?.status).toBe(413)
  })
  it('answers 414 to a request target over the limit', () => {
    const answer = step(testContext({ target: `/x?${'a'.repeat(60)}` }))
    expect(answer?.status).toBe(414)
    expect(codeOf(answer)).toBe('uri_too_long')
  })
})
