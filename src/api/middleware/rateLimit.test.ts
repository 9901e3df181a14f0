import { describe, expect, it } from 'vitest'
import { trustedProxies } from '../../lib/trustedProxies.js'
import { testContext } from '../core/testRequest.js'
import { clientAddress, createTokenBuckets, rateLimit } from './rateLimit.js'

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

describe('createTokenBuckets', () => {
  it('sweeps the buckets that have refilled, at most every 10 s, and keeps the others as they are', () => {
    // 5 per second, bursts of 5: a bucket is full again 1 s after its last take.
    const buckets = createTokenBuckets({ perSecond: 5, burst: 5 })
    for (let i = 0; i < 10_000; i++) expect(buckets.take(`client-${i}`, 0)).toBeUndefined()
    for (let i = 0; i < 5; i++) buckets.take('drained', 9_900)
    expect(buckets.size).toBe(10_001)
    // Not yet 10 s since the first sweep: nothing is swept, though the 10 000 have long refilled.
    expect(buckets.take('late', 9_999)).toBeUndefined()
    expect(buckets.size).toBe(10_002)
    // Past 10 s: the refilled go; 'drained' (0.1 s ago: half a token back) and 'late' stay.
    expect(buckets.take('drained', 10_001)).toBe(1)
    expect(buckets.size).toBe(2)
    // A swept client starts again with a full burst, as a bucket kept that long would have.
    for (let i = 0; i < 5; i++) expect(buckets.take('client-7', 10_002)).toBeUndefined()
    expect(buckets.take('client-7', 10_002)).toBe(1)
  })
  it('holds nothing when off', () => {
    const buckets = createTokenBuckets({ perSecond: 0, burst: 5 })
    expect(buckets.take('a', 0)).toBeUndefined()
    expect(buckets.size).toBe(0)
  })
})
