import { describe, expect, it } from 'vitest'
import { testContext } from '../core/testRequest.js'
import { apiKeyAuth, createApiKeys } from './apiKeys.js'
import { rateLimit } from './rateLimit.js'

const key = 'a-key-of-at-least-16-chars'

describe('apiKeyAuth', () => {
  const setup = () => {
    const rejected: string[] = []
    const keys = createApiKeys([{ id: 'key#1', key, perSecond: 1, burst: 2 }])
    const step = apiKeyAuth({ keys, skip: (c) => c.path === '/healthz', onReject: (r) => rejected.push(r) })
    return { step, rejected }
  }
  it('does nothing without keys', () => {
    expect(apiKeyAuth({ keys: createApiKeys([]) })(testContext())).toBeUndefined()
  })
  it('answers 401 without a key or with an unknown one, and tells why', () => {
    const { step, rejected } = setup()
    expect(step(testContext())?.status).toBe(401)
    expect(step(testContext({ headers: { Authorization: 'Bearer not-the-key-at-all' } }))?.status).toBe(401)
    expect(rejected).toEqual(['missing', 'unknown'])
  })
  it("limits a client's refused requests: 429 instead of 401 once its address is over the limit", () => {
    const keys = createApiKeys([{ id: 'key#1', key, perSecond: 100, burst: 100 }])
    const step = apiKeyAuth({
      keys,
      limitRefused: rateLimit({ perSecond: 1, burst: 2, keyOf: (c) => c.req.socket.remoteAddress ?? '?' }),
    })
    const guess = (n: number, remoteAddress = '6.6.6.6') =>
      step(testContext({ headers: { 'X-API-Key': `guess-number-${n}-of-many` }, remoteAddress }))?.status
    expect([guess(1), guess(2), guess(3), guess(4)]).toEqual([401, 401, 429, 429])
    // Another client is not held back by the guesser, and a valid key still passes.
    expect(guess(5, '7.7.7.7')).toBe(401)
    expect(step(testContext({ headers: { 'X-API-Key': key }, remoteAddress: '6.6.6.6' }))).toBeUndefined()
  })
  it('takes the key as a Bearer token or X-API-Key, names it by id, and limits it', () => {
    const { step } = setup()
    const bearer = testContext({ headers: { Authorization: `Bearer ${key}` } })
    expect(step(bearer)).toBeUndefined()
    expect(bearer.apiKeyId).toBe('key#1')
    expect(step(testContext({ headers: { 'X-API-Key': key } }))).toBeUndefined()
    expect(step(testContext({ headers: { 'X-API-Key': key } }))?.status).toBe(429)
  })
  it("refills the key's bucket on the request's clock", () => {
    const { step } = setup()
    const at = (now: number) => step(testContext({ headers: { 'X-API-Key': key }, now }))
    const t = 1_800_000_000_000
    expect(at(t)).toBeUndefined()
    expect(at(t)).toBeUndefined()
    expect(at(t + 500)?.status).toBe(429)
    // One per second: a second later, one more.
    expect(at(t + 1_000)).toBeUndefined()
    expect(at(t + 1_000)?.status).toBe(429)
  })
  it('lets skipped routes through without a key', () => {
    expect(setup().step(testContext({ target: '/healthz' }))).toBeUndefined()
  })
})
