import { describe, expect, it } from 'vitest'
import { responseHeadersOf, testContext } from '../core/testRequest.js'
import { createIdGenerator, requestId } from './requestId.js'

describe('requestId', () => {
  const step = requestId({ generate: () => 'generated-1' })
  it("keeps a caller's sane X-Request-Id and answers it", () => {
    const c = testContext({ headers: { 'X-Request-Id': 'abc.DEF_1:2-3' } })
    expect(step(c)).toBeUndefined()
    expect(c.requestId).toBe('abc.DEF_1:2-3')
    expect(responseHeadersOf(c)['X-Request-Id']).toBe('abc.DEF_1:2-3')
  })
  it.each(['', 'a b', 'x'.repeat(65), '<script>', 'a, b'])('replaces an unusable one (%j)', (given) => {
    const c = testContext({ headers: { 'X-Request-Id': given } })
    step(c)
    expect(c.requestId).toBe('generated-1')
  })
  it('generates distinct ids with a per-process prefix', () => {
    const generate = createIdGenerator()
    const [a, b] = [generate(), generate()]
    expect(a).toMatch(/^[0-9a-z]{6}-1$/)
    expect(b).toBe(`${a.slice(0, 6)}-2`)
  })
})
