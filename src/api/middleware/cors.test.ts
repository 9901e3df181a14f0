import { describe, expect, it } from 'vitest'
import { responseHeadersOf, testContext } from '../core/testRequest.js'
import { cors } from './cors.js'

const stepFor = (origins: '*' | string[]) =>
  cors({ origins, allowHeaders: ['If-None-Match'], exposeHeaders: ['ETag', 'X-Request-Id'] })

describe('cors', () => {
  it('allows any origin with *, and exposes the headers a wallet reads', () => {
    const c = testContext({ headers: { Origin: 'https://wallet.example' } })
    expect(stepFor('*')(c)).toBeUndefined()
    expect(responseHeadersOf(c)).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Expose-Headers': 'ETag, X-Request-Id',
    })
  })
  it('with a list, echoes allowed origins only and varies on Origin', () => {
    const step = stepFor(['https://a.example'])
    const ok = testContext({ headers: { Origin: 'https://a.example' } })
    step(ok)
    expect(responseHeadersOf(ok)).toMatchObject({
      'Access-Control-Allow-Origin': 'https://a.example',
      Vary: 'Origin',
    })
    const no = testContext({ headers: { Origin: 'https://evil.example' } })
    expect(step(no)).toBeUndefined()
    expect(responseHeadersOf(no)).toEqual({ Vary: 'Origin' })
  })
  it('answers a preflight with 204, the methods and the allowed requested headers', () => {
    const c = testContext({
      method: 'OPTIONS',
      headers: {
        Origin: 'https://w.example',
        'Access-Control-Request-Method': 'GET',
        'Access-Control-Request-Headers': 'if-none-match, x-evil',
      },
    })
    const answer = stepFor('*')(c)
    expect(answer?.status).toBe(204)
    expect(answer?.headers).toEqual([
      'Access-Control-Allow-Methods',
      'GET, HEAD, OPTIONS',
      'Access-Control-Allow-Headers',
      'if-none-match',
      'Access-Control-Max-Age',
      '86400',
    ])
  })
  it('leaves an OPTIONS that is no preflight, or from a refused origin, to the route', () => {
    expect(
      stepFor('*')(testContext({ method: 'OPTIONS', headers: { Origin: 'https://w.example' } })),
    ).toBeUndefined()
    const refused = testContext({
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    })
    expect(stepFor(['https://a.example'])(refused)).toBeUndefined()
  })
})
