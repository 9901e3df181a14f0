import { describe, expect, it } from 'vitest'
import { trustedProxies } from '../../lib/trustedProxies.js'
import { testContext } from '../core/testRequest.js'
import { clientAddress, rateLimit } from './rateLimit.js'

const setup = (perSecond: number, burst: number) => {
  let now = 1_000_000
  const step = rateLimit({
    perSecond,
    burst,
    keyOf: (c) => c.headers.requestId ?? 'anon',
    skip: (c) => c.path === '/healthz',
  })
  const get = (client = 'a', target = '/x') =>
    step(testContext({ target, headers: { 'X-Request-Id': client }, now }))
  return { get, tick: (ms: number) => (now += ms) }
}

describe('rateLimit', () => {
  it('lets a burst through, then answers 429 with Retry-After and a JSON error', () => {
    const { get } = setup(1, 3)
    for (let i = 0; i < 3; i++) expect(get()).toBeUndefined()
    const answer = get()
    expect(answer?.status).toBe(429)
    expect(answer?.headers).toEqual(expect.arrayContaining(['Retry-After', '1']))
    expect(JSON.parse(String(answer?.body))).toMatchObject({ error: { status: 429, code: 'rate_limited' } })
  })
  it('refills at the sustained rate', () => {
    const { get, tick } = setup(2, 2)
    get()
    get()
    expect(get()?.status).toBe(429)
    tick(500)
    expect(get()).toBeUndefined()
    expect(get()?.status).toBe(429)
  })
  it('counts each client apart and skips what it is told to', () => {
    const { get } = setup(1, 1)
    expect(get('a')).toBeUndefined()
    expect(get('a')?.status).toBe(429)
    expect(get('b')).toBeUndefined()
    for (let i = 0; i < 5; i++) expect(get('a', '/healthz')).toBeUndefined()
  })
  it('is off at 0 per second', () => {
    const { get } = setup(0, 1)
    for (let i = 0; i < 10; i++) expect(get()).toBeUndefined()
  })
  it('believes X-Forwarded-For only from a trusted proxy: the rightmost hop that is no proxy', () => {
    const proxies = trustedProxies(['127.0.0.1', '10.0.0.0/8'])
    const c = testContext({
      headers: { 'X-Forwarded-For': '6.6.6.6, 7.7.7.7, 10.0.0.1' },
      remoteAddress: '127.0.0.1',
    })
    expect(clientAddress(c, proxies)).toBe('7.7.7.7')
    expect(clientAddress(c, () => false)).toBe('127.0.0.1')
    const direct = testContext({ headers: { 'X-Forwarded-For': '6.6.6.6' }, remoteAddress: '8.8.8.8' })
    expect(clientAddress(direct, proxies)).toBe('8.8.8.8')
  })
})
